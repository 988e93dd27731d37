package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// between is a store whose replication says "no primary" at will: the
// stand-in for PostgreSQL during a failover, whose real run is
// TestFailoverLosesNoAcknowledgedNote; here only the status line is tested.
type between struct {
	oncall.Store
	mu    sync.Mutex
	since time.Time
}

func (b *between) NoPrimarySince() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.since
}

func (b *between) set(t time.Time) {
	b.mu.Lock()
	b.since = t
	b.mu.Unlock()
}

// While no primary answers, every member sees the journal read-only and
// since when; once a primary is back (the store's next change), the line goes.
func TestStatusLineSaysReadOnlyWithoutPrimary(t *testing.T) {
	st, me := testStore(t)
	b := &between{Store: st}
	b.set(testNow.Add(-12 * time.Second))
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: b, Me: me, Now: func() time.Time { return testNow }, Tick: time.Hour})
	tm := teatestModel(t, m, 160, 30)
	waitScreen(t, tm, "read-only: no primary since 12s · writes wait")

	b.set(time.Time{})
	other, err := sqlite.Open(context.Background(), st.Describe())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AddMember(context.Background(), oncall.Member{Handle: "noa", Name: "Noa", TZ: "Europe/Brussels"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(tm.rec.frames.Last(), "read-only") {
		if time.Now().After(deadline) {
			t.Fatalf("read-only still shown with a primary back:\n%s", tm.rec.frames.Last())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
