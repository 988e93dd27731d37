// Package decisions is the decisions tab: proposals to the collective,
// open ones first with their state, each opening as a screen with its
// text, implications, positions and history, where members take positions,
// add implications, amend, withdraw and record the outcome; and the form
// that opens one (from the tab, or from a retro's factor or action item).
package decisions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
)

// Model is the decisions tab.
type Model struct {
	ctx    *common.Context
	keys   ListKeys
	ps     []oncall.Proposal
	loaded bool
	err    error
	cursor int
}

type listMsg struct {
	ps  []oncall.Proposal
	err error
}

func New(ctx *common.Context) *Model { return &Model{ctx: ctx, keys: DefaultListKeys()} }

func (m *Model) Title() string   { return "decisions" }
func (m *Model) Capturing() bool { return false }
func (m *Model) Init() tea.Cmd   { return m.load() }

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.OpenAs("open proposal"), m.keys.New, m.keys.Down}
}

func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{append([]key.Binding{m.keys.OpenAs("open proposal"), m.keys.New}, m.keys.Moves()...)}
}

func (m *Model) load() tea.Cmd {
	st := m.ctx.Store
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ps, err := st.Proposals(ctx, oncall.ProposalFilter{})
		return listMsg{ps: ps, err: err}
	}
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return m, m.load()
	case listMsg:
		m.err = msg.err
		if msg.err == nil {
			m.ps, m.loaded = msg.ps, true
			m.cursor = min(m.cursor, max(len(m.ps)-1, 0))
		}
		return m, nil
	case tea.KeyPressMsg:
		k := m.keys
		switch {
		case key.Matches(msg, k.Up):
			m.cursor = max(m.cursor-1, 0)
		case key.Matches(msg, k.Down):
			m.cursor = min(m.cursor+1, max(len(m.ps)-1, 0))
		case key.Matches(msg, k.Top):
			m.cursor = 0
		case key.Matches(msg, k.Bottom):
			m.cursor = max(len(m.ps)-1, 0)
		case key.Matches(msg, k.Open):
			if m.cursor < len(m.ps) {
				return m, common.Push(NewProposal(m.ctx, m.ps[m.cursor].ID))
			}
		case key.Matches(msg, k.New):
			return m, common.Push(NewForm(m.ctx, Link{}))
		}
	}
	return m, nil
}

func (m *Model) View() string {
	st := m.ctx.Styles
	if m.ctx.Store == nil {
		return st.Muted.Render("no database")
	}
	if !m.loaded {
		if m.err != nil {
			return st.Crit.Render("decisions: ") + sanitize.Line(m.err.Error())
		}
		return st.Muted.Render("loading the proposals…")
	}
	w := max(m.ctx.Width, 20)
	now := m.ctx.Now()
	var out []string
	open := 0
	for _, p := range m.ps {
		if p.State == oncall.ProposalOpen {
			open++
		}
	}
	out = append(out, st.Section.Render(fmt.Sprintf("Decisions · %d open", open)), "")
	if len(m.ps) == 0 {
		out = append(out, st.Muted.Render("  no proposal yet: n brings a change to the collective (or p on a retro's factor or action item)"))
	}
	closedHeader := false
	for i, p := range m.ps {
		if p.State != oncall.ProposalOpen && !closedHeader {
			closedHeader = true
			out = append(out, "", st.Muted.Render("Closed"))
		}
		line := fmt.Sprintf("  #%-3d %s", p.ID, sanitize.Line(p.Title))
		state := p.StateLine(now)
		if pos, ok := p.PositionOf(m.ctx.Me.Handle); ok && p.State == oncall.ProposalOpen {
			if pos.Version != p.Version {
				state += " · yours to confirm"
			} else {
				state += " · you: " + string(pos.Stance)
			}
		} else if p.State == oncall.ProposalOpen && m.ctx.Me.Handle != "" {
			state += " · you have not taken a position"
		}
		room := max(w-ansi.StringWidth(line)-3, 10)
		line += "  " + st.Muted.Render(ansi.Truncate(state, room, "…"))
		if t := p.Tally(); len(t.Objectors) > 0 && p.State == oncall.ProposalOpen {
			line += " " + st.Crit.Render("!")
		}
		if i == m.cursor {
			line = st.Cursor.Render(ansi.Strip(line))
		}
		out = append(out, ansi.Truncate(line, w, "…"))
		if i == m.cursor {
			out = append(out, st.Muted.Render(ansi.Truncate("       affects "+sanitize.Line(strings.Join(p.Affects, ", ")), w, "…")),
				st.Muted.Render(ansi.Truncate("       "+p.QuorumLine(), w, "…")))
		}
	}
	out = append(out, "", st.Muted.Render("enter opens · n new proposal · ? help"))
	return strings.Join(out, "\n")
}
