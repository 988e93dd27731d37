// Package tui is entretien's root model: it routes messages to screens,
// holds focus and the global keys, and lays out the header, the active
// screen and the status line. Screens live in views/. This file only
// routes; the navigation stacks are in nav.go, the tabs, breadcrumbs and
// status line in chrome.go, the database poll in poll.go and the / and :
// line editors in editors.go.
package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// Source is the live cluster state the root follows (a *sources.Watcher).
type Source interface {
	Snapshot() *sources.Snapshot
	Updates() <-chan struct{}
}

// Options are what cmd hands the root.
type Options struct {
	Source Source
	Store  oncall.Store
	Me     oncall.Member
	MeErr  error
	Now    func() time.Time // default time.Now
	// Tick is the period of the clock reload; changes other members make
	// to the store are seen at once through its Changes (dbwake.go).
	// Default: just past each minute.
	Tick time.Duration
	// Cluster fetches details on demand (allocation, logs); default: the
	// Source when it implements common.Cluster (a *sources.Watcher does).
	Cluster common.Cluster
	// Actor acts on the cluster (actions.go); default: the Source when it
	// implements common.Actor. ReadOnly drops it: no action key exists.
	Actor    common.Actor
	ReadOnly bool
}

// Model is the root model.
type Model struct {
	ctx    *common.Context
	source Source
	keys   KeyMap
	help   help.Model
	// tabs holds one navigation stack per top-level screen; the last
	// entry of the active one is on screen.
	tabs   [][]entry
	active int

	mode   mode   // normal, or typing a filter or a command
	input  string // what is being typed after / or :
	notice string // answer to the last command (cleared by the next key)

	showHelp      bool
	width, height int
	snap          *sources.Snapshot
	storeVersion  int64
	lastRefresh   time.Time
	tick          time.Duration // Options.Tick; 0: see pollEvery
	changes       *storeChanges // the store's Changes; nil without a store
	err           error
	unreached     []string               // open outages whose pages reached nobody (paging.go)
	notices       []oncall.ProposalEvent // decisions not seen yet (decisions.go)

	// reuse: the last poll changed nothing, the last frame is drawn again
	// (poll.go).
	reuse bool
	last  *tea.View
	// held: nothing drawn yet, the first frame waits for the cluster's
	// first answers (startup.go).
	held bool
	// The age timer (ages.go): fires when an age drawn reads differently.
	ageTimer *time.Timer
	ageWake  chan struct{} // capacity 1
	ageDue   time.Time     // zero: no age on screen

	tabSpans [][2]int // columns [from, to) of each tab label as last drawn, for clicks

	start *startGate // the hidden tabs' first loads wait for it (startup.go)
}

func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Cluster == nil {
		o.Cluster, _ = o.Source.(common.Cluster)
	}
	ctx := &common.Context{
		Styles:   theme.New(true),
		Store:    o.Store,
		Me:       o.Me,
		MeErr:    o.MeErr,
		Now:      o.Now,
		Cluster:  o.Cluster,
		Actor:    actor(o),
		ReadOnly: o.ReadOnly,
	}
	m := &Model{
		ctx:     ctx,
		source:  o.Source,
		keys:    DefaultKeyMap(),
		help:    help.New(),
		tick:    o.Tick,
		ageWake: make(chan struct{}, 1),
		start:   newStartGate(),
	}
	for _, s := range topLevel(ctx) {
		m.tabs = append(m.tabs, []entry{{screen: s}})
	}
	m.snap = o.Source.Snapshot()
	m.held = !answered(m.snap)
	// Following the store's changes from here, before the screens' first
	// loads: a write landing before them is then seen as a change.
	m.changes = subscribe(o.Store)
	m.notices = decisionNotices(o.Store, o.Me.Handle) // told at once, not at the first poll
	return m
}

// updateMsg: the source has a new snapshot.
type updateMsg struct{}

func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.waitUpdate(), m.tickCmd(), m.wakeCmd(), m.waitAge()}
	if m.held {
		cmds = append(cmds, waitFirstFrame())
	}
	for i, stack := range m.tabs {
		if i == m.active {
			cmds = append(cmds, stack[0].screen.Init())
		} else {
			cmds = append(cmds, m.start.hold(stack[0].screen.Init()))
		}
	}
	snap := m.snap
	cmds = append(cmds, func() tea.Msg { return common.SnapshotMsg{Snap: snap} })
	return tea.Batch(cmds...)
}

// waitUpdate blocks (off the event loop) until the source has a new
// snapshot; the root re-arms it after each one (bubbletea's realtime idiom).
func (m *Model) waitUpdate() tea.Cmd {
	ch := m.source.Updates()
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return updateMsg{}
	}
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.reuse = false
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		*m.ctx.Styles = *theme.New(msg.IsDark())
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(max(msg.Width-4, 10)) // inside the help box border
		m.layout()
		return m, nil
	case updateMsg:
		m.snap = m.source.Snapshot()
		m.start.openOn(m.snap)
		if m.held && !answered(m.snap) {
			// Nothing is drawn yet: the screens get the snapshot that
			// ends the hold, not each part's first answer before it.
			return m, m.waitUpdate()
		}
		m.held = false
		return m, tea.Batch(m.waitUpdate(), m.broadcast(common.SnapshotMsg{Snap: m.snap}))
	case firstFrameMsg:
		return m, m.release()
	case tickMsg:
		return m, m.polled(msg)
	case ageMsg:
		return m, m.waitAge() // and draw: an age reads differently
	case common.ErrMsg:
		m.err = msg.Err
		return m, nil
	case tea.KeyPressMsg:
		m.start.open()
		return m, tea.Batch(m.release(), m.handleKey(msg), m.visitDecisions())
	case tea.MouseClickMsg:
		m.start.open()
		return m, tea.Batch(m.release(), m.click(msg), m.visitDecisions())
	case tea.MouseMsg:
		// The mouse acts on what is under it: the screen on top.
		return m, m.updateTop(msg)
	case common.PushMsg:
		return m, m.push(msg.Screen)
	case pushOnMsg:
		return m, m.pushOn(msg.tab, msg.Screen)
	case common.PopMsg:
		m.pop()
		return m, nil
	case common.NoticeMsg:
		m.notice = msg.Text
		return m, nil
	case common.JumpMsg:
		if !m.jump(msg.Title) {
			m.notice = "no screen " + msg.Title
		}
		return m, nil
	}
	// Data messages (load results) go to every screen; each one keeps its own.
	return m, m.broadcast(msg)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	m.notice = ""
	switch m.mode {
	case modeFilter:
		return m.filterKey(msg)
	case modeCommand:
		return m.commandKey(msg)
	}
	scr := m.top()
	if scr.Capturing() {
		return m.updateTop(msg)
	}
	if m.showHelp && (key.Matches(msg, m.keys.Help) || key.Matches(msg, m.keys.Back)) {
		m.showHelp = false
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.keys.Next):
		m.active = (m.active + 1) % len(m.tabs)
		return nil
	case key.Matches(msg, m.keys.Prev):
		m.active = (m.active + len(m.tabs) - 1) % len(m.tabs)
		return nil
	case key.Matches(msg, m.keys.Jump):
		if i := (int(msg.Code-'0') + 9) % 10; i >= 0 && i < len(m.tabs) {
			m.active = i
		}
		return nil
	case key.Matches(msg, m.keys.Filter):
		if _, ok := scr.(common.Filterable); ok {
			m.mode, m.input = modeFilter, m.topEntry().filter
		}
		return nil
	case key.Matches(msg, m.keys.Command):
		m.mode, m.input = modeCommand, ""
		return nil
	case key.Matches(msg, m.keys.Back):
		if m.topEntry().filter != "" {
			return m.setFilter("")
		}
		if len(m.tabs[m.active]) > 1 {
			m.pop()
			return nil
		}
	}
	return m.updateTop(msg)
}

// updateTop hands msg to the screen on top of the active stack.
func (m *Model) updateTop(msg tea.Msg) tea.Cmd {
	stack := m.tabs[m.active]
	var cmd tea.Cmd
	stack[len(stack)-1].screen, cmd = stack[len(stack)-1].screen.Update(msg)
	return fromTab(m.active, cmd)
}

// broadcast hands msg to every screen of every stack: data messages carry
// their owner, and screens below the top must stay current for esc.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, stack := range m.tabs {
		for i := range stack {
			var cmd tea.Cmd
			stack[i].screen, cmd = stack[i].screen.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) View() tea.View {
	if m.held {
		return tea.View{}
	}
	if m.reuse && m.last != nil {
		return *m.last // its ages' timer is still set
	}
	var v tea.View
	m.armAges(common.DrawFrame(func() { v = m.render() }))
	m.last = &v
	return v
}

func (m *Model) render() tea.View {
	var v tea.View
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "entretien"
	if m.width == 0 {
		v.SetContent("starting…")
		return v
	}
	st := m.ctx.Styles
	body := m.top().View()
	if m.showHelp {
		hk := helpKeys{screen: m.top(), global: m.keys}
		m.help.ShowAll = true
		body = st.HelpBox.Render(m.help.View(hk))
	}
	body = fit(body, m.width, m.ctx.Height)
	v.SetContent(m.header() + "\n" + body + "\n" + m.statusLine())
	return v
}
