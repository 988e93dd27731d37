package oncall

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unit is the length unit of a rotation's shifts.
type Unit string

const (
	Hours Unit = "hours"
	Days  Unit = "days"
	Weeks Unit = "weeks"
)

// Rotation hands the pager from participant to participant, one shift each,
// in order, forever from Start.
//
// Hours shifts are plain durations: boundary k is Start + k*ShiftCount hours.
// Days and weeks shifts follow the calendar in TZ: boundary k is the civil
// date of Start (read in TZ) plus k*ShiftCount days (or weeks) at the Handoff
// clock time, so the handoff stays at e.g. 10:00 local across DST and the
// shift around a change is an hour shorter or longer. For these units only
// Start's date matters; CreateRotation stores Start as that date's handoff.
type Rotation struct {
	ID           int64
	Name         string
	TZ           string    // IANA zone of the handoff clock
	ShiftCount   int       // shift length in ShiftUnit, > 0
	ShiftUnit    Unit      // hours, days or weeks
	Handoff      string    // "HH:MM" in TZ; ignored (may be empty) for hours
	Start        time.Time // first handoff instant
	Participants []string  // member handles in order; at least one
}

// Shift is one participant's turn: [Start, End).
type Shift struct {
	Rotation string
	Member   string // handle
	Start    time.Time
	End      time.Time
	// Covers is set when Member holds this stretch for someone else (an
	// override): the handle the base schedule had; OverrideID is that override.
	Covers     string
	OverrideID int64
}

// OnCall is who holds a rotation at an instant and who comes next. Before a
// rotation's Start, HasNow is false and Next is its first shift. With
// overrides (Store.OnCallAt), Now and Next span the whole time their member
// holds the pager without a handoff.
type OnCall struct {
	Rotation Rotation
	Now      Shift
	Next     Shift
	HasNow   bool
	// Notes were written for the handoff that started Now (what the holder
	// must know); NextNotes for the one ending it. Filled by Store.OnCallAt.
	Notes, NextNotes []HandoffNote
}

var handoffRE = lazyRegexp(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

const maxShiftCount = 1000

// schedule is a Rotation with its text fields parsed, ready for arithmetic.
type schedule struct {
	r          Rotation
	loc        *time.Location
	hh, mi     int
	y          int // civil date of boundary 0 in loc (days/weeks)
	mo         time.Month
	d          int
	periodDays int
	period     time.Duration // hours unit
}

func (r Rotation) schedule() (*schedule, error) {
	if len(r.Participants) == 0 {
		return nil, errors.New("no participants")
	}
	if r.ShiftCount <= 0 || r.ShiftCount > maxShiftCount {
		return nil, fmt.Errorf("shift count %d out of range", r.ShiftCount)
	}
	if r.Start.IsZero() {
		return nil, errors.New("no start")
	}
	loc, err := LoadLocation(r.TZ)
	if err != nil || r.TZ == "" {
		return nil, fmt.Errorf("time zone %q: unknown", r.TZ)
	}
	sc := &schedule{r: r, loc: loc}
	switch r.ShiftUnit {
	case Hours:
		sc.period = time.Duration(r.ShiftCount) * time.Hour
		return sc, nil
	case Days:
		sc.periodDays = r.ShiftCount
	case Weeks:
		sc.periodDays = 7 * r.ShiftCount
	default:
		return nil, fmt.Errorf("unit %q unknown", r.ShiftUnit)
	}
	m := handoffRE().FindStringSubmatch(r.Handoff)
	if m == nil {
		return nil, fmt.Errorf("handoff %q not HH:MM", r.Handoff)
	}
	sc.hh, _ = strconv.Atoi(m[1])
	sc.mi, _ = strconv.Atoi(m[2])
	sc.y, sc.mo, sc.d = r.Start.In(loc).Date()
	return sc, nil
}

// boundary is the instant shift k starts (and shift k-1 ends).
func (sc *schedule) boundary(k int64) time.Time {
	if sc.period > 0 {
		return sc.r.Start.Add(time.Duration(k) * sc.period)
	}
	// time.Date normalises an out-of-range day, which is civil date arithmetic.
	return LocalInstant(sc.y, sc.mo, sc.d+int(k)*sc.periodDays, sc.hh, sc.mi, sc.loc)
}

// index is the k with boundary(k) <= t < boundary(k+1), or -1 before Start.
func (sc *schedule) index(t time.Time) int64 {
	if t.Before(sc.boundary(0)) {
		return -1
	}
	var k int64
	if sc.period > 0 {
		k = int64(t.Sub(sc.r.Start) / sc.period)
	} else {
		ty, tm, td := t.In(sc.loc).Date()
		days := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).Sub(time.Date(sc.y, sc.mo, sc.d, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour)
		k = int64(days) / int64(sc.periodDays)
	}
	// The estimate is off by at most one (t before that day's handoff).
	for k > 0 && t.Before(sc.boundary(k)) {
		k--
	}
	for !t.Before(sc.boundary(k + 1)) {
		k++
	}
	return k
}

func (sc *schedule) shift(k int64) Shift {
	n := int64(len(sc.r.Participants))
	return Shift{
		Rotation: sc.r.Name,
		Member:   sc.r.Participants[k%n],
		Start:    sc.boundary(k),
		End:      sc.boundary(k + 1),
	}
}

// ShiftAt is the shift covering t; false before Start (or if r is invalid).
func (r Rotation) ShiftAt(t time.Time) (Shift, bool) {
	sc, err := r.schedule()
	if err != nil {
		return Shift{}, false
	}
	k := sc.index(t)
	if k < 0 {
		return Shift{}, false
	}
	return sc.shift(k), true
}

// Shifts lists the shifts overlapping [from, to), in order.
func (r Rotation) Shifts(from, to time.Time) []Shift {
	sc, err := r.schedule()
	if err != nil || !from.Before(to) {
		return nil
	}
	k := sc.index(from)
	if k < 0 {
		k = 0
	}
	var out []Shift
	for ; sc.boundary(k).Before(to); k++ {
		out = append(out, sc.shift(k))
	}
	return out
}

// onCallAt is the OnCall of r at t.
func (r Rotation) onCallAt(t time.Time) (OnCall, error) {
	sc, err := r.schedule()
	if err != nil {
		return OnCall{}, fmt.Errorf("rotation %q: %w", r.Name, err)
	}
	oc := OnCall{Rotation: r}
	k := sc.index(t)
	if k >= 0 {
		oc.Now, oc.HasNow = sc.shift(k), true
	}
	oc.Next = sc.shift(k + 1)
	return oc, nil
}

// Every says the shift length as a member reads it: "every week",
// "every 2 days", "every 12 hours".
func (r Rotation) Every() string {
	if r.ShiftCount == 1 {
		return "every " + strings.TrimSuffix(string(r.ShiftUnit), "s")
	}
	return fmt.Sprintf("every %d %s", r.ShiftCount, r.ShiftUnit)
}
