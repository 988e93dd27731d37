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
func (m *Model) push(s common.Screen) tea.Cmd { return m.pushOn(m.active, s) }

// pushOn opens s on tab's stack.
func (m *Model) pushOn(tab int, s common.Screen) tea.Cmd {
	if s == nil || tab < 0 || tab >= len(m.tabs) {
		return nil
	}
	stack := append(m.tabs[tab], entry{screen: s})
	m.tabs[tab] = stack
	init := s.Init()
	var cmd tea.Cmd
	if m.snap != nil {
		stack[len(stack)-1].screen, cmd = s.Update(common.SnapshotMsg{Snap: m.snap})
	}
	return tea.Batch(init, cmd)
}

// pushOnMsg is a screen's PushMsg bound to the tab it came from: a screen
// that loads before it opens (an incident from the store) opens where the
// member asked for it, even if they switched tabs meanwhile.
type pushOnMsg struct {
	tab int
	common.PushMsg
}

// fromTab binds the PushMsgs cmd will produce to tab.
func fromTab(tab int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case common.PushMsg:
			return pushOnMsg{tab: tab, PushMsg: msg}
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(msg))
			for i, c := range msg {
				out[i] = fromTab(tab, c)
			}
			return out
		default:
			return msg
		}
	}
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
