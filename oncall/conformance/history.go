package conformance

import (
	"context"
	"testing"

	"codeberg.org/entretien/entretien/oncall"
)

func testRotaOnCallHistoryIsRecordedAndFrozen(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := weeklyStore(t, open)
	o, err := st.ProposeOverride(ctx, "c", oncall.OverrideRequest{Rotation: "primary", Covering: "c", Covered: "a",
		Start: utc(2026, 3, 25, 0, 0), End: utc(2026, 3, 26, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ConfirmOverride(ctx, "a", o.ID); err != nil {
		t.Fatal(err)
	}
	c.t = utc(2026, 4, 1, 0, 0) // in b's week
	from, to := utc(2026, 3, 1, 0, 0), utc(2026, 5, 1, 0, 0)
	h, err := st.OnCallHistory(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []oncall.HeldShift{
		{Rotation: "primary", Member: "a", Start: utc(2026, 3, 23, 9, 0), End: utc(2026, 3, 25, 0, 0), Recorded: true},
		{Rotation: "primary", Member: "c", Start: utc(2026, 3, 25, 0, 0), End: utc(2026, 3, 26, 0, 0), CoverFor: "a", OverrideID: o.ID, Recorded: true},
		{Rotation: "primary", Member: "a", Start: utc(2026, 3, 26, 0, 0), End: utc(2026, 3, 30, 8, 0), Recorded: true},
		{Rotation: "primary", Member: "b", Start: utc(2026, 3, 30, 8, 0), End: c.t}, // in progress, up to now
	}
	if len(h) != len(want) {
		t.Fatalf("history %+v", h)
	}
	for i := range want {
		if h[i] != want[i] {
			t.Fatalf("history[%d] = %+v, want %+v", i, h[i], want[i])
		}
	}
	if n := count(t, st, "oncall_history"); n != 3 {
		t.Fatalf("%d recorded rows, want 3", n)
	}
	// Idempotent: reading again records nothing new and returns the same.
	h2, _ := st.OnCallHistory(ctx, from, to)
	if len(h2) != 4 || count(t, st, "oncall_history") != 3 {
		t.Fatalf("second read: %+v", h2)
	}
	// Clipped to the range.
	h3, _ := st.OnCallHistory(ctx, utc(2026, 3, 25, 12, 0), utc(2026, 3, 27, 0, 0))
	if len(h3) != 2 || !h3[0].Start.Equal(utc(2026, 3, 25, 12, 0)) || !h3[1].End.Equal(utc(2026, 3, 27, 0, 0)) {
		t.Fatalf("clipped %+v", h3)
	}
	// Changing the rotation rewrites the future, never the recorded past.
	r := weekly()
	r.Participants = []string{"c", "b", "a"}
	res, err := st.ApplyRotations(ctx, []oncall.Rotation{r})
	if err != nil || len(res.Updated) != 1 {
		t.Fatalf("apply %+v %v", res, err)
	}
	h4, _ := st.OnCallHistory(ctx, from, utc(2026, 3, 30, 8, 0))
	if len(h4) != 3 || h4[0].Member != "a" || h4[2].Member != "a" {
		t.Fatalf("past rewritten by the rotation change: %+v", h4)
	}
	// b's week was in progress at the change, so not frozen; it is computed
	// with the new order (b is still second) and the next week goes to a, not c.
	c.t = utc(2026, 4, 7, 0, 0)
	h5, _ := st.OnCallHistory(ctx, utc(2026, 3, 30, 8, 0), c.t)
	if len(h5) != 2 || h5[0].Member != "b" || !h5[0].Recorded || h5[1].Member != "a" || h5[1].Recorded {
		t.Fatalf("after the change: %+v", h5)
	}
}

func testRotaHandoffNotes(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := weeklyStore(t, open)
	c.t = utc(2026, 3, 29, 18, 0) // a's week, b next Monday 10:00 CEST
	if _, err := st.WriteHandoffNote(ctx, "b", "primary", "not my shift"); err == nil {
		t.Fatal("a non-holder wrote a handoff note")
	} else {
		wantValidation(t, err, "handoff.author")
	}
	for _, bad := range []string{"", "   \n", string([]byte{0xff})} {
		_, err := st.WriteHandoffNote(ctx, "a", "primary", bad)
		wantValidation(t, err, "handoff.text")
	}
	n, err := st.WriteHandoffNote(ctx, "a", "primary", "backup in paris keeps failing:\nsee incident 1")
	if err != nil {
		t.Fatal(err)
	}
	if !n.HandoffAt.Equal(utc(2026, 3, 30, 8, 0)) {
		t.Fatalf("note for %v", n.HandoffAt)
	}
	ocs, _ := st.OnCallAt(ctx, c.t)
	if len(ocs[0].NextNotes) != 1 || len(ocs[0].Notes) != 0 {
		t.Fatalf("before the handoff: %+v", ocs[0])
	}
	// After the handoff b sees it as the note of the handoff that started b's week.
	ocs, _ = st.OnCallAt(ctx, utc(2026, 3, 30, 9, 0))
	if ocs[0].Now.Member != "b" || len(ocs[0].Notes) != 1 || ocs[0].Notes[0].Author != "a" || len(ocs[0].NextNotes) != 0 {
		t.Fatalf("after the handoff: %+v", ocs[0])
	}
	if n := count(t, st, "handoff_notes"); n != 1 {
		t.Fatalf("%d notes", n)
	}
}

func testApplyRotationsIdempotent(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := weeklyStore(t, open)
	night := oncall.Rotation{Name: "nights", TZ: "Europe/Brussels", ShiftCount: 12, ShiftUnit: oncall.Hours, Start: utc(2026, 3, 1, 19, 0), Participants: []string{"c", "a"}}
	res, err := st.ApplyRotations(ctx, []oncall.Rotation{weekly(), night})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 1 || res.Created[0] != "nights" || len(res.Unchanged) != 1 {
		t.Fatalf("first apply %+v", res)
	}
	res, err = st.ApplyRotations(ctx, []oncall.Rotation{weekly(), night})
	if err != nil || len(res.Unchanged) != 2 {
		t.Fatalf("second apply %+v %v", res, err)
	}
	before := count(t, st, "rotation_participants")
	// A bad rotation anywhere: nothing written, the error names it.
	bad := night
	bad.Handoff, bad.ShiftUnit = "25:00", oncall.Days
	changed := weekly()
	changed.Participants = []string{"a"}
	_, err = st.ApplyRotations(ctx, []oncall.Rotation{changed, bad})
	wantValidation(t, err, "rotation.handoff")
	unknown := night
	unknown.Participants = []string{"zoe"}
	_, err = st.ApplyRotations(ctx, []oncall.Rotation{changed, unknown})
	wantNotFound(t, err)
	_, err = st.ApplyRotations(ctx, []oncall.Rotation{night, night})
	wantValidation(t, err, "rotation.name")
	if n := count(t, st, "rotation_participants"); n != before {
		t.Fatalf("participants %d, want %d", n, before)
	}
	rs, _ := st.Rotations(ctx)
	if len(rs[1].Participants) != 3 {
		t.Fatalf("refused apply changed primary: %+v", rs[1])
	}
}
