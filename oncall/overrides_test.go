package oncall

import (
	"testing"
	"time"
)

// The override's checks are a function of the rotation, the request, the
// live overrides, the leaves and now: no store needed.
func TestCheckOverride(t *testing.T) {
	r := weekly() // a, b, c, a week each from Mon 23 March 10:00 Paris
	now := utc(2026, 3, 24, 8, 0)
	ok := OverrideRequest{Rotation: r.Name, Covering: "b", Covered: "a", Start: utc(2026, 3, 25, 9, 0), End: utc(2026, 3, 26, 9, 0)}
	if err := CheckOverride(r, ok, nil, nil, now); err != nil {
		t.Fatalf("a fair request refused: %v", err)
	}
	with := func(f func(*OverrideRequest)) OverrideRequest { q := ok; f(&q); return q }
	for _, tc := range []struct {
		name   string
		req    OverrideRequest
		live   []Override
		leaves []Leave
		field  string
	}{
		{"self", with(func(q *OverrideRequest) { q.Covering = "a" }), nil, nil, "override.covering"},
		{"backwards", with(func(q *OverrideRequest) { q.End = q.Start }), nil, nil, "override.to"},
		{"past", with(func(q *OverrideRequest) { q.Start = now.Add(-time.Hour) }), nil, nil, "override.from"},
		{"not theirs", with(func(q *OverrideRequest) { q.End = utc(2026, 3, 31, 9, 0) }), nil, nil, "override.covered"},
		{"before the rotation", with(func(q *OverrideRequest) { q.Start, q.End = utc(2026, 3, 20, 9, 0), utc(2026, 3, 21, 9, 0) }), nil, nil, "override.from"},
		{"overlaps a live one", ok, []Override{{ID: 4, Covering: "c", Covered: "a", Start: utc(2026, 3, 25, 20, 0), End: utc(2026, 3, 27, 9, 0), Status: Proposed}}, nil, "override.range"},
		{"covering on leave", ok, nil, []Leave{{Member: "b", Start: utc(2026, 3, 24, 0, 0), End: utc(2026, 3, 25, 12, 0)}}, "override.covering"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantValidation(t, CheckOverride(r, tc.req, tc.live, tc.leaves, now), tc.field)
		})
	}
	// A leave of someone else, or a live override elsewhere, is no matter.
	if err := CheckOverride(r, ok, []Override{{Start: utc(2026, 3, 27, 9, 0), End: utc(2026, 3, 28, 9, 0)}},
		[]Leave{{Member: "c", Start: ok.Start, End: ok.End}}, now); err != nil {
		t.Fatalf("refused for others' plans: %v", err)
	}
}
