// Package logs follows a task's stdout or stderr live through Nomad's fs
// logs API, with pause and scroll.
package logs

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"entretien/internal/sanitize"
	"entretien/sources"
	"entretien/views/common"
)

// Tail is how much history is read when the stream opens; MaxLines bounds
// what is kept in memory.
const (
	Tail     = 64 << 10
	MaxLines = 5000
)

type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Follow, Pause, Stream key.Binding
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "oldest")),
		Follow:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "follow the end")),
		Pause:    key.NewBinding(key.WithKeys("p", "space"), key.WithHelp("p/space", "pause/follow")),
		Stream:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "stdout/stderr")),
	}
}

// Model is one task's log.
type Model struct {
	ctx         *common.Context
	keys        KeyMap
	alloc, task string
	stream      string // "stdout" or "stderr"
	lines       []string
	partial     []byte // an unfinished last line
	follow      bool   // stick to the end as lines arrive
	top         int    // first line drawn when not following
	unseen      int    // lines arrived while paused
	err         error
	ended       bool
	cancel      context.CancelFunc
	gen         int // stream generation: chunks of an old stream are dropped
}

// chunkMsg carries one read of the stream; owner and gen route it.
type chunkMsg struct {
	owner *Model
	gen   int
	ch    <-chan sources.LogChunk
	chunk sources.LogChunk
	ok    bool
}

// New follows task's stream ("stdout" or "stderr") in allocation alloc.
func New(ctx *common.Context, alloc, task, stream string) *Model {
	return &Model{ctx: ctx, keys: DefaultKeyMap(), alloc: alloc, task: task, stream: stream, follow: true}
}

func (m *Model) Title() string   { return m.task + " " + m.stream }
func (m *Model) Capturing() bool { return false }
func (m *Model) Init() tea.Cmd   { return m.open() }

// Close stops the stream (the root calls it when the screen is popped).
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

func (m *Model) open() tea.Cmd {
	m.Close()
	m.gen++
	m.lines, m.partial, m.err, m.ended, m.unseen = nil, nil, nil, false, 0
	cl := m.ctx.Cluster
	if cl == nil {
		m.err = fmt.Errorf("no live cluster to read logs from")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	ch := cl.FollowLogs(ctx, m.alloc, m.task, m.stream, Tail)
	return read(m, m.gen, ch)
}

// read blocks (off the event loop) for the next chunk; the screen issues
// it again after each one (bubbletea's realtime idiom).
func read(owner *Model, gen int, ch <-chan sources.LogChunk) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-ch
		return chunkMsg{owner: owner, gen: gen, ch: ch, chunk: c, ok: ok}
	}
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case chunkMsg:
		if msg.owner != m || msg.gen != m.gen {
			return m, nil
		}
		if !msg.ok {
			m.ended = true
			return m, nil
		}
		if msg.chunk.Err != nil {
			m.err = msg.chunk.Err
			return m, read(m, msg.gen, msg.ch)
		}
		m.add(msg.chunk.Data)
		return m, read(m, msg.gen, msg.ch)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
	case tea.KeyPressMsg:
		page := max(m.bodyHeight()-1, 1)
		switch {
		case key.Matches(msg, m.keys.Up):
			m.scroll(-1)
		case key.Matches(msg, m.keys.Down):
			m.scroll(1)
		case key.Matches(msg, m.keys.PageUp):
			m.scroll(-page)
		case key.Matches(msg, m.keys.PageDown):
			m.scroll(page)
		case key.Matches(msg, m.keys.Top):
			m.follow, m.top = false, 0
		case key.Matches(msg, m.keys.Follow):
			m.follow, m.unseen = true, 0
		case key.Matches(msg, m.keys.Pause):
			if m.follow {
				m.follow, m.top = false, m.lastTop()
			} else {
				m.follow, m.unseen = true, 0
			}
		case key.Matches(msg, m.keys.Stream):
			m.stream = map[string]string{"stdout": "stderr", "stderr": "stdout"}[m.stream]
			return m, m.open()
		}
	}
	return m, nil
}

// add splits data into sanitised lines, keeping at most MaxLines.
func (m *Model) add(data []byte) {
	data = append(m.partial, data...)
	parts := bytes.Split(data, []byte("\n"))
	m.partial = append([]byte(nil), parts[len(parts)-1]...)
	n := 0
	for _, p := range parts[:len(parts)-1] {
		m.lines = append(m.lines, sanitize.Line(strings.TrimRight(string(p), "\r")))
		n++
	}
	if !m.follow {
		m.unseen += n
	}
	if drop := len(m.lines) - MaxLines; drop > 0 {
		m.lines = append([]string(nil), m.lines[drop:]...)
		m.top = max(m.top-drop, 0)
	}
}

// all is the lines plus the unfinished last one.
func (m *Model) all() []string {
	if len(m.partial) == 0 {
		return m.lines
	}
	return append(m.lines[:len(m.lines):len(m.lines)], sanitize.Line(string(m.partial)))
}

func (m *Model) bodyHeight() int { return max(m.ctx.Height-1, 1) }

func (m *Model) lastTop() int { return max(len(m.all())-m.bodyHeight(), 0) }

func (m *Model) scroll(d int) {
	if m.follow {
		m.follow, m.top = false, m.lastTop()
	}
	m.top = max(min(m.top+d, m.lastTop()), 0)
	if d > 0 && m.top == m.lastTop() {
		m.follow, m.unseen = true, 0
	}
}

func (m *Model) View() string {
	st := m.ctx.Styles
	lines := m.all()
	h := m.bodyHeight()
	top := m.top
	if m.follow {
		top = m.lastTop()
	}
	top = max(min(top, m.lastTop()), 0)
	state := st.OK.Render("following")
	switch {
	case m.err != nil:
		state = st.Crit.Render("error: ") + st.Muted.Render(sanitize.Line(m.err.Error()))
	case m.ended:
		state = st.Muted.Render("stream ended")
	case !m.follow:
		state = st.Warn.Render("paused")
		if m.unseen > 0 {
			state += st.Muted.Render(fmt.Sprintf(" (%d new lines, G follows)", m.unseen))
		}
	}
	head := st.Bold.Render(sanitize.Line(m.task)) + " " + st.Key.Render(m.stream) +
		st.Muted.Render(" · alloc "+common.ShortID(sanitize.Line(m.alloc))+" · ") + state +
		st.Muted.Render(fmt.Sprintf(" · lines %d-%d of %d", min(top+1, len(lines)), min(top+h, len(lines)), len(lines)))
	var b strings.Builder
	b.WriteString(head)
	if len(lines) == 0 && m.err == nil {
		b.WriteString("\n" + st.Muted.Render("(no output yet)"))
	}
	for _, l := range lines[top:min(top+h, len(lines))] {
		b.WriteByte('\n')
		b.WriteString(l)
	}
	return b.String()
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Pause, m.keys.Stream, m.keys.Follow}
}

func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.PageUp, m.keys.PageDown, m.keys.Top, m.keys.Follow}, {m.keys.Pause, m.keys.Stream}}
}
