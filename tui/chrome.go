package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// The chrome around the active screen: tabs and breadcrumbs above, the
// status line below.

const headerHeight, statusHeight = 2, 1

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

func (m *Model) layout() {
	m.ctx.Width = m.width
	m.ctx.Height = max(m.height-headerHeight-statusHeight, 1)
}

// header is the tabs, then the breadcrumbs of the active stack with the
// filter or command being typed.
func (m *Model) header() string {
	return m.tabsLine() + "\n" + m.crumbLine()
}

func (m *Model) tabsLine() string {
	st := m.ctx.Styles
	// Four densities, the first that fits wins: padded tabs, tabs without
	// padding, inactive tabs with their names cut short, then inactive tabs
	// by number only (narrow terminals). The tenth tab's key is 0.
	render := func(density int) (string, [][2]int) {
		parts := []string{st.Title.Render("entretien")}
		spans := make([][2]int, len(m.tabs))
		x := ansi.StringWidth(parts[0]) + 1
		for i, stack := range m.tabs {
			name := sanitize.Line(stack[0].screen.Title())
			label := fmt.Sprintf("%d %s", (i+1)%10, name)
			var part string
			switch {
			case i == m.active:
				part = st.TabActive.Render(label)
			case density == 0:
				part = st.Tab.Render(label)
			case density == 1:
				part = st.Tab.Padding(0).Render(label)
			case density == 2:
				part = st.Tab.Padding(0).Render(fmt.Sprintf("%d %s", (i+1)%10, ansi.Truncate(name, 6, "…")))
			default:
				part = st.Tab.Padding(0).Render(fmt.Sprint((i + 1) % 10))
			}
			w := ansi.StringWidth(part)
			spans[i] = [2]int{x, x + w}
			x += w + 1
			parts = append(parts, part)
		}
		return strings.Join(parts, " "), spans
	}
	line, spans := render(0)
	for d := 1; d <= 3 && ansi.StringWidth(line) > m.width; d++ {
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
	// A replicated store between primaries: reads from a standby, writes
	// wait. First: it matters more than anything after it.
	if since := oncall.ReadOnlySince(m.ctx.Store); !since.IsZero() {
		left = append(left, st.Warn.Render("read-only: no primary since "+common.Ago(now.Sub(since))+" · writes wait"))
	}
	if m.snap != nil {
		left = append(left, backend(st, "nomad", m.snap.Nomad.Health, now), backend(st, "consul", m.snap.Consul.Health, now))
	}
	if m.err != nil {
		left = append(left, st.Crit.Render("db: "+sanitize.Line(m.err.Error())))
	}
	if len(m.unreached) > 0 {
		left = append(left, st.Crit.Render("paging reached nobody about "+sanitize.Line(strings.Join(m.unreached, ", "))))
	}
	if n := noticeLine(m.notices); n != "" {
		left = append(left, st.Warn.Render(sanitize.Line(n)))
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
