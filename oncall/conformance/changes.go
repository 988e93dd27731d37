package conformance

import (
	"context"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Changes tells of commits by this store and by another on the same
// database (another member's process); a refused write tells nothing; the
// channel closes when its context ends.
func testChanges(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)
	other := again(t, st)
	cctx, cancel := context.WithCancel(ctx)
	ch := st.Changes(cctx)
	noChange(t, ch, 300*time.Millisecond, "nothing was written")

	mustMember(t, other, "lucas", "Europe/Paris")
	wantChange(t, ch, 5*time.Second, "another store's write")
	mustMember(t, st, "amelie", "Europe/Paris")
	wantChange(t, ch, 5*time.Second, "the store's own write")
	if _, err := other.AddMember(ctx, oncall.Member{Handle: "x", Name: "x", TZ: "Nowhere/Else"}); err == nil {
		t.Fatal("bad tz accepted")
	}
	noChange(t, ch, 600*time.Millisecond, "a refused write")

	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("Changes not closed after its context ended")
		}
	}
}
