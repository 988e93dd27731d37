package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

func testRotaLeaveRemove(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := weeklyStore(t, open) // now: 20 March 2026 12:00 UTC
	add := func(by, member string, from, to time.Time) oncall.Leave {
		t.Helper()
		l, err := st.AddLeave(ctx, by, oncall.Leave{Member: member, Start: from, End: to, Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	gone := func(id int64) {
		t.Helper()
		_, err := st.Leave(ctx, id)
		wantNotFound(t, err)
	}

	// The member on leave removes it.
	own := add("a", "b", utc(2026, 4, 1, 0, 0), utc(2026, 4, 3, 0, 0))
	if got, err := st.Leave(ctx, own.ID); err != nil || got.Member != "b" || got.CreatedBy != "a" || !got.End.Equal(own.End) {
		t.Fatalf("Leave(%d) = %+v %v", own.ID, got, err)
	}
	if err := st.RemoveLeave(ctx, "b", own.ID); err != nil {
		t.Fatal(err)
	}
	gone(own.ID)

	// The member who marked it removes it.
	marked := add("a", "b", utc(2026, 4, 1, 0, 0), utc(2026, 4, 3, 0, 0))
	if err := st.RemoveLeave(ctx, "a", marked.ID); err != nil {
		t.Fatal(err)
	}
	gone(marked.ID)

	// A third member is refused, and nothing changes.
	other := add("a", "b", utc(2026, 4, 10, 0, 0), utc(2026, 4, 12, 0, 0))
	err := st.RemoveLeave(ctx, "c", other.ID)
	wantValidation(t, err, "leave.id")
	if !strings.Contains(err.Error(), "c is neither the member on leave (b) nor who marked it (a)") {
		t.Fatalf("refusal does not say why: %v", err)
	}
	if got, err := st.Leave(ctx, other.ID); err != nil || !got.End.Equal(other.End) {
		t.Fatalf("refused removal changed the leave: %+v %v", got, err)
	}

	// Unknown id, unknown remover: not found, nothing written.
	wantNotFound(t, st.RemoveLeave(ctx, "a", 999))
	wantNotFound(t, st.RemoveLeave(ctx, "zoe", other.ID))

	// Under way: ends now, the days already taken stay.
	c.t = utc(2026, 4, 11, 0, 0)
	if err := st.RemoveLeave(ctx, "b", other.ID); err != nil {
		t.Fatal(err)
	}
	got, err := st.Leave(ctx, other.ID)
	if err != nil || !got.Start.Equal(other.Start) || !got.End.Equal(c.t) {
		t.Fatalf("leave under way after removal: %+v %v, want it ending at %s", got, err, c.t)
	}

	// Over: refused, history is not rewritten.
	c.t = utc(2026, 4, 20, 0, 0)
	err = st.RemoveLeave(ctx, "b", other.ID)
	wantValidation(t, err, "leave.id")
	if !strings.Contains(err.Error(), "past leave stays in the history") {
		t.Fatalf("refusal does not say why: %v", err)
	}
	if n := count(t, st, "leave"); n != 1 {
		t.Fatalf("%d leave rows, want the ended one only", n)
	}
	if ls, _ := st.Leaves(ctx, utc(2026, 4, 1, 0, 0), utc(2026, 5, 1, 0, 0)); len(ls) != 1 || !ls[0].End.Equal(utc(2026, 4, 11, 0, 0)) {
		t.Fatalf("leaves after refusing the ended one: %+v", ls)
	}
}
