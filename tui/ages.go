package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Age timers: a frame showing ages ("12s ago", "stale 3m") is drawn again
// when the first of them would read differently (views/common records it
// while the frame is drawn), and a frame without any sets no timer. This
// replaces redrawing every tenth database poll: an idle TUI with no age on
// screen does not wake at all, and one showing "3h" wakes once an hour.

// ageMsg: an age on screen reads differently now.
type ageMsg struct{}

// armAges (from View) sets the timer to the next age change, or stops it.
func (m *Model) armAges(next time.Duration, ok bool) {
	if !ok {
		m.ageDue = time.Time{}
		if m.ageTimer != nil {
			m.ageTimer.Stop()
		}
		return
	}
	m.ageDue = time.Now().Add(next)
	if m.ageTimer == nil {
		wake := m.ageWake
		m.ageTimer = time.AfterFunc(next, func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		return
	}
	m.ageTimer.Reset(next)
}

// waitAge blocks (off the event loop) until the age timer fires; the root
// re-arms it after each one.
func (m *Model) waitAge() tea.Cmd {
	ch := m.ageWake
	return func() tea.Msg {
		<-ch
		return ageMsg{}
	}
}
