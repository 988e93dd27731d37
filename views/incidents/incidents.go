// Package incidents is the journal screen. It has three sub-screens: the
// list of incidents (open first, with a preview of the selected one), one
// incident (its live timeline and an entry box at the bottom) and that
// incident's retro; esc goes back one level.
package incidents

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/retro"
)

type state int

const (
	stateList state = iota
	stateIncident
	stateRetro
)

type Model struct {
	ctx    *common.Context
	keys   KeyMap
	state  state
	list   listData
	cursor int
	// preview of the selected incident's journal in the list, keyed by
	// incident ID so a late answer for another row is not shown under the
	// wrong title.
	preview entriesMsg
	detail  *detail
	retro   *retro.Model
}

type listData struct {
	loaded    bool
	incidents []oncall.Incident
	err       error
}

type (
	listMsg    listData
	entriesMsg struct {
		id      int64
		entries []oncall.Entry
		err     error
	}
)

// New is the journal screen (tab 3).
func New(ctx *common.Context) *Model { return &Model{ctx: ctx, keys: DefaultKeyMap()} }

func (m *Model) Title() string { return "incidents" }

// Capturing is true while the entry box (or a retro note box) has focus, so
// q, tab and 1-9 type into it.
func (m *Model) Capturing() bool {
	switch m.state {
	case stateIncident:
		return m.detail != nil && m.detail.input.Focused()
	case stateRetro:
		return m.retro != nil && m.retro.Capturing()
	}
	return false
}

func (m *Model) Init() tea.Cmd { return m.loadList() }

func (m *Model) ShortHelp() []key.Binding {
	switch m.state {
	case stateIncident:
		if m.detail != nil && m.detail.input.Focused() {
			return []key.Binding{m.keys.Post, m.keys.Kind, m.keys.Cancel}
		}
		return []key.Binding{m.keys.Write, m.keys.Ack, m.keys.Lead, m.keys.Retro, m.keys.Back}
	case stateRetro:
		if m.retro != nil {
			return m.retro.ShortHelp()
		}
	}
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Open, m.keys.Retro}
}

func (m *Model) FullHelp() [][]key.Binding {
	switch m.state {
	case stateIncident:
		k := m.keys
		return [][]key.Binding{
			{k.Write, k.Post, k.Kind, k.Cancel},
			{k.Ack, k.Mitigate, k.Resolve, k.Review},
			{k.Lead, k.TakeOver, k.Scribe, k.Helper},
			{k.Up, k.Down, k.Retro, k.Back},
		}
	case stateRetro:
		if m.retro != nil {
			return m.retro.FullHelp()
		}
	}
	// One column: the root adds its own beside it, within the help box width.
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Open, m.keys.Retro}}
}

func (m *Model) loadList() tea.Cmd {
	st := m.ctx.Store
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		in, err := st.Incidents(ctx, oncall.IncidentFilter{})
		return listMsg{loaded: true, incidents: in, err: err}
	}
}

func (m *Model) loadPreview() tea.Cmd {
	if m.cursor >= len(m.list.incidents) {
		return nil
	}
	st, id := m.ctx.Store, m.list.incidents[m.cursor].ID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		es, err := st.Entries(ctx, id)
		return entriesMsg{id: id, entries: es, err: err}
	}
}

func (m *Model) selected() (oncall.Incident, bool) {
	if m.cursor < len(m.list.incidents) {
		return m.list.incidents[m.cursor], true
	}
	return oncall.Incident{}, false
}

// OpenIncident shows one incident's screen (the root or a test may jump
// there directly).
func (m *Model) OpenIncident(id int64) tea.Cmd {
	m.detail = newDetail(m.ctx, m.keys, id)
	m.state = stateIncident
	return m.detail.init()
}

// OpenRetro shows an incident's retro.
func (m *Model) OpenRetro(id int64) tea.Cmd {
	m.retro = retro.New(m.ctx, id)
	m.state = stateRetro
	return m.retro.Init()
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmds []tea.Cmd
	// Data messages go to every sub-screen that exists (each checks its
	// own incident ID); keys only to the visible one.
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		cmds = append(cmds, m.loadList())
		if m.detail != nil && m.state == stateIncident {
			cmds = append(cmds, m.detail.reload())
		}
		if m.retro != nil && m.state == stateRetro {
			_, c := m.retro.Update(msg)
			cmds = append(cmds, c)
		}
		return m, tea.Batch(cmds...)
	case listMsg:
		m.list = listData(msg)
		m.cursor = min(m.cursor, max(len(m.list.incidents)-1, 0))
		return m, m.loadPreview()
	case entriesMsg:
		m.preview = msg
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	if m.detail != nil {
		cmds = append(cmds, m.detail.update(msg))
	}
	if m.retro != nil {
		_, c := m.retro.Update(msg)
		cmds = append(cmds, c)
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.state {
	case stateIncident:
		if !m.detail.input.Focused() && key.Matches(msg, m.keys.Back) {
			m.state = stateList
			return tea.Batch(m.loadList())
		}
		if !m.detail.input.Focused() && key.Matches(msg, m.keys.Retro) {
			return m.OpenRetro(m.detail.id)
		}
		return m.detail.update(msg)
	case stateRetro:
		if !m.retro.Capturing() && key.Matches(msg, m.keys.Back) {
			if m.detail != nil && m.detail.id == m.retro.ID() {
				m.state = stateIncident
				return m.detail.reload()
			}
			m.state = stateList
			return m.loadList()
		}
		_, cmd := m.retro.Update(msg)
		return cmd
	}
	prev := m.cursor
	last := max(len(m.list.incidents)-1, 0)
	switch {
	case key.Matches(msg, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.cursor = min(m.cursor+1, last)
	case key.Matches(msg, m.keys.Top):
		m.cursor = 0
	case key.Matches(msg, m.keys.Bottom):
		m.cursor = last
	case key.Matches(msg, m.keys.Open):
		if in, ok := m.selected(); ok {
			return m.OpenIncident(in.ID)
		}
	case key.Matches(msg, m.keys.Retro):
		if in, ok := m.selected(); ok {
			return m.OpenRetro(in.ID)
		}
	}
	if m.cursor != prev {
		return m.loadPreview()
	}
	return nil
}

func (m *Model) View() string {
	switch m.state {
	case stateIncident:
		return m.detail.view()
	case stateRetro:
		return m.retro.View()
	}
	return m.listView()
}

func (m *Model) listView() string {
	st := m.ctx.Styles
	switch {
	case !m.list.loaded:
		return st.Muted.Render("loading the journal…")
	case m.list.err != nil:
		return st.Crit.Render("journal unavailable: ") + sanitize.Line(m.list.err.Error())
	case len(m.list.incidents) == 0:
		return st.OK.Render("No incident recorded.") + st.Muted.Render("  (open one with: entretien incident open --sev 2 --title …)")
	}
	now := m.ctx.Now()
	t := common.Table{
		Cols: []common.Col{{Title: "ID", Min: 4}, {Title: "SEV", Min: 4}, {Title: "STATUS", Min: 12},
			{Title: "TITLE", Min: 12, Flex: true}, {Title: "OPENED", Min: 10}},
		Cursor: m.cursor,
	}
	for _, in := range m.list.incidents {
		sev := in.Severity
		if sev < 1 || sev > 3 {
			sev = 0
		}
		t.Rows = append(t.Rows, []common.Cell{
			{Text: fmt.Sprintf("#%d", in.ID), Style: st.Muted},
			{Text: fmt.Sprintf("sev%d", in.Severity), Style: st.Severity[sev]},
			{Text: string(in.Status), Style: st.ForStatus(string(in.Status))},
			{Text: in.Title},
			{Text: common.Ago(now.Sub(in.OpenedAt)) + " ago", Style: st.Muted},
		})
	}
	listH := min(len(t.Rows)+1, max(m.ctx.Height/3, 4))
	var b strings.Builder
	b.WriteString(t.Render(st.Header, st.Cursor, m.ctx.Width, listH))
	b.WriteString("\n\n")

	sel := m.list.incidents[m.cursor]
	b.WriteString(st.Section.Render(fmt.Sprintf("#%d %s", sel.ID, sanitize.Line(sel.Title))))
	b.WriteString(st.Muted.Render(fmt.Sprintf("  opened by %s, affects %s", sanitize.Line(sel.OpenedBy), sanitize.Line(strings.Join(sel.Affects, ", ")))))
	b.WriteString(st.Muted.Render("   enter: open · r: retro"))
	b.WriteByte('\n')
	switch {
	case m.preview.id != sel.ID:
		b.WriteString(st.Muted.Render("  loading…"))
	case m.preview.err != nil:
		b.WriteString(st.Crit.Render("  " + sanitize.Line(m.preview.err.Error())))
	default:
		// The latest entries that fit under the list.
		room := max(m.ctx.Height-listH-3, 1)
		es := m.preview.entries
		if len(es) > room {
			es = es[len(es)-room:]
		}
		loc := common.Location(m.ctx.Me.TZ)
		for _, e := range es {
			who := e.Author
			if who == "" {
				who = "cluster"
			}
			line := fmt.Sprintf("  %s  %-8s %-11s ", e.At.In(loc).Format("02 Jan 15:04"), sanitize.Line(who), e.Kind)
			b.WriteString(st.Muted.Render(line))
			b.WriteString(sanitize.Line(e.Text))
			b.WriteByte('\n')
		}
	}
	return b.String()
}
