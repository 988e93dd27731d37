package tui

import (
	"strings"

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
