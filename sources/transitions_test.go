package sources

import (
	"testing"
	"time"
)

// TestTransitionsNeverBlock: a subscriber that never reads costs drops,
// never a stalled watcher; others still get everything; unsubscribing
// closes the channel.
func TestTransitionsNeverBlock(t *testing.T) {
	f := newFakeNomad()
	w, _ := startFaultWatcher(t, f, "", 300*time.Millisecond)
	waitSnap(t, w, "first data", func(s *Snapshot) bool { return len(s.Nomad.Jobs) == 1 })
	stuck, unsubStuck := w.SubscribeTransitions(1)
	good, unsubGood := w.SubscribeTransitions(64)
	defer unsubGood()
	for i := range 5 {
		f.set(func(f *fakeNomad) { f.addJob(string(rune('a' + i))) })
		// Each event is its own publish (publishEvery is 5 ms here).
		waitSnap(t, w, "job published", func(s *Snapshot) bool { return len(s.Nomad.Jobs) == 2+i })
	}
	got := map[string]bool{}
	for len(got) < 5 {
		select {
		case tr := <-good:
			got[tr.Subject] = true
		case <-time.After(3 * time.Second):
			t.Fatalf("reader got %v, want 5 job transitions", got)
		}
	}
	if d := w.DroppedTransitions(); d < 4 {
		t.Errorf("dropped = %d, want >= 4 (stuck subscriber with buffer 1)", d)
	}
	unsubStuck()
	unsubStuck() // twice is fine
	<-stuck      // the one buffered transition
	if _, ok := <-stuck; ok {
		t.Error("channel not closed after unsubscribe")
	}
}
