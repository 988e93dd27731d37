// Package incidents is the journal: the list of incidents (open first,
// with a preview of the selected one) and the screen of one incident (its
// live timeline and an entry box). Each is a screen on the navigation
// stack, as an incident's retro (views/retro) is: enter opens, esc pops.
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

// Model is the list of incidents.
type Model struct {
	ctx  *common.Context
	keys KeyMap
	list common.List

	loaded bool
	err    error
	// preview of the selected incident's journal, keyed by incident ID so
	// a late answer for another row is not shown under the wrong title.
	preview      entriesMsg
	previewStale bool // the store changed since it was read
}

type (
	listMsg struct {
		incidents []oncall.Incident
		err       error
	}
	entriesMsg struct {
		id      int64
		entries []oncall.Entry
		err     error
	}
)

// New is the journal screen (the incidents tab).
func New(ctx *common.Context) *Model {
	return &Model{ctx: ctx, keys: DefaultKeyMap(), list: common.NewList(common.IncidentCols()...)}
}

func (m *Model) Title() string   { return "incidents" }
func (m *Model) Capturing() bool { return false }
func (m *Model) Init() tea.Cmd   { return m.loadList() }

// SetFilter narrows the list as the member types after /.
func (m *Model) SetFilter(q string) { m.list.SetFilter(q) }

// Refiltered loads the preview of the row the filter selected.
func (m *Model) Refiltered() tea.Cmd { return m.loadPreview() }

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.OpenAs("open incident"), m.keys.Retro, m.keys.New}
}

func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.list.Keys.Bindings(), {m.keys.OpenAs("open incident"), m.keys.Retro, m.keys.New}}
}

func (m *Model) loadList() tea.Cmd {
	st := m.ctx.Store
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		in, err := st.Incidents(ctx, oncall.IncidentFilter{})
		return listMsg{incidents: in, err: err}
	}
}

func (m *Model) loadPreview() tea.Cmd {
	in, ok := m.selected()
	if !ok || (m.preview.id == in.ID && !m.previewStale) {
		return nil
	}
	st, id := m.ctx.Store, in.ID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		es, err := st.Entries(ctx, id)
		return entriesMsg{id: id, entries: es, err: err}
	}
}

func (m *Model) selected() (oncall.Incident, bool) {
	r, ok := m.list.Selected()
	if !ok {
		return oncall.Incident{}, false
	}
	return r.Data.(oncall.Incident), true
}

// open pushes the incident's screen, and its retro on top of it when
// asked for, so the breadcrumbs say whose retro it is.
func (m *Model) open(withRetro bool) tea.Cmd {
	in, ok := m.selected()
	if !ok {
		return nil
	}
	cmd := common.Push(NewIncident(m.ctx, in.ID))
	if withRetro {
		return tea.Sequence(cmd, common.Push(retro.New(m.ctx, in.ID)))
	}
	return cmd
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		m.previewStale = true // reloaded with the list
		return m, m.loadList()
	case listMsg:
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			now := m.ctx.Now()
			rows := make([]common.Row, len(msg.incidents))
			for i, in := range msg.incidents {
				rows[i] = common.IncidentRow(in, now)
			}
			m.list.SetRows(rows)
		}
		return m, m.loadPreview()
	case entriesMsg:
		m.preview, m.previewStale = msg, false
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Open):
			return m, m.open(false)
		case key.Matches(msg, m.keys.Retro):
			return m, m.open(true)
		case key.Matches(msg, m.keys.New):
			ctx := m.ctx
			return m, common.Push(common.NewIncidentForm(ctx, func(in oncall.Incident) tea.Cmd {
				return common.Push(NewIncident(ctx, in.ID))
			}))
		}
		m.list.Update(msg)
		return m, m.loadPreview()
	case tea.MouseWheelMsg:
		m.list.Update(msg)
		return m, m.loadPreview()
	case tea.MouseClickMsg:
		// As in every list: a click selects, a click on the selected row
		// opens it. Row 0 is the column header.
		if msg.Button != tea.MouseLeft {
			return m, nil
		}
		before, had := m.list.Selected()
		if !m.list.Click(msg.Y - 1) {
			return m, nil
		}
		if r, ok := m.list.Selected(); ok && had && r.ID == before.ID {
			return m, m.open(false)
		}
		return m, m.loadPreview()
	}
	return m, nil
}

func (m *Model) View() string {
	st := m.ctx.Styles
	switch {
	case !m.loaded:
		return st.Muted.Render("loading the journal…")
	case m.err != nil:
		return st.Crit.Render("journal unavailable: ") + sanitize.Line(m.err.Error())
	case m.list.Total() == 0:
		return st.OK.Render("No incident recorded.") + st.Muted.Render("  (n opens one; or: entretien incident open --sev 2 --title …)")
	case m.list.Len() == 0:
		return st.Muted.Render(fmt.Sprintf("no match among %d incidents (esc clears the filter)", m.list.Total()))
	}
	listH := min(m.list.Len()+1, max(m.ctx.Height/3, 4))
	var b strings.Builder
	b.WriteString(m.list.View(st, m.ctx.Width, listH))
	b.WriteString("\n\n")

	sel, _ := m.selected()
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
