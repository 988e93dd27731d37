// Package screentest hosts one screen in a teatest program, the way the
// root (tui) does, for the screens' own tests: it sizes the screen through
// the shared Context, hands it a snapshot, polls the store's data version
// and broadcasts StoreChangedMsg, keeps a navigation stack (Push, Pop, esc)
// and records the frame drawn. Test tooling only: the binary never links it.
package screentest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/internal/frames"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// Options say what the hosted screen sees.
type Options struct {
	Store    *oncall.Store
	Me       oncall.Member
	MeErr    error
	Now      func() time.Time  // default time.Now
	Snapshot *sources.Snapshot // sent once at start when set
	Cluster  common.Cluster
	// Width and Height of the terminal; default 120×40.
	Width, Height int
	// Poll, when set, is how often the store's data version is read; a
	// change is broadcast as StoreChangedMsg, as the root does.
	Poll time.Duration
}

// Harness is the running program and what it draws.
type Harness struct {
	*teatest.TestModel
	Ctx *common.Context
	m   *model
}

// Start runs the screen newScreen builds on a Context made from o. q and
// ctrl+c quit unless the screen captures the keys.
func Start(t *testing.T, o Options, newScreen func(*common.Context) common.Screen) *Harness {
	t.Helper()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Width == 0 {
		o.Width, o.Height = 120, 40
	}
	ctx := &common.Context{Styles: theme.New(true), Store: o.Store, Me: o.Me, MeErr: o.MeErr, Now: o.Now, Cluster: o.Cluster}
	m := &model{ctx: ctx, stack: []common.Screen{newScreen(ctx)}, snap: o.Snapshot, poll: o.Poll}
	if o.Store != nil && o.Poll > 0 {
		m.ver, _ = o.Store.DataVersion(context.Background())
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(o.Width, o.Height),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	t.Cleanup(func() { tm.Quit() })
	return &Harness{TestModel: tm, Ctx: ctx, m: m}
}

// Frame is the last frame the screen on top drew, without styles.
func (h *Harness) Frame() string { return h.m.frames.Last() }

// Wait waits until the frame holds every want, and returns it.
func (h *Harness) Wait(t testing.TB, wants ...string) string {
	t.Helper()
	return h.m.frames.Wait(t, 5*time.Second, wants...)
}

// Raw is the last frame with its styles, to look for escape sequences.
func (h *Harness) Raw() string {
	if p := h.m.raw.Load(); p != nil {
		return *p
	}
	return ""
}

// Crumbs are the titles of the stack as last drawn: "incidents › #2 x".
func (h *Harness) Crumbs() string {
	if p := h.m.crumbs.Load(); p != nil {
		return *p
	}
	return ""
}

// WaitCapturing waits until the screen on top says it owns the keys (or not).
func (h *Harness) WaitCapturing(t testing.TB, want bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); h.m.capturing.Load() != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Capturing() stayed %v", !want)
		}
	}
}

// Final quits and returns what the screen on top draws last.
func (h *Harness) Final(t testing.TB) string {
	t.Helper()
	h.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	m := h.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*model)
	return m.top().View()
}

// Filter sets the screen's `/` filter, as the root does while the member
// types it (and runs what the screen loads for it).
func (h *Harness) Filter(q string) { h.Send(filterMsg{q}) }

// Key is a key press as the terminal sends it: "enter", "esc", "tab",
// "pgdown", "up", "down", "backspace", or one character.
func Key(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

type model struct {
	ctx   *common.Context
	stack []common.Screen
	snap  *sources.Snapshot
	poll  time.Duration
	ver   int64

	frames    frames.Recorder
	raw       atomic.Pointer[string]
	crumbs    atomic.Pointer[string]
	capturing atomic.Bool
}

type filterMsg struct{ q string }

type pollMsg struct {
	v   int64
	err error
}

func (m *model) top() common.Screen { return m.stack[len(m.stack)-1] }

func (m *model) pollCmd() tea.Cmd {
	if m.poll <= 0 || m.ctx.Store == nil {
		return nil
	}
	st := m.ctx.Store
	return tea.Tick(m.poll, func(time.Time) tea.Msg {
		v, err := st.DataVersion(context.Background())
		return pollMsg{v, err}
	})
}

func (m *model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.top().Init(), m.pollCmd()}
	if snap := m.snap; snap != nil {
		cmds = append(cmds, func() tea.Msg { return common.SnapshotMsg{Snap: snap} })
	}
	return tea.Batch(cmds...)
}

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		return m, nil
	case pollMsg:
		cmds := []tea.Cmd{m.pollCmd()}
		if msg.err == nil && msg.v != m.ver {
			m.ver = msg.v
			cmds = append(cmds, m.broadcast(common.StoreChangedMsg{Now: m.ctx.Now()}))
		}
		return m, tea.Batch(cmds...)
	case common.SnapshotMsg:
		m.snap = msg.Snap
	case common.PushMsg:
		m.stack = append(m.stack, msg.Screen)
		cmds := []tea.Cmd{msg.Screen.Init()}
		if m.snap != nil {
			var cmd tea.Cmd
			m.stack[len(m.stack)-1], cmd = msg.Screen.Update(common.SnapshotMsg{Snap: m.snap})
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case common.PopMsg:
		m.pop()
		return m, nil
	case filterMsg:
		if f, ok := m.top().(common.Filterable); ok {
			f.SetFilter(msg.q)
		}
		if r, ok := m.top().(common.Refiltered); ok {
			return m, r.Refiltered()
		}
		return m, nil
	case tea.KeyPressMsg:
		if !m.top().Capturing() {
			switch msg.String() {
			case "q", "ctrl+c":
				return m, tea.Quit
			case "esc":
				if len(m.stack) > 1 {
					m.pop()
					return m, nil
				}
			}
		} else if msg.String() == "ctrl+c" {
			return m, tea.Quit
		}
		return m, m.updateTop(msg)
	case tea.MouseMsg:
		return m, m.updateTop(msg)
	}
	return m, m.broadcast(msg)
}

func (m *model) pop() {
	if len(m.stack) < 2 {
		return
	}
	if c, ok := m.top().(common.Closer); ok {
		c.Close()
	}
	m.stack = m.stack[:len(m.stack)-1]
}

func (m *model) updateTop(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.stack[len(m.stack)-1], cmd = m.top().Update(msg)
	return cmd
}

// broadcast hands data messages to every screen of the stack, as the root
// does: each checks that the answer is its own.
func (m *model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, len(m.stack))
	for i := range m.stack {
		m.stack[i], cmds[i] = m.stack[i].Update(msg)
	}
	return tea.Batch(cmds...)
}

func (m *model) View() tea.View {
	s := m.top().View()
	titles := make([]string, len(m.stack))
	for i, scr := range m.stack {
		titles[i] = scr.Title()
	}
	crumbs := strings.Join(titles, " › ")
	m.raw.Store(&s)
	m.crumbs.Store(&crumbs)
	m.capturing.Store(m.top().Capturing())
	m.frames.Record(s)
	return tea.NewView(s)
}
