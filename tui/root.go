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

	"entretien/internal/sanitize"
	"entretien/oncall"
	"entretien/sources"
	"entretien/views/common"
	"entretien/views/incidents"
	"entretien/views/overview"
	"entretien/views/rota"
	"entretien/views/theme"
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
}

// Model is the root model.
type Model struct {
	ctx     *common.Context
	source  Source
	keys    KeyMap
	help    help.Model
	screens []common.Screen
	active  int

	showHelp      bool
	width, height int
	snap          *sources.Snapshot
	storeVersion  int64
	lastRefresh   time.Time
	tick          time.Duration
	err           error
}

func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	ctx := &common.Context{
		Styles: theme.New(true),
		Store:  o.Store,
		Me:     o.Me,
		MeErr:  o.MeErr,
		Now:    o.Now,
	}
	m := &Model{
		ctx:    ctx,
		source: o.Source,
		keys:   DefaultKeyMap(),
		help:   help.New(),
		tick:   o.Tick,
		screens: []common.Screen{
			overview.New(ctx),
			rota.New(ctx),
			incidents.New(ctx),
		},
	}
	m.snap = o.Source.Snapshot()
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
	for _, s := range m.screens {
		cmds = append(cmds, s.Init())
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
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		*m.ctx.Styles = *theme.New(msg.IsDark())
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.layout()
		return m, nil
	case updateMsg:
		m.snap = m.source.Snapshot()
		return m, tea.Batch(m.waitUpdate(), m.broadcast(common.SnapshotMsg{Snap: m.snap}))
	case tickMsg:
		cmds := []tea.Cmd{m.tickCmd()}
		m.err = msg.err
		// Another member wrote, or a minute passed (who is on call now is
		// a function of the clock).
		if msg.err == nil && (msg.version != m.storeVersion || msg.now.Sub(m.lastRefresh) >= time.Minute) {
			first := m.storeVersion == 0
			m.storeVersion, m.lastRefresh = msg.version, msg.now
			if !first {
				cmds = append(cmds, m.broadcast(common.StoreChangedMsg{Now: msg.now}))
			}
		}
		return m, tea.Batch(cmds...)
	case common.ErrMsg:
		m.err = msg.Err
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	// Data messages (load results) go to every screen; each one keeps its own.
	return m, m.broadcast(msg)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	scr := m.screens[m.active]
	if scr.Capturing() {
		return m.updateScreen(m.active, msg)
	}
	if m.showHelp && (key.Matches(msg, m.keys.Help) || msg.String() == "esc") {
		m.showHelp = false
		m.layout()
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		m.layout()
		return nil
	case key.Matches(msg, m.keys.Next):
		m.active = (m.active + 1) % len(m.screens)
		return nil
	case key.Matches(msg, m.keys.Prev):
		m.active = (m.active + len(m.screens) - 1) % len(m.screens)
		return nil
	case key.Matches(msg, m.keys.Jump):
		if i := int(msg.Code - '1'); i >= 0 && i < len(m.screens) {
			m.active = i
		}
		return nil
	}
	return m.updateScreen(m.active, msg)
}

func (m *Model) updateScreen(i int, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.screens[i], cmd = m.screens[i].Update(msg)
	return cmd
}

func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.screens))
	for i := range m.screens {
		cmds = append(cmds, m.updateScreen(i, msg))
	}
	return tea.Batch(cmds...)
}

const headerHeight, statusHeight = 2, 1

func (m *Model) layout() {
	m.ctx.Width = m.width
	m.ctx.Height = max(m.height-headerHeight-statusHeight, 1)
}

func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "entretien"
	if m.width == 0 {
		v.SetContent("starting…")
		return v
	}
	st := m.ctx.Styles
	body := m.screens[m.active].View()
	if m.showHelp {
		hk := helpKeys{screen: m.screens[m.active], global: m.keys}
		m.help.ShowAll = true
		body = st.HelpBox.Render(m.help.View(hk))
	}
	body = fit(body, m.width, m.ctx.Height)
	v.SetContent(m.header() + "\n" + body + "\n" + m.statusLine())
	return v
}

func (m *Model) header() string {
	st := m.ctx.Styles
	parts := []string{st.Title.Render("entretien")}
	for i, s := range m.screens {
		label := fmt.Sprintf("%d %s", i+1, s.Title())
		if i == m.active {
			parts = append(parts, st.TabActive.Render(label))
		} else {
			parts = append(parts, st.Tab.Render(label))
		}
	}
	line := strings.Join(parts, " ")
	return ansi.Truncate(line, m.width, "…") + "\n"
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
	switch {
	case h.Err != nil && h.Updated.IsZero():
		return st.Crit.Render(name+" unreachable") + " " + st.Muted.Render(addr)
	case h.Err != nil:
		return st.Stale.Render(fmt.Sprintf("%s stale %s", name, common.Ago(h.Age(now)))) + " " + st.Muted.Render(addr)
	case h.Updated.IsZero():
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
