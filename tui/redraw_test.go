package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// A database poll that finds nothing new reuses the last frame (an idle
// session must not rebuild the screen every second), but every tenth one
// redraws so ages keep moving, and anything else redraws at once.
func TestQuietPollsReuseTheFrame(t *testing.T) {
	st, me := testStore(t)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	// At the start of a minute: a new minute reloads (the clock moved).
	now := time.Now().Truncate(time.Minute)
	m.Update(tickMsg{now: now, version: 7}) // first poll: the version is new
	first := m.View().Content

	m.notice = "drawn" // a change no message announced: only a redraw shows it
	for i := 1; i < quietRedraw; i++ {
		m.Update(tickMsg{now: now.Add(time.Duration(i) * time.Second), version: 7})
		if got := m.View().Content; got != first {
			t.Fatalf("quiet poll %d redrew the frame", i)
		}
	}
	m.Update(tickMsg{now: now.Add(quietRedraw * time.Second), version: 7})
	if !strings.Contains(ansi.Strip(m.View().Content), "drawn") {
		t.Fatalf("the %dth quiet poll did not redraw", quietRedraw)
	}

	m.notice = "again"
	m.Update(tickMsg{now: now.Add(11 * time.Second), version: 8}) // another member wrote
	if !strings.Contains(ansi.Strip(m.View().Content), "again") {
		t.Fatal("a store change did not redraw")
	}
	m.notice = "key"
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	m.notice = "key"
	if !strings.Contains(ansi.Strip(m.View().Content), "key") {
		t.Fatal("a key did not redraw")
	}
}
