package conformance

import (
	"context"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

func testRotaScheduleLeaveConflictsAndGaps(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := weeklyStore(t, open)
	paris := zone(t, "Europe/Paris")
	// b is away 1-3 April (inside b's week, which spans the DST change week after).
	if _, err := st.AddLeave(ctx, "a", oncall.Leave{Member: "b", Start: utc(2026, 4, 1, 0, 0), End: utc(2026, 4, 3, 0, 0), Reason: "family"}); err != nil {
		t.Fatal(err)
	}
	// c is "not nights": daily 08:00-22:00 Paris.
	w, err := oncall.ParseWindow("daily 08:00-22:00")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetAvailability(ctx, "c", []oncall.Window{w}); err != nil {
		t.Fatal(err)
	}
	from, to := utc(2026, 3, 20, 0, 0), utc(2026, 4, 8, 0, 0)
	sch, err := st.Schedule(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	rs := sch[0]
	if len(rs.Shifts) != 3 {
		t.Fatalf("shifts %+v", rs.Shifts)
	}
	var leave, unavail []oncall.Conflict
	for _, c := range rs.Conflicts {
		switch c.Kind {
		case oncall.ConflictLeave:
			leave = append(leave, c)
		case oncall.ConflictUnavailable:
			unavail = append(unavail, c)
		}
	}
	if len(leave) != 1 || leave[0].Member != "b" || !leave[0].Start.Equal(utc(2026, 4, 1, 0, 0)) || !leave[0].End.Equal(utc(2026, 4, 3, 0, 0)) {
		t.Fatalf("leave conflicts %+v", leave)
	}
	// c's week starts Monday 6 April 10:00 CEST; to is 8 April 00:00 UTC (02:00 CEST):
	// nights 6->7 (22:00-08:00) and 7->8 (22:00-02:00) are uncovered.
	if len(unavail) != 2 || !unavail[0].Start.Equal(time.Date(2026, 4, 6, 22, 0, 0, 0, paris)) ||
		!unavail[0].End.Equal(time.Date(2026, 4, 7, 8, 0, 0, 0, paris)) || !unavail[1].End.Equal(to) {
		t.Fatalf("availability conflicts %+v", unavail)
	}
	// Gaps: before the start (20-23 March 10:00), b's leave, c's nights.
	if len(rs.Gaps) != 4 || !rs.Gaps[0].End.Equal(utc(2026, 3, 23, 9, 0)) || rs.Gaps[1].Reason != "b on leave" ||
		rs.Gaps[2].Reason != "c unavailable" {
		t.Fatalf("gaps %+v", rs.Gaps)
	}
	// Covering the leave closes the gap: a takes b's pager during the leave.
	o, err := st.ProposeOverride(ctx, "a", oncall.OverrideRequest{Rotation: "primary", Covering: "a", Covered: "b", Start: utc(2026, 4, 1, 0, 0), End: utc(2026, 4, 3, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	sch, _ = st.Schedule(ctx, from, to)
	if len(sch[0].Pending) != 1 || len(sch[0].Gaps) != 4 {
		t.Fatalf("a pending cover must not close the gap: %+v", sch[0])
	}
	if _, err := st.ConfirmOverride(ctx, "b", o.ID); err != nil {
		t.Fatal(err)
	}
	sch, _ = st.Schedule(ctx, from, to)
	for _, g := range sch[0].Gaps {
		if g.Reason == "b on leave" {
			t.Fatalf("covered leave still a gap: %+v", sch[0].Gaps)
		}
	}
	if len(sch[0].Pending) != 0 || len(sch[0].Gaps) != 3 {
		t.Fatalf("after cover: %+v", sch[0])
	}
}

func testRotaLeaveBadInput(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := weeklyStore(t, open)
	if _, err := st.AddLeave(ctx, "a", oncall.Leave{Member: "a", Start: utc(2026, 4, 1, 0, 0), End: utc(2026, 4, 5, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		l     oncall.Leave
		field string
	}{
		{"overlap", oncall.Leave{Member: "a", Start: utc(2026, 4, 4, 0, 0), End: utc(2026, 4, 6, 0, 0)}, "leave.range"},
		{"inverted", oncall.Leave{Member: "a", Start: utc(2026, 4, 9, 0, 0), End: utc(2026, 4, 8, 0, 0)}, "leave.to"},
		{"past", oncall.Leave{Member: "a", Start: c.t.Add(-48 * time.Hour), End: c.t.Add(-time.Hour)}, "leave.to"},
		{"unknown", oncall.Leave{Member: "zoe", Start: utc(2026, 4, 9, 0, 0), End: utc(2026, 4, 10, 0, 0)}, ""},
	} {
		_, err := st.AddLeave(ctx, "a", tc.l)
		if tc.field == "" {
			wantNotFound(t, err)
		} else {
			wantValidation(t, err, tc.field)
		}
	}
	if n := count(t, st, "leave"); n != 1 {
		t.Fatalf("%d leave rows", n)
	}
	// Another member's leave may touch a's.
	if _, err := st.AddLeave(ctx, "a", oncall.Leave{Member: "b", Start: utc(2026, 4, 4, 0, 0), End: utc(2026, 4, 6, 0, 0)}); err != nil {
		t.Fatal(err)
	}
}
