package conformance

import (
	"context"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// The closer is whoever sets the state, not the owner; reopening forgets it.
func testUpdateActionRecordsCloser(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "amelie", "Europe/Paris")
	mustMember(t, st, "lucas", "Europe/Paris")
	mustMember(t, st, "chloe", "Europe/Paris")
	inc, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "x", Severity: 3})
	a, err := st.AddAction(ctx, inc.ID, "amelie", oncall.NewAction{Title: "disk alert", Owner: "amelie"})
	if err != nil || !a.ClosedAt.IsZero() || a.ClosedBy != "" {
		t.Fatalf("new action %+v %v", a, err)
	}
	wantClosed := func(got oncall.ActionItem, by string, at time.Time) {
		t.Helper()
		if got.ClosedBy != by || !got.ClosedAt.Equal(at) {
			t.Fatalf("closed by %q at %v, want %q at %v", got.ClosedBy, got.ClosedAt, by, at)
		}
		// The same through the read paths, not only the returned value.
		again, err := st.Action(ctx, got.ID)
		if err != nil || again.ClosedBy != by || !again.ClosedAt.Equal(at) {
			t.Fatalf("stored closer %+v %v, want %q at %v", again, err, by, at)
		}
	}

	clk.add(time.Hour)
	got, err := st.UpdateAction(ctx, a.ID, "lucas", oncall.ActionDoing, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "", time.Time{}) // doing is not closed

	clk.add(time.Hour)
	closed := clk.t
	if got, err = st.UpdateAction(ctx, a.ID, "lucas", oncall.ActionDone, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "lucas", closed) // lucas closed amelie's item

	// Setting done again, or changing only the due date, keeps the closer.
	clk.add(time.Hour)
	if got, err = st.UpdateAction(ctx, a.ID, "chloe", oncall.ActionDone, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "lucas", closed)
	due := "2026-05-01"
	if got, err = st.UpdateAction(ctx, a.ID, "chloe", "", nil, &due); err != nil || got.Due != due {
		t.Fatalf("due %+v %v", got, err)
	}
	wantClosed(got, "lucas", closed)

	clk.add(time.Hour)
	if got, err = st.UpdateAction(ctx, a.ID, "amelie", oncall.ActionOpen, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "", time.Time{}) // reopened: no closer any more

	clk.add(time.Hour)
	dropped := clk.t
	if got, err = st.UpdateAction(ctx, a.ID, "chloe", oncall.ActionDropped, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "chloe", dropped) // dropped is closed too

	// done after dropped is a new decision, by a new closer.
	clk.add(time.Hour)
	if got, err = st.UpdateAction(ctx, a.ID, "amelie", oncall.ActionDone, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "amelie", clk.t)
	list, err := st.Actions(ctx, oncall.ActionFilter{})
	if err != nil || len(list) != 1 || list[0].ClosedBy != "amelie" || !list[0].ClosedAt.Equal(clk.t) {
		t.Fatalf("Actions %+v %v", list, err)
	}

	// An unknown member changes nothing.
	before := clk.t
	clk.add(time.Hour)
	_, err = st.UpdateAction(ctx, a.ID, "ghost", oncall.ActionOpen, nil, nil)
	wantNotFound(t, err)
	_, err = st.UpdateAction(ctx, a.ID, "", oncall.ActionOpen, nil, nil)
	wantNotFound(t, err)
	if got, _ := st.Action(ctx, a.ID); got.State != oncall.ActionDone || !got.UpdatedAt.Equal(before) {
		t.Fatalf("refused update wrote: %+v", got)
	}
}
