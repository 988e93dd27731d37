package oncall

import (
	"fmt"
	"sort"
	"time"
)

// ConflictKind says why a holder cannot really answer.
type ConflictKind string

const (
	ConflictLeave       ConflictKind = "leave"       // the holder is on leave
	ConflictUnavailable ConflictKind = "unavailable" // outside the holder's availability windows
)

// Conflict is a stretch of a shift its holder cannot take.
type Conflict struct {
	Kind       ConflictKind
	Rotation   string
	Member     string
	Start, End time.Time // the clash itself, within the shift and the range
	LeaveID    int64     // for ConflictLeave
}

// Gap is a stretch of [from, to) where a rotation has nobody who can answer:
// before it starts, or while its holder is on leave or unavailable.
type Gap struct {
	Rotation   string
	Start, End time.Time
	Reason     string
}

// RotationSchedule is one rotation over a range.
type RotationSchedule struct {
	Rotation  Rotation
	Shifts    []Shift // overrides applied, each overlapping the range (unclipped)
	Conflicts []Conflict
	Gaps      []Gap
	Pending   []Override // proposals overlapping the range, not applied
}

// Conflicts finds, in each shift clipped to [from, to), the stretches where
// its holder is on leave or outside their windows.
func Conflicts(shifts []Shift, leaves []Leave, avail map[string][]Window, tz map[string]string, from, to time.Time) []Conflict {
	var out []Conflict
	for _, sh := range shifts {
		a, b := Later(sh.Start, from), Earlier(sh.End, to)
		for _, l := range leaves {
			if l.Member != sh.Member {
				continue
			}
			if cs, ce := Later(a, l.Start), Earlier(b, l.End); cs.Before(ce) {
				out = append(out, Conflict{Kind: ConflictLeave, Rotation: sh.Rotation, Member: sh.Member, Start: cs, End: ce, LeaveID: l.ID})
			}
		}
		if ws := avail[sh.Member]; len(ws) > 0 {
			loc, err := LoadLocation(tz[sh.Member])
			if err != nil {
				loc = time.UTC
			}
			for _, u := range Unavailable(ws, loc, a, b) {
				out = append(out, Conflict{Kind: ConflictUnavailable, Rotation: sh.Rotation, Member: sh.Member, Start: u.Start, End: u.End})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Gaps is where nobody can answer: before the rotation's first shift, and
// every conflict (a holder on leave is no holder). Adjacent stretches merge.
func Gaps(r Rotation, shifts []Shift, cs []Conflict, from, to time.Time) []Gap {
	var out []Gap
	if len(shifts) == 0 || shifts[0].Start.After(from) {
		end := to
		if len(shifts) > 0 {
			end = shifts[0].Start
		}
		out = append(out, Gap{Rotation: r.Name, Start: from, End: end, Reason: r.Name + " has not started"})
	}
	for _, c := range cs {
		reason := fmt.Sprintf("%s on leave", c.Member)
		if c.Kind == ConflictUnavailable {
			reason = fmt.Sprintf("%s unavailable", c.Member)
		}
		if n := len(out); n > 0 && !out[n-1].End.Before(c.Start) {
			if c.End.After(out[n-1].End) {
				out[n-1].End = c.End
			}
			if out[n-1].Reason != reason {
				out[n-1].Reason += ", " + reason
			}
			continue
		}
		out = append(out, Gap{Rotation: r.Name, Start: c.Start, End: c.End, Reason: reason})
	}
	return out
}
