package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/views/common"
)

// A screen that opens another after a load (an incident read from the
// store) opens it on its own tab, even when the member switched tabs while
// it loaded (seen in tmux: a journal opened from the incidents tab landed
// on the jobs tab the member had just switched to).
func TestPushLandsOnTheTabItCameFrom(t *testing.T) {
	st, me := testStore(t)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }, Tick: time.Hour})
	incidents, jobs := 7, 3
	m.active = incidents
	pushed := m.tabs[0][0].screen
	cmd := fromTab(m.active, func() tea.Msg { return common.PushMsg{Screen: pushed} })
	m.active = jobs // the member pressed 4 while it loaded
	m.Update(cmd())
	if len(m.tabs[incidents]) != 2 || m.tabs[incidents][1].screen != pushed {
		t.Errorf("incidents stack has %d screens, want the pushed one on top", len(m.tabs[incidents]))
	}
	if len(m.tabs[jobs]) != 1 {
		t.Errorf("jobs stack has %d screens: the push landed on the tab switched to", len(m.tabs[jobs]))
	}
	if m.active != jobs {
		t.Errorf("the push moved the member to tab %d", m.active)
	}
}
