package oncall

import (
	"testing"
	"time"
)

// cover is "covering covers covered over [from, to)", given as local clock
// texts in the rotation's zone (ParseTime resolves DST gaps and repeats).
type cover struct{ covering, covered, from, to string }

type want struct {
	at               string // ParseTime text in the rotation's zone, or RFC 3339
	now, covers      string
	nowStart, nowEnd string
	next             string
	nextStart        string
}

func mustTime(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	tm, _, err := ParseTime("t", s, loc, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestRotaApplyOverridesKeepsTimelineContiguous(t *testing.T) {
	r := weekly()
	base := r.Shifts(utc(2026, 3, 23, 9, 0), utc(2026, 4, 20, 0, 0))
	ovs := []Override{
		{ID: 1, Rotation: "primary", Covering: "c", Start: utc(2026, 3, 25, 0, 0), End: utc(2026, 3, 26, 0, 0)},
		{ID: 2, Rotation: "primary", Covering: "a", Start: utc(2026, 3, 30, 8, 0), End: utc(2026, 3, 31, 0, 0)},
		{ID: 3, Rotation: "other", Covering: "a", Start: utc(2026, 4, 1, 0, 0), End: utc(2026, 4, 2, 0, 0)},
		{ID: 4, Rotation: "primary", Covering: "b", Start: utc(2026, 3, 31, 0, 0), End: utc(2026, 4, 1, 0, 0)}, // b covering b: no-op
	}
	segs := applyOverrides(base, ovs)
	for i := 1; i < len(segs); i++ {
		if !segs[i-1].End.Equal(segs[i].Start) {
			t.Fatalf("hole between %v and %v", segs[i-1], segs[i])
		}
	}
	if !segs[0].Start.Equal(base[0].Start) || !segs[len(segs)-1].End.Equal(base[len(base)-1].End) {
		t.Fatal("timeline does not span the base shifts")
	}
	var covers []int64
	for _, s := range segs {
		if s.Covers != "" {
			covers = append(covers, s.OverrideID)
		}
	}
	if len(covers) != 2 || covers[0] != 1 || covers[1] != 2 {
		t.Fatalf("applied overrides %v, want [1 2] (other rotation and self-cover ignored)", covers)
	}
}
