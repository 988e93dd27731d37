package oncall

import (
	"sync"
	"time"
)

// LocalInstant is the instant the wall clock in loc first reads hh:mm on the
// given civil date. time.Date leaves two cases unspecified, so they are
// resolved here explicitly:
//   - a skipped time (spring-forward gap) gives the first instant after the
//     gap, i.e. the transition itself (02:30 Paris -> 03:00 CEST);
//   - a repeated time (fall-back) gives its first occurrence.
func LocalInstant(y int, mo time.Month, d, hh, mi int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, hh, mi, 0, 0, time.UTC).Unix() // the clock reading as if it were UTC
	guess := time.Date(y, mo, d, hh, mi, 0, 0, loc)

	// Any transition that makes this clock reading skipped or repeated lies
	// within a few hours of guess, so it bounds guess's zone period: the
	// candidate offsets are those of that period and its two neighbours.
	start, end := guess.ZoneBounds()
	_, off := guess.Zone()
	offsets := []int{off}
	if !start.IsZero() {
		_, o := start.Add(-time.Second).Zone()
		offsets = append(offsets, o)
	}
	if !end.IsZero() {
		_, o := end.Zone()
		offsets = append(offsets, o)
	}

	var first time.Time
	for _, o := range offsets {
		u := time.Unix(wall-int64(o), 0).In(loc)
		if _, got := u.Zone(); got == o && (first.IsZero() || u.Before(first)) {
			first = u
		}
	}
	if !first.IsZero() {
		return first
	}
	// No offset reads hh:mm: it is in a gap opened by a transition T with
	// offsets before/after ob < oa, where T+ob <= wall < T+oa.
	for _, t := range []time.Time{start, end} {
		if t.IsZero() {
			continue
		}
		_, ob := t.Add(-time.Second).Zone()
		_, oa := t.Zone()
		if tu := t.Unix(); tu+int64(ob) <= wall && wall < tu+int64(oa) {
			return t.In(loc)
		}
	}
	return guess // unreachable with real zone data; keep Go's answer
}

// loadLocation caches zones: time.LoadLocation reads tzdata on every call and
// shift arithmetic runs on each redraw.
var zoneCache sync.Map // name -> *time.Location

func LoadLocation(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, l)
	return l, nil
}
