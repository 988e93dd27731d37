package tui

import (
	"context"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// A write by another store (another member's process) is seen through the
// file watch: the fallback poll is set to an hour, so only the watch can
// bring it on screen.
func TestWriteFromAnotherStoreWakesTheTUI(t *testing.T) {
	st, me := testStore(t)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }, Tick: time.Hour})
	tm := teatestModel(t, m, 100, 30)
	tm.Type("2")
	waitScreen(t, tm, "Open incidents", "guichet check failing")
	if m.watch == nil {
		t.Fatal("no file watch on the database folder")
	}
	other, err := oncall.Open(context.Background(), st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, title := range []string{"uplink down in bruxelles", "disk full in lyon"} {
		if _, err := other.OpenIncident(context.Background(), "lucas", oncall.NewIncident{Title: title, Severity: 1}); err != nil {
			t.Fatal(err)
		}
		// The second write proves the watch is re-armed after a wake.
		waitScreen(t, tm, title)
	}
}

// Without a watch the fallback poll runs every second; with one, it waits
// for the next minute (just past it, so the clock reload lands on it).
func TestFallbackPollPeriod(t *testing.T) {
	m := &Model{}
	if got := m.pollEvery(time.Now()); got != fastPoll {
		t.Errorf("without a watch: %v, want %v", got, fastPoll)
	}
	m.watch = &dbWatch{}
	now := time.Date(2026, 12, 2, 1, 30, 40, 0, time.UTC)
	if got, want := m.pollEvery(now), 20*time.Second+5*time.Millisecond; got != want {
		t.Errorf("with a watch at :40: %v, want %v", got, want)
	}
	m.tick = 50 * time.Millisecond
	if got := m.pollEvery(now); got != m.tick {
		t.Errorf("Tick set: %v, want %v", got, m.tick)
	}
}
