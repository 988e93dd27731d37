// Package logs follows a task's stdout or stderr live through Nomad's fs
// logs API, with pause, scroll and a live `/` filter.
package logs

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// Tail is how much history is read when the stream opens; MaxLines bounds
// what is kept in memory.
const (
	Tail     = 64 << 10
	MaxLines = 5000
)

// KeyMap embeds the shared navigation keys: g goes to the oldest line kept,
// G (Bottom) follows the end again.
type KeyMap struct {
	common.NavKeys
	Pause, Stream     key.Binding
	Left, Right, Home key.Binding
}

func DefaultKeyMap() KeyMap {
	nav := common.DefaultNavKeys()
	nav.Up.SetHelp("↑/k", "scroll up")
	nav.Down.SetHelp("↓/j", "scroll down")
	nav.Top.SetHelp("g", "oldest")
	nav.Bottom.SetHelp("G", "follow the end")
	return KeyMap{
		NavKeys: nav,
		Pause:   key.NewBinding(key.WithKeys("p", "space"), key.WithHelp("p/space", "pause/follow")),
		Stream:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "stdout/stderr")),
		Left:    key.NewBinding(key.WithKeys("h", "left"), key.WithHelp("←/h", "scroll left")),
		Right:   key.NewBinding(key.WithKeys("l", "right"), key.WithHelp("→/l", "scroll right (long lines)")),
		Home:    key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "first column")),
	}
}

// Model is one task's log.
type Model struct {
	ctx         *common.Context
	keys        KeyMap
	alloc, task string
	stream      string // "stdout" or "stderr"
	lines       []string
	first       int    // absolute number of lines[0] (older ones were dropped)
	partial     []byte // an unfinished last line
	partLine    string // partial, sanitised
	follow      bool   // stick to the end as lines arrive
	top         int    // first shown line drawn when not following
	xoff        int    // first column drawn: long lines scroll sideways, never wrap
	seen        int    // absolute line count when the member paused
	filter      string // lower-case; "" shows every line
	shownQuery  string // the filter as typed, for the header
	match       []int  // with a filter: absolute numbers of matching lines
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
	m.lines, m.first, m.partial, m.partLine, m.match, m.seen = nil, 0, nil, "", nil, 0
	m.err, m.ended = nil, false
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
			m.pause()
			m.top = 0
		case key.Matches(msg, m.keys.Bottom):
			m.follow = true
		case key.Matches(msg, m.keys.Pause):
			if m.follow {
				m.pause()
			} else {
				m.follow = true
			}
		case key.Matches(msg, m.keys.Left):
			m.xoff = max(m.xoff-m.hstep(), 0)
		case key.Matches(msg, m.keys.Right):
			m.xoff = min(m.xoff+m.hstep(), m.maxXoff())
		case key.Matches(msg, m.keys.Home):
			m.xoff = 0
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
	m.partLine = sanitize.Line(strings.TrimRight(string(m.partial), "\r"))
	for _, p := range parts[:len(parts)-1] {
		l := sanitize.Line(strings.TrimRight(string(p), "\r"))
		if m.filter != "" && matches(l, m.filter) {
			m.match = append(m.match, m.first+len(m.lines))
		}
		m.lines = append(m.lines, l)
	}
	if drop := len(m.lines) - MaxLines; drop > 0 {
		m.lines = append([]string(nil), m.lines[drop:]...)
		m.first += drop
		gone := drop
		if m.filter != "" {
			gone = m.matchesBefore(m.first)
			m.match = append([]int(nil), m.match[gone:]...)
		}
		m.top = max(m.top-gone, 0)
	}
}

// pause stops following where the view is, remembering how many lines
// there were so the header can count the new ones.
func (m *Model) pause() {
	if m.follow {
		m.follow, m.top = false, m.lastTop()
		m.seen = m.first + len(m.lines)
	}
}

// hstep is a sideways scroll: half the screen, as in less.
func (m *Model) hstep() int { return max(m.ctx.Width/2, 8) }

// maxXoff lets the longest line on screen end at the right edge.
func (m *Model) maxXoff() int {
	top, n, widest := m.viewTop(), m.shownLen(), 0
	for i := top; i < min(top+m.bodyHeight(), n); i++ {
		widest = max(widest, ansi.StringWidth(m.shown(i)))
	}
	return max(widest-m.ctx.Width+1, m.xoff, 0)
}

// viewTop is the first line drawn.
func (m *Model) viewTop() int {
	top := m.top
	if m.follow {
		top = m.lastTop()
	}
	return max(min(top, m.lastTop()), 0)
}

// cut is the part of line on screen: from column xoff, "…" where it
// goes on past the right edge.
func (m *Model) cut(line string) string {
	if m.ctx.Width <= 0 {
		return line
	}
	if m.xoff > 0 {
		line = ansi.Cut(line, m.xoff, ansi.StringWidth(line))
	}
	return ansi.Truncate(line, m.ctx.Width, "…")
}

func (m *Model) bodyHeight() int { return max(m.ctx.Height-1, 1) }

func (m *Model) lastTop() int { return max(m.shownLen()-m.bodyHeight(), 0) }

func (m *Model) scroll(d int) {
	m.pause()
	m.top = max(min(m.top+d, m.lastTop()), 0)
	if d > 0 && m.top == m.lastTop() {
		m.follow = true
	}
}

func (m *Model) View() string {
	st := m.ctx.Styles
	n := m.shownLen()
	h := m.bodyHeight()
	top := m.viewTop()
	state := st.OK.Render("following")
	switch {
	case m.err != nil:
		state = st.Crit.Render("error: ") + st.Muted.Render(sanitize.Line(m.err.Error()))
	case m.ended:
		state = st.Muted.Render("stream ended")
	case !m.follow:
		state = st.Warn.Render("paused")
		if u := m.unseen(); u > 0 {
			state += st.Muted.Render(fmt.Sprintf(" (%d new lines, G follows)", u))
		}
	}
	pos := st.Muted.Render(fmt.Sprintf(" · lines %d-%d of %d", min(top+1, n), min(top+h, n), n))
	if m.xoff > 0 {
		pos += st.Muted.Render(fmt.Sprintf(" · from column %d (0 back)", m.xoff+1))
	}
	if m.filter != "" {
		count := fmt.Sprintf(" · %d of %d lines", n, m.totalLen())
		if n > 0 {
			count += fmt.Sprintf(" · showing %d-%d", top+1, min(top+h, n))
		}
		pos = st.Muted.Render(" · filter: ") + st.Key.Render(m.shownQuery) + st.Muted.Render(count)
	}
	head := st.Bold.Render(sanitize.Line(m.task)) + " " + st.Key.Render(m.stream) +
		st.Muted.Render(" · alloc "+common.ShortID(sanitize.Line(m.alloc))+" · ") + state + pos
	var b strings.Builder
	b.WriteString(head)
	switch {
	case m.totalLen() == 0 && m.err == nil:
		b.WriteString("\n" + st.Muted.Render("(no output yet)"))
	case n == 0 && m.filter != "":
		b.WriteString("\n" + st.Muted.Render(fmt.Sprintf("(no line matches %q; esc clears the filter)", m.shownQuery)))
	}
	for i := top; i < min(top+h, n); i++ {
		b.WriteByte('\n')
		b.WriteString(m.cut(m.shown(i)))
	}
	return b.String()
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Pause, m.keys.Stream, m.keys.Bottom}
}

func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.PageUp, m.keys.PageDown, m.keys.Top, m.keys.Bottom},
		{m.keys.Left, m.keys.Right, m.keys.Home}, {m.keys.Pause, m.keys.Stream}}
}
