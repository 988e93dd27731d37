package tui

import (
	"context"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/oncall"
)

// A write by another store (another member's process) is seen through the
// store's Changes: the clock poll is set to an hour, so only they can bring
// it on screen.
// On PostgreSQL they come by NOTIFY, with no polling at all.
func TestWriteFromAnotherStoreWakesTheTUI(t *testing.T) {
	backends.ForEach(t, testWriteFromAnotherStoreWakesTheTUI)
}

func testWriteFromAnotherStoreWakesTheTUI(t *testing.T, be backends.Backend) {
	st, me := testStoreOn(t, be)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }, Tick: time.Hour})
	tm := teatestModel(t, m, 100, 30)
	tm.Type("2")
	waitScreen(t, tm, "Open incidents", "guichet check failing")
	if m.changes == nil {
		t.Fatal("the root does not follow the store's changes")
	}
	other := be.Again(t, st)
	for _, title := range []string{"uplink down in bruxelles", "disk full in lyon"} {
		if _, err := other.OpenIncident(context.Background(), "lucas", oncall.NewIncident{Title: title, Severity: 1}); err != nil {
			t.Fatal(err)
		}
		// The second write proves the wait is re-armed after a wake.
		waitScreen(t, tm, title)
	}
}

// The clock poll lands just past the next minute (the clock reload then
// lands on it), or every Tick when set.
func TestClockPollPeriod(t *testing.T) {
	m := &Model{}
	now := time.Date(2026, 12, 2, 1, 30, 40, 0, time.UTC)
	if got, want := m.pollEvery(now), 20*time.Second+5*time.Millisecond; got != want {
		t.Errorf("at :40: %v, want %v", got, want)
	}
	m.tick = 50 * time.Millisecond
	if got := m.pollEvery(now); got != m.tick {
		t.Errorf("Tick set: %v, want %v", got, m.tick)
	}
}
