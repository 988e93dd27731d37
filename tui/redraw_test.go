package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/sources"
)

// A database poll that finds nothing new reuses the last frame (an idle
// session must not rebuild the screen), however many polls; anything else
// redraws at once. Ages move by their own timer (TestAgesMoveByTheirTimer).
func TestQuietPollsReuseTheFrame(t *testing.T) {
	st, me := testStore(t)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	// At the start of a minute: a new minute reloads (the clock moved).
	now := time.Now().Truncate(time.Minute)
	m.Update(tickMsg{now: now, version: 7}) // first poll: the version is new
	first := m.View().Content

	m.notice = "drawn" // a change no message announced: only a redraw shows it
	for i := 1; i < 50; i++ {
		m.Update(tickMsg{now: now.Add(time.Duration(i) * time.Second), version: 7, wake: i%2 == 0})
		if got := m.View().Content; got != first {
			t.Fatalf("quiet poll %d redrew the frame", i)
		}
	}

	m.notice = "again"
	m.Update(tickMsg{now: now.Add(51 * time.Second), version: 8}) // another member wrote
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

// An age on screen ("nomad stale 5s") moves with no message at all: the
// frame arms a timer for the second it changes. A frame without ages arms
// none.
func TestAgesMoveByTheirTimer(t *testing.T) {
	st, me := testStore(t)
	snap := testSnapshot()
	start := time.Now()
	snap.Nomad.Health = sources.Health{Addr: "http://127.0.0.1:4646", Updated: start.Add(-5 * time.Second), Err: errors.New("connection refused")}
	snap.Consul.Health.Updated = start
	m := New(Options{Source: newStaticSource(snap), Store: st, Me: me, Tick: time.Hour})
	tm := teatestModel(t, m, 160, 30)
	waitScreen(t, tm, "nomad stale 5s")
	waitScreenFor(t, tm, 3*time.Second, "nomad stale 6s")
	waitScreenFor(t, tm, 3*time.Second, "nomad stale 7s")

	// Without ages: no timer.
	quiet := testSnapshot()
	q := New(Options{Source: newStaticSource(quiet), Store: st, Me: me, Now: func() time.Time { return testNow }})
	q.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	q.View()
	if !q.ageDue.IsZero() {
		t.Errorf("a frame without ages set a timer for %v", q.ageDue)
	}
	// With one in minutes ("stale 3m" at 3m20s): the timer is for the
	// next minute, 40 s away, not the next second.
	aged := testSnapshot()
	aged.Nomad.Health.Err, aged.Nomad.Health.Updated = errors.New("refused"), testNow.Add(-3*time.Minute-20*time.Second)
	a := New(Options{Source: newStaticSource(aged), Store: st, Me: me, Now: func() time.Time { return testNow }})
	a.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	before := time.Now()
	if v := ansi.Strip(a.View().Content); !strings.Contains(v, "nomad stale 3m") {
		t.Fatalf("no stale age drawn:\n%s", v)
	}
	if d := a.ageDue.Sub(before); d < 39*time.Second || d > 41*time.Second {
		t.Errorf("age timer in %v, want 40s", d)
	}
}
