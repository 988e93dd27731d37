// Package allocs is the allocation detail screen: where it runs, its task
// states with restarts, and the recent task events (`/` filters them);
// enter opens a task's logs.
package allocs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/logs"
)

// KeyMap is the screen's own bindings (the task list adds its movements).
// r is restart on every screen that acts, so refresh is ctrl+r here.
type KeyMap struct {
	Stdout, Stderr, Refresh key.Binding
	common.ActionKeys
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		Stdout:     key.NewBinding(key.WithKeys("enter", "l"), key.WithHelp("enter/l", "task stdout")),
		Stderr:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "task stderr")),
		Refresh:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh")),
		ActionKeys: common.DefaultActionKeys(),
	}
}

// Model is one allocation.
type Model struct {
	ctx   *common.Context
	keys  KeyMap
	id    string
	snap  *sources.Snapshot
	alloc sources.Alloc // from the snapshot
	found bool

	detail    sources.AllocDetail // fetched on demand, fuller than the snapshot
	hasDetail bool
	fetched   uint64 // snapshot ModifyIndex the detail was fetched at
	loading   bool
	err       error
	tasks     common.List
	filter    string // lower-case, on the task events; "" shows all
	query     string // the filter as typed, sanitised, for the header
	prompt    *common.Prompt
}

// detailMsg is a fetch result; owner tells which screen asked (every
// screen on the stack sees every message).
type detailMsg struct {
	owner  *Model
	detail sources.AllocDetail
	err    error
}

// New opens allocation id.
func New(ctx *common.Context, id string) *Model {
	l := common.NewList(common.Col{Title: "TASK", Min: 6}, common.Col{Title: "STATE", Min: 7},
		common.Col{Title: "RESTARTS", Min: 8}, common.Col{Title: "STARTED", Min: 7},
		common.Col{Title: "FINISHED", Min: 8}, common.Col{Title: "LAST EVENT", Min: 10, Flex: true})
	return &Model{ctx: ctx, keys: DefaultKeyMap(), id: id, tasks: l, prompt: common.NewPrompt(ctx)}
}

func (m *Model) Title() string   { return "alloc " + common.ShortID(m.id) }
func (m *Model) Capturing() bool { return m.prompt.Open() }
func (m *Model) Init() tea.Cmd   { return m.fetch() }

// SetFilter narrows the task events to those whose task, type or message
// contains q (case-insensitive): common.Filterable, the root's `/`.
func (m *Model) SetFilter(q string) {
	q = strings.TrimSpace(q)
	m.filter, m.query = strings.ToLower(q), sanitize.Line(q)
}

// fetch reads the allocation from Nomad off the event loop (captured
// values only).
func (m *Model) fetch() tea.Cmd {
	cl, id, owner := m.ctx.Cluster, m.id, m
	if cl == nil {
		return nil
	}
	m.loading = true
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, err := cl.AllocDetail(ctx, id)
		return detailMsg{owner: owner, detail: d, err: err}
	}
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if ok, cmd := m.prompt.Update(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case common.ActedMsg:
		if msg.Owner == m.prompt {
			return m, m.fetch()
		}
	case common.SnapshotMsg:
		m.snap = msg.Snap
		m.alloc, m.found = msg.Snap.AllocByID(m.id)
		m.refreshRows()
		if !m.found {
			return m, nil
		}
		ns := m.alloc.Namespace
		cmds := []tea.Cmd{m.prompt.Need(common.RestartAlloc, ns), m.prompt.Need(common.RestartTask, ns), m.prompt.Need(common.StopAlloc, ns), m.prompt.Need(common.ExecTask, ns)}
		// The allocation changed since the last fetch (pending → running):
		// read it again, or its tasks and events stay those of the fetch.
		if m.hasDetail && !m.loading && m.alloc.ModifyIndex != m.fetched {
			cmds = append(cmds, m.fetch())
		}
		return m, tea.Batch(cmds...)
	case detailMsg:
		if msg.owner != m {
			return m, nil
		}
		m.loading = false
		m.err = msg.err
		if msg.err == nil {
			m.detail, m.hasDetail = msg.detail, true
			m.fetched = m.alloc.ModifyIndex
		}
		m.refreshRows()
	case tea.MouseWheelMsg:
		if !m.prompt.Open() {
			m.tasks.Update(msg)
		}
	case tea.KeyPressMsg:
		if ok, cmd := m.prompt.Key(msg); ok {
			return m, cmd
		}
		if cmd, ok := m.act(msg); ok {
			return m, cmd
		}
		switch {
		case key.Matches(msg, m.keys.Stdout):
			return m, m.openLogs("stdout")
		case key.Matches(msg, m.keys.Stderr):
			return m, m.openLogs("stderr")
		case key.Matches(msg, m.keys.Refresh):
			return m, m.fetch()
		}
		m.tasks.Update(msg)
	}
	return m, nil
}

// act runs the cluster action msg asks for, through the prompt.
func (m *Model) act(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if !m.ctx.CanAct() {
		return nil, false
	}
	a, ns := m.alloc, m.alloc.Namespace
	if !m.found && m.hasDetail {
		a.ID, a.JobID, a.NodeName = m.id, m.detail.JobID, m.detail.NodeName
	}
	of := " of allocation " + common.ShortID(m.id) + " of " + a.JobID + common.OnSite(a.Site)
	touches := common.AllocTouches(m.snap, a)
	task, hasTask := m.tasks.Selected()
	switch {
	case key.Matches(msg, m.keys.Restart):
		return m.prompt.Confirm(common.RestartTask, ns, func() (common.Pending, error) {
			if !hasTask {
				return common.Pending{}, fmt.Errorf("no task selected")
			}
			return common.Pending{What: "restart task " + task.ID + of, Touches: touches,
				Act: common.Act{Kind: common.RestartTask, Namespace: ns, JobID: a.JobID, AllocID: m.id, Task: task.ID}}, nil
		}), true
	case key.Matches(msg, m.keys.RestartAll):
		return m.prompt.Confirm(common.RestartAlloc, ns, func() (common.Pending, error) {
			return common.Pending{What: "restart allocation " + common.ShortID(m.id) + " of " + a.JobID + common.OnSite(a.Site), Touches: touches,
				Act: common.Act{Kind: common.RestartAlloc, Namespace: ns, JobID: a.JobID, AllocID: m.id}}, nil
		}), true
	case key.Matches(msg, m.keys.Stop):
		return m.prompt.Confirm(common.StopAlloc, ns, func() (common.Pending, error) {
			return common.Pending{What: "stop allocation " + common.ShortID(m.id) + " of " + a.JobID + common.OnSite(a.Site) + " (Nomad reschedules it)", Touches: touches,
				Act: common.Act{Kind: common.StopAlloc, Namespace: ns, JobID: a.JobID, AllocID: m.id}}, nil
		}), true
	case key.Matches(msg, m.keys.Exec):
		if !hasTask {
			return nil, true
		}
		actor, id := m.ctx.Actor, m.id
		return m.prompt.Ask(common.ExecTask, ns, "command to run in task "+task.ID, "/bin/sh", func(line string) (common.Pending, error) {
			argv := strings.Fields(line)
			if len(argv) == 0 {
				return common.Pending{}, fmt.Errorf("type a command (/bin/sh)")
			}
			return common.Pending{What: "exec " + sanitize.Line(line) + " in task " + task.ID + of, Touches: touches,
				Suspend: func(done func(string, error) tea.Msg) tea.Cmd {
					return common.ExecIn(actor, id, task.ID, argv, done)
				}}, nil
		}), true
	}
	return nil, false
}

func (m *Model) openLogs(stream string) tea.Cmd {
	r, ok := m.tasks.Selected()
	if !ok {
		return nil
	}
	return common.Push(logs.New(m.ctx, m.id, r.ID, stream))
}

// taskStates prefers the fetched detail, else the snapshot's tasks.
func (m *Model) taskStates() []sources.TaskState {
	if m.hasDetail {
		return m.detail.Tasks
	}
	return m.alloc.Tasks
}

func (m *Model) refreshRows() {
	now := m.ctx.Now()
	var rows []common.Row
	for _, t := range m.taskStates() {
		state := t.Status()
		last := common.Spec{Text: "—", Kind: common.Muted}
		if n := len(t.Events); n > 0 {
			e := t.Events[n-1]
			last = common.Spec{Text: e.Type + ": " + e.Message}
		}
		restarts := common.Spec{Text: fmt.Sprint(t.Restarts)}
		if t.Restarts > 0 {
			restarts.Kind = common.Warn
		}
		rows = append(rows, common.Row{ID: t.Name, Cells: []common.Spec{
			{Text: t.Name, Kind: common.Bold}, common.StatusSpec(state), restarts,
			{Text: common.Since(now, t.StartedAt), Kind: common.Muted},
			{Text: common.Since(now, t.FinishedAt), Kind: common.Muted}, last,
		}})
	}
	m.tasks.SetRows(rows)
}

func (m *Model) View() string {
	st := m.ctx.Styles
	w, h := m.ctx.Width, m.ctx.Height
	now := m.ctx.Now()
	var b strings.Builder
	job, group, node, status, desc := m.alloc.JobID, m.alloc.TaskGroup, m.alloc.NodeName, m.alloc.ClientStatus, m.alloc.ClientDescription
	if m.hasDetail {
		d := m.detail
		job, group, node, status, desc = d.JobID, d.TaskGroup, d.NodeName, d.ClientStatus, d.ClientDescription
	}
	switch {
	case !m.found && !m.hasDetail && m.err == nil && m.loading:
		return st.Muted.Render("loading allocation " + sanitize.Line(m.id) + "…")
	case !m.found && !m.hasDetail:
		msg := "allocation " + sanitize.Line(m.id) + " is not known to Nomad (garbage-collected?)"
		if m.err != nil {
			msg += "\n" + sanitize.Line(m.err.Error())
		}
		return st.Warn.Render(msg)
	}
	b.WriteString(st.Bold.Render(sanitize.Line(m.id)) + "  " + st.ForStatus(status).Render(sanitize.Line(status)) +
		st.Muted.Render("  desired ") + sanitize.Line(m.alloc.DesiredStatus) + "\n")
	b.WriteString(st.Muted.Render("job ") + sanitize.Line(job) + st.Muted.Render("  group ") + sanitize.Line(group) +
		st.Muted.Render("  node ") + sanitize.Line(node) + st.Muted.Render("  site ") + sanitize.Line(common.SiteLabel(m.alloc.Site)) +
		st.Muted.Render("  created ") + common.Since(now, m.alloc.CreateTime) + st.Muted.Render(" ago") + "\n")
	line3 := st.Muted.Render(sanitize.Line(desc))
	if m.err != nil {
		line3 = st.Crit.Render("refresh failed: ") + st.Muted.Render(sanitize.Line(m.err.Error()))
	} else if m.ctx.Cluster == nil {
		line3 += st.Muted.Render("  (from the snapshot)")
	}
	b.WriteString(line3 + "\n")
	h -= 3
	prompt := m.prompt.View(st, w)
	if prompt != "" {
		h -= strings.Count(prompt, "\n") + 1
	}
	tasksH := min(m.tasks.Total()+1, max(h/2, 2))
	b.WriteString(m.tasks.View(st, w, tasksH))
	h -= tasksH
	if h >= 3 {
		evs, total := m.eventList()
		title := st.Section.Render("Recent task events")
		if m.filter != "" {
			title += st.Muted.Render(" · filter: ") + st.Key.Render(m.query) + st.Muted.Render(fmt.Sprintf(" · %d of %d", len(evs), total))
		}
		b.WriteString("\n" + title + "\n")
		b.WriteString(m.events(evs, total, w, h-2, now))
	}
	if prompt != "" {
		b.WriteString("\n" + prompt)
	}
	return b.String()
}

type event struct {
	task string
	sources.TaskEvent
}

// eventList is the task events the filter keeps, newest first, and how
// many there are in all.
func (m *Model) eventList() (evs []event, total int) {
	for _, t := range m.taskStates() {
		for _, e := range t.Events {
			total++
			// Sanitised before matching, as it is drawn.
			text := strings.ToLower(sanitize.Line(t.Name + " " + e.Type + " " + e.Message))
			if m.filter == "" || strings.Contains(text, m.filter) {
				evs = append(evs, event{t.Name, e})
			}
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int { return b.Time.Compare(a.Time) })
	return evs, total
}

// events draws evs, as many as fit.
func (m *Model) events(evs []event, total, w, h int, now time.Time) string {
	st := m.ctx.Styles
	switch {
	case total == 0:
		return st.Muted.Render("no events")
	case len(evs) == 0:
		return st.Muted.Render(fmt.Sprintf("no event matches %q (esc clears the filter)", m.query))
	}
	t := common.Table{Cols: []common.Col{{Title: "WHEN", Min: 5}, {Title: "TASK", Min: 5}, {Title: "TYPE", Min: 10}, {Title: "MESSAGE", Min: 10, Flex: true}}, Cursor: -1}
	for _, e := range evs[:min(len(evs), max(h-1, 1))] {
		style := st.Muted
		switch sources.StatusRank(e.Status()) {
		case sources.RankCritical:
			style = st.Crit
		case sources.RankWarning:
			style = st.Warn
		}
		t.Rows = append(t.Rows, []common.Cell{
			{Text: common.Since(now, e.Time) + " ago", Style: st.Muted}, {Text: e.task},
			{Text: e.Type, Style: style}, {Text: e.Message},
		})
	}
	return t.Render(st.Header, st.Cursor, w, h)
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.tasks.Keys.Up, m.tasks.Keys.Down, m.keys.Stdout, m.keys.Stderr}
}

func (m *Model) FullHelp() [][]key.Binding {
	ns, p, k := m.alloc.Namespace, m.prompt, m.keys
	return [][]key.Binding{m.tasks.Keys.Bindings(), {k.Stdout, k.Stderr, k.Refresh,
		p.Binding(k.Restart, common.RestartTask, ns), p.Binding(k.RestartAll, common.RestartAlloc, ns),
		p.Binding(k.Stop, common.StopAlloc, ns), p.Binding(k.Exec, common.ExecTask, ns)}}
}
