// Package incidents is the journal screen: incidents (open first) and the
// timeline of the selected one.
package incidents

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"entretien/internal/sanitize"
	"entretien/oncall"
	"entretien/views/common"
)

type KeyMap struct{ Up, Down, Top, Bottom key.Binding }

func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:     key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:    key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
	}
}

type Model struct {
	ctx    *common.Context
	keys   KeyMap
	list   listData
	cursor int
	// entries of the selected incident, keyed by incident ID so a late
	// answer for another row is not shown under the wrong title.
	entries entriesMsg
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

func New(ctx *common.Context) *Model { return &Model{ctx: ctx, keys: DefaultKeyMap()} }

func (m *Model) Title() string   { return "incidents" }
func (m *Model) Capturing() bool { return false }
func (m *Model) Init() tea.Cmd   { return m.loadList() }
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Down}
}
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Top, m.keys.Bottom}}
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

func (m *Model) loadEntries() tea.Cmd {
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

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return m, m.loadList()
	case listMsg:
		m.list = listData(msg)
		m.cursor = min(m.cursor, max(len(m.list.incidents)-1, 0))
		return m, m.loadEntries()
	case entriesMsg:
		m.entries = msg
	case tea.KeyPressMsg:
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
		}
		if m.cursor != prev {
			return m, m.loadEntries()
		}
	}
	return m, nil
}

func (m *Model) View() string {
	st := m.ctx.Styles
	switch {
	case !m.list.loaded:
		return st.Muted.Render("loading the journal…")
	case m.list.err != nil:
		return st.Crit.Render("journal unavailable: ") + sanitize.Line(m.list.err.Error())
	case len(m.list.incidents) == 0:
		return st.OK.Render("No incident recorded.")
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
	out := t.Render(st.Header, st.Cursor, m.ctx.Width, listH)

	sel := m.list.incidents[m.cursor]
	var b strings.Builder
	b.WriteString(out)
	b.WriteString("\n\n")
	b.WriteString(st.Section.Render(fmt.Sprintf("#%d %s", sel.ID, sanitize.Line(sel.Title))))
	b.WriteString(st.Muted.Render(fmt.Sprintf("  opened by %s, affects %s", sanitize.Line(sel.OpenedBy), sanitize.Line(strings.Join(sel.Affects, ", ")))))
	b.WriteByte('\n')
	switch {
	case m.entries.id != sel.ID:
		b.WriteString(st.Muted.Render("  loading…"))
	case m.entries.err != nil:
		b.WriteString(st.Crit.Render("  " + sanitize.Line(m.entries.err.Error())))
	default:
		for _, e := range m.entries.entries {
			who := e.Author
			if who == "" {
				who = "system"
			}
			line := fmt.Sprintf("  %s  %-8s %-11s ", e.At.In(common.Location(m.ctx.Me.TZ)).Format("02 Jan 15:04"), sanitize.Line(who), e.Kind)
			b.WriteString(st.Muted.Render(line))
			b.WriteString(sanitize.Line(e.Text))
			b.WriteByte('\n')
		}
	}
	return b.String()
}
