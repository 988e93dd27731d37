package tui

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/views/common"
)

// entry is one level of a navigation stack: a screen and the filter the
// member typed on it (restored when coming back with esc).
type entry struct {
	screen common.Screen
	filter string
}

type mode int

const (
	modeNormal mode = iota
	modeFilter
	modeCommand
)

func (m *Model) topEntry() *entry {
	stack := m.tabs[m.active]
	return &stack[len(stack)-1]
}

func (m *Model) top() common.Screen { return m.topEntry().screen }

// push opens s on the active stack with the current snapshot and site.
func (m *Model) push(s common.Screen) tea.Cmd {
	if s == nil {
		return nil
	}
	m.tabs[m.active] = append(m.tabs[m.active], entry{screen: s})
	init := s.Init()
	var cmd tea.Cmd
	if m.snap != nil {
		m.topEntry().screen, cmd = s.Update(common.SnapshotMsg{Snap: m.snap})
	}
	return tea.Batch(init, cmd)
}

// pop closes the screen on top (it may hold a log stream) and shows the
// one below; the root of a stack stays.
func (m *Model) pop() {
	stack := m.tabs[m.active]
	if len(stack) < 2 {
		return
	}
	closeScreen(stack[len(stack)-1].screen)
	m.tabs[m.active] = stack[:len(stack)-1]
	m.mode = modeNormal
}

func closeScreen(s common.Screen) {
	if c, ok := s.(common.Closer); ok {
		c.Close()
	}
}

// jump shows the top-level screen named title (or an alias, or a unique
// prefix), back at its root.
func (m *Model) jump(title string) bool {
	title = strings.ToLower(strings.TrimSpace(title))
	if a, ok := aliases[title]; ok {
		title = a
	}
	found := -1
	for i, stack := range m.tabs {
		t := stack[0].screen.Title()
		if t == title {
			found = i
			break
		}
		if strings.HasPrefix(t, title) && title != "" {
			if found >= 0 {
				return false // ambiguous
			}
			found = i
		}
	}
	if found < 0 {
		return false
	}
	for _, e := range m.tabs[found][1:] {
		closeScreen(e.screen)
	}
	m.tabs[found] = m.tabs[found][:1]
	m.active = found
	return true
}

func (m *Model) setFilter(q string) {
	e := m.topEntry()
	e.filter = q
	if f, ok := e.screen.(common.Filterable); ok {
		f.SetFilter(q)
	}
}

// filterKey edits the live filter: each keystroke narrows the list.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		m.setFilter("")
		return nil
	case "enter":
		m.mode = modeNormal
		return nil
	case "up", "down", "pgup", "pgdown":
		return m.updateTop(msg)
	case "backspace":
		m.input = dropLastRune(m.input)
	case "ctrl+u":
		m.input = ""
	default:
		if msg.Text == "" {
			return nil
		}
		m.input += msg.Text
	}
	m.setFilter(m.input)
	return nil
}

func (m *Model) commandKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
	case "enter":
		m.mode = modeNormal
		return m.run(m.input)
	case "backspace":
		if m.input == "" {
			m.mode = modeNormal
		}
		m.input = dropLastRune(m.input)
	default:
		m.input += msg.Text
	}
	return nil
}

func dropLastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[:len(s)-n]
}

// run executes a `:` command: a screen title, `site <name>` or `q`.
func (m *Model) run(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	switch cmd := strings.ToLower(fields[0]); cmd {
	case "q", "quit":
		return tea.Quit
	case "site":
		site := ""
		if len(fields) > 1 && fields[1] != "all" && fields[1] != "*" {
			site = fields[1]
		}
		if site != "" && !m.knownSite(site) {
			m.notice = fmt.Sprintf("unknown site %q (%s)", site, strings.Join(m.siteNames(), ", "))
			return nil
		}
		m.ctx.Site = site
		return m.broadcast(common.SiteMsg{Site: site})
	default:
		if !m.jump(cmd) {
			m.notice = fmt.Sprintf("unknown command %q (try :nodes, :jobs, :services, :site lyon, :q)", cmd)
		}
	}
	return nil
}

func (m *Model) siteNames() []string {
	var names []string
	if m.snap != nil {
		for _, s := range m.snap.Sites {
			names = append(names, s.Name)
		}
	}
	return names
}

func (m *Model) knownSite(site string) bool { return slices.Contains(m.siteNames(), site) }
