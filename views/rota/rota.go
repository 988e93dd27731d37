// Package rota is the on-call screen: who is on call now and next in each
// rotation, and the shifts of the coming weeks.
package rota

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

// horizon is how far ahead the screen lists shifts.
const horizon = 28 * 24 * time.Hour

type KeyMap struct{ Up, Down key.Binding }

func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:   key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "scroll up")),
		Down: key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "scroll down")),
	}
}

type Model struct {
	ctx    *common.Context
	keys   KeyMap
	data   data
	scroll int
}

type data struct {
	loaded bool
	at     time.Time
	onCall []oncall.OnCall
	shifts map[string][]oncall.Shift // rotation name -> upcoming shifts
	err    error
}

type dataMsg data

func New(ctx *common.Context) *Model { return &Model{ctx: ctx, keys: DefaultKeyMap()} }

func (m *Model) Title() string             { return "rota" }
func (m *Model) Capturing() bool           { return false }
func (m *Model) Init() tea.Cmd             { return m.load() }
func (m *Model) ShortHelp() []key.Binding  { return []key.Binding{m.keys.Up, m.keys.Down} }
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *Model) load() tea.Cmd {
	st, now := m.ctx.Store, m.ctx.Now()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d := data{loaded: true, at: now, shifts: map[string][]oncall.Shift{}}
		d.onCall, d.err = st.OnCallAt(ctx, now)
		for _, oc := range d.onCall {
			d.shifts[oc.Rotation.Name] = oc.Rotation.Shifts(now, now.Add(horizon))
		}
		return dataMsg(d)
	}
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return m, m.load()
	case dataMsg:
		m.data = data(msg)
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Up):
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(msg, m.keys.Down):
			m.scroll++
		}
	}
	return m, nil
}

func (m *Model) View() string {
	st := m.ctx.Styles
	switch {
	case !m.data.loaded:
		return st.Muted.Render("loading the rota…")
	case m.data.err != nil:
		return st.Crit.Render("rota unavailable: ") + sanitize.Line(m.data.err.Error())
	case len(m.data.onCall) == 0:
		return st.Muted.Render("No rotation yet.")
	}
	var lines []string
	for _, oc := range m.data.onCall {
		r := oc.Rotation
		loc := common.Location(r.TZ)
		lines = append(lines, st.Section.Render(sanitize.Line(r.Name))+st.Muted.Render(fmt.Sprintf("  every %d %s, handoff %s %s", r.ShiftCount, r.ShiftUnit, r.Handoff, r.TZ)))
		if oc.HasNow {
			lines = append(lines, "  now   "+st.OK.Render(sanitize.Line(oc.Now.Member))+st.Muted.Render(" until "+oc.Now.End.In(loc).Format("Mon 2 Jan 15:04 MST")))
		} else {
			lines = append(lines, "  now   "+st.Warn.Render("nobody"))
		}
		if oc.Next.Member != "" {
			lines = append(lines, "  next  "+st.Bold.Render(sanitize.Line(oc.Next.Member))+st.Muted.Render(" from "+oc.Next.Start.In(loc).Format("Mon 2 Jan 15:04 MST")))
		}
		t := common.Table{Cols: []common.Col{{Title: "FROM", Min: 16}, {Title: "TO", Min: 16}, {Title: "MEMBER", Min: 8, Flex: true}}, Cursor: -1}
		for _, s := range m.data.shifts[r.Name] {
			t.Rows = append(t.Rows, []common.Cell{
				{Text: s.Start.In(loc).Format("Mon 02 Jan 15:04"), Style: st.Muted},
				{Text: s.End.In(loc).Format("Mon 02 Jan 15:04"), Style: st.Muted},
				{Text: s.Member},
			})
		}
		lines = append(lines, "", "  "+st.Muted.Render("coming shifts"))
		lines = append(lines, strings.Split(t.Render(st.Header, st.Cursor, m.ctx.Width-2, len(t.Rows)+1), "\n")...)
		lines = append(lines, "")
	}
	if m.scroll > len(lines)-1 {
		m.scroll = max(len(lines)-1, 0)
	}
	return strings.Join(lines[m.scroll:], "\n")
}
