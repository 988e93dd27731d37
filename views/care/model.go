// Package care is the care-work screen: members × figures of the phases of
// care, with bars, the balance of each figure, the services and sites only
// one member acts on, who hosts which machine, and the facts behind every
// cell. It shows the same figures for everyone, ordered by handle: it
// invites sharing the work, it does not rank anyone.
package care

import (
	"context"
	"maps"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/views/common"
)

type Model struct {
	ctx  *common.Context
	keys KeyMap

	window   int // index in care.Windows
	row, fig int // the selected cell: member row, index in care.Figures
	drill    bool
	scroll   int // first fact line shown in the drill-down

	machines []care.Machine
	services map[string][]string // where each service runs (the cluster's), never written in place
	data     loadedMsg
	// seq numbers loads so a late answer for an older window is dropped;
	// pending asks for one more load when the one in flight ends.
	seq, inFlight int
	pending       bool
}

type loadedMsg struct {
	seq    int
	loaded bool
	days   int
	table  care.Table
	took   time.Duration
	err    error
	// seeded: the store says its history was made up (the demo).
	seeded bool
}

// New builds the screen; the window starts at 90 days.
func New(ctx *common.Context) *Model {
	return &Model{ctx: ctx, keys: DefaultKeyMap(), window: 1}
}

func (m *Model) Title() string   { return "care" }
func (m *Model) Capturing() bool { return false }
func (m *Model) Init() tea.Cmd   { return m.load() }

func (m *Model) ShortHelp() []key.Binding {
	if m.drill {
		return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Back}
	}
	return []key.Binding{m.keys.Left, m.keys.Right, m.keys.Open, m.keys.Window}
}

func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Left, m.keys.Right}, {m.keys.Open, m.keys.Back, m.keys.Window}}
}

// load reads the facts of the current window off the event loop.
func (m *Model) load() tea.Cmd {
	if m.inFlight != 0 {
		m.pending = true
		return nil
	}
	m.seq++
	m.inFlight = m.seq
	seq, days := m.seq, care.Windows[m.window]
	st, now, machines, services := m.ctx.Store, m.ctx.Now(), slices.Clone(m.machines), m.services
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		from, to := care.Window(now, days)
		f, err := care.Load(ctx, st, from, to)
		if err != nil {
			return loadedMsg{seq: seq, loaded: true, days: days, err: err}
		}
		seeded, _, err := st.Seeded(ctx)
		if err != nil {
			return loadedMsg{seq: seq, loaded: true, days: days, err: err}
		}
		f.Machines, f.ServiceNodes = machines, services
		return loadedMsg{seq: seq, loaded: true, days: days, table: care.Compute(f, from, to), took: time.Since(start), seeded: seeded}
	}
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return m, m.load()
	case common.SnapshotMsg:
		ms, sn := machines(msg.Snap), msg.Snap.ServiceNodes()
		if !slices.Equal(ms, m.machines) || !maps.EqualFunc(sn, m.services, slices.Equal[[]string]) {
			m.machines, m.services = ms, sn
			return m, m.load()
		}
	case loadedMsg:
		if msg.seq != m.inFlight {
			return m, nil
		}
		m.inFlight = 0
		m.data = msg
		m.row = min(m.row, max(len(msg.table.Rows)-1, 0))
		if m.pending {
			m.pending = false
			return m, m.load()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.drill {
		switch {
		case key.Matches(msg, m.keys.Back):
			m.drill = false
		case key.Matches(msg, m.keys.Up):
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(msg, m.keys.Down):
			m.scroll++
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Up):
		m.row = max(m.row-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.row = min(m.row+1, max(len(m.data.table.Rows)-1, 0))
	case key.Matches(msg, m.keys.Left):
		m.fig = max(m.fig-1, 0)
	case key.Matches(msg, m.keys.Right):
		m.fig = min(m.fig+1, len(care.Figures)-1)
	case key.Matches(msg, m.keys.Open):
		if len(m.data.table.Rows) > 0 {
			m.drill, m.scroll = true, 0
		}
	case key.Matches(msg, m.keys.Window):
		m.window = (m.window + 1) % len(care.Windows)
		// A load in flight is for the old window: start over.
		m.inFlight, m.pending = 0, false
		return m.load()
	}
	return nil
}
