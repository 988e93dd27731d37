// Package tui is entretien's root model: it routes messages to screens,
// holds focus and the global keys, and lays out the header, the active
// screen and the status line. Screens live in views/.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
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
	Store  *oncall.Store
	Me     oncall.Member
	MeErr  error
	Now    func() time.Time // default time.Now
	// Tick is how often the shared database is checked for changes made by
	// other members (one cheap PRAGMA); default 1s.
	Tick time.Duration
	// Cluster fetches details on demand (allocation, logs); default: the
	// Source when it implements common.Cluster (a *sources.Watcher does).
	Cluster common.Cluster
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
	tick          time.Duration
	err           error

	// A database poll that found nothing new redraws nothing: the last
	// frame is reused, except every quietRedraw polls so that ages ("12s
	// ago", "stale 2m") keep moving. Most of an idle session's CPU was
	// rebuilding an identical frame every second.
	reuse      bool
	quietPolls int
	last       *tea.View

	tabSpans [][2]int // columns [from, to) of each tab label as last drawn, for clicks
}

const quietRedraw = 10

func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	if o.Cluster == nil {
		o.Cluster, _ = o.Source.(common.Cluster)
	}
	ctx := &common.Context{
		Styles:  theme.New(true),
		Store:   o.Store,
		Me:      o.Me,
		MeErr:   o.MeErr,
		Now:     o.Now,
		Cluster: o.Cluster,
	}
	m := &Model{
		ctx:    ctx,
		source: o.Source,
		keys:   DefaultKeyMap(),
		help:   help.New(),
		tick:   o.Tick,
	}
	for _, s := range topLevel(ctx) {
		m.tabs = append(m.tabs, []entry{{screen: s}})
	}
	m.snap = o.Source.Snapshot()
	// The version the screens' first loads start from, read before them:
	// a write landing before the first poll is then seen as a change.
	if o.Store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		m.storeVersion, _ = o.Store.DataVersion(ctx) // 0 on error: the first poll reloads
		cancel()
	}
	return m
}

// Msgs private to the root.
type (
	updateMsg struct{}
	tickMsg   struct {
		now     time.Time
		version int64
		err     error
	}
)

func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.waitUpdate(), m.tickCmd()}
	for _, stack := range m.tabs {
		cmds = append(cmds, stack[0].screen.Init())
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

func (m *Model) tickCmd() tea.Cmd {
	st := m.ctx.Store
	return tea.Tick(m.tick, func(now time.Time) tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		v, err := st.DataVersion(ctx)
		return tickMsg{now: now, version: v, err: err}
	})
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
		return m, tea.Batch(m.waitUpdate(), m.broadcast(common.SnapshotMsg{Snap: m.snap}))
	case tickMsg:
		cmds := []tea.Cmd{m.tickCmd()}
		changed := errText(m.err) != errText(msg.err)
		m.err = msg.err
		// Another member wrote, or a minute passed (who is on call now is
		// a function of the clock).
		if msg.err == nil && (msg.version != m.storeVersion || msg.now.Sub(m.lastRefresh) >= time.Minute) {
			// lastRefresh is zero at the first poll: screens loaded at Init
			// then, so only a version that moved since New reloads them.
			reload := msg.version != m.storeVersion || !m.lastRefresh.IsZero()
			m.storeVersion, m.lastRefresh = msg.version, msg.now
			changed = true
			if reload {
				cmds = append(cmds, m.broadcast(common.StoreChangedMsg{Now: msg.now}))
			}
		}
		if m.quietPolls++; !changed && m.quietPolls < quietRedraw {
			m.reuse = true
		} else {
			m.quietPolls = 0
		}
		return m, tea.Batch(cmds...)
	case common.ErrMsg:
		m.err = msg.Err
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseClickMsg:
		return m, m.click(msg)
	case tea.MouseMsg:
		// The mouse acts on what is under it: the screen on top.
		return m, m.updateTop(msg)
	case common.PushMsg:
		return m, m.push(msg.Screen)
	case common.PopMsg:
		m.pop()
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

// click: on a tab, go to it; in the body, the screen gets the click with
// its own coordinates (row 0 is its first line).
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd {
	m.notice = ""
	if m.showHelp || m.mode != modeNormal || msg.Button != tea.MouseLeft {
		return nil
	}
	switch {
	case msg.Y == 0:
		for i, sp := range m.tabSpans {
			if msg.X >= sp[0] && msg.X < sp[1] {
				m.active = i
			}
		}
		return nil
	case msg.Y >= headerHeight && msg.Y < headerHeight+m.ctx.Height:
		msg.Y -= headerHeight
		return m.updateTop(msg)
	}
	return nil
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
		if i := int(msg.Code - '1'); i >= 0 && i < len(m.tabs) {
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
			m.setFilter("")
			return nil
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
	return cmd
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

const headerHeight, statusHeight = 2, 1

func (m *Model) layout() {
	m.ctx.Width = m.width
	m.ctx.Height = max(m.height-headerHeight-statusHeight, 1)
}

func (m *Model) View() tea.View {
	if m.reuse && m.last != nil {
		return *m.last
	}
	v := m.render()
	m.last = &v
	return v
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
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

// header is the tabs, then the breadcrumbs of the active stack with the
// filter or command being typed.
func (m *Model) header() string {
	return m.tabsLine() + "\n" + m.crumbLine()
}

func (m *Model) tabsLine() string {
	st := m.ctx.Styles
	// Three densities, the first that fits wins: padded tabs, tabs without
	// padding, then inactive tabs by number only (narrow terminals).
	render := func(density int) (string, [][2]int) {
		parts := []string{st.Title.Render("entretien")}
		spans := make([][2]int, len(m.tabs))
		x := ansi.StringWidth(parts[0]) + 1
		for i, stack := range m.tabs {
			label := fmt.Sprintf("%d %s", i+1, sanitize.Line(stack[0].screen.Title()))
			var part string
			switch {
			case i == m.active:
				part = st.TabActive.Render(label)
			case density == 0:
				part = st.Tab.Render(label)
			case density == 1:
				part = st.Tab.Padding(0).Render(label)
			default:
				part = st.Tab.Padding(0).Render(fmt.Sprint(i + 1))
			}
			w := ansi.StringWidth(part)
			spans[i] = [2]int{x, x + w}
			x += w + 1
			parts = append(parts, part)
		}
		return strings.Join(parts, " "), spans
	}
	line, spans := render(0)
	for d := 1; d <= 2 && ansi.StringWidth(line) > m.width; d++ {
		line, spans = render(d)
	}
	m.tabSpans = spans
	return ansi.Truncate(line, m.width, "…")
}

func (m *Model) crumbLine() string {
	st := m.ctx.Styles
	stack := m.tabs[m.active]
	var crumbs []string
	for i, e := range stack {
		t := sanitize.Line(e.screen.Title())
		if i == len(stack)-1 {
			crumbs = append(crumbs, st.Bold.Render(t))
		} else {
			crumbs = append(crumbs, st.Crumb.Render(t))
		}
	}
	left := strings.Join(crumbs, st.Crumb.Render(" › "))
	var right string
	switch {
	case m.mode == modeFilter:
		right = st.Key.Render("/") + sanitize.Line(m.input) + "█"
	case m.mode == modeCommand:
		right = st.Key.Render(":") + sanitize.Line(m.input) + "█"
	case m.notice != "":
		right = st.Warn.Render(sanitize.Line(m.notice))
	case m.topEntry().filter != "":
		right = st.Muted.Render("filter ") + st.Key.Render("/"+sanitize.Line(m.topEntry().filter))
	}
	if m.ctx.Site != "" {
		right += st.Muted.Render("  site ") + st.Key.Render(sanitize.Line(m.ctx.Site))
	}
	if right == "" && len(stack) == 1 {
		right = st.Muted.Render("enter opens · / filters · : commands · ? help")
	}
	if right == "" {
		return ansi.Truncate(left, m.width, "…")
	}
	// The input stays visible; the breadcrumbs give way.
	rw := ansi.StringWidth(right)
	if rw > m.width {
		return ansi.TruncateLeft(right, rw-m.width, "…")
	}
	left = ansi.Truncate(left, max(m.width-rw-2, 0), "…")
	gap := max(m.width-ansi.StringWidth(left)-rw, 1)
	return left + strings.Repeat(" ", gap) + right
}

// statusLine says which Nomad and Consul entretien follows and whether the
// data is current, who you are, and the last error.
func (m *Model) statusLine() string {
	st := m.ctx.Styles
	now := m.ctx.Now()
	var left []string
	if m.snap != nil {
		left = append(left, backend(st, "nomad", m.snap.Nomad.Health, now), backend(st, "consul", m.snap.Consul.Health, now))
	}
	if m.err != nil {
		left = append(left, st.Crit.Render("db: "+sanitize.Line(m.err.Error())))
	}
	right := "you: " + st.Bold.Render(sanitize.Line(m.ctx.Me.Handle))
	if m.ctx.Me.Handle == "" {
		right = st.Warn.Render("you: not a member")
	}
	right += st.Muted.Render("  ? help")
	l := strings.Join(left, st.Muted.Render("  │  "))
	gap := m.width - 2 - ansi.StringWidth(l) - ansi.StringWidth(right)
	if gap < 1 {
		l = ansi.Truncate(l, max(m.width-2-ansi.StringWidth(right)-1, 0), "…")
		gap = max(m.width-2-ansi.StringWidth(l)-ansi.StringWidth(right), 1)
	}
	return st.StatusBar.Width(m.width).Render(l + strings.Repeat(" ", gap) + right)
}

func backend(st *theme.Styles, name string, h sources.Health, now time.Time) string {
	addr := sanitize.Line(h.Addr)
	switch h.State() {
	case sources.Unreachable:
		return st.Crit.Render(name+" unreachable") + " " + st.Muted.Render(addr)
	case sources.StaleData:
		return st.Stale.Render(fmt.Sprintf("%s stale %s", name, common.Ago(h.Age(now)))) + " " + st.Muted.Render(addr)
	case sources.Connecting:
		return st.Muted.Render(name + " connecting " + addr)
	}
	return st.OK.Render(name+" ok") + " " + st.Muted.Render(addr)
}

// fit pads or cuts s to exactly h lines of at most w cells, so the status
// line stays at the bottom and nothing wraps.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
