package oncall

import (
	"fmt"
	"slices"
	"time"
)

// OverrideStatus is where a proposed cover stands.
type OverrideStatus string

const (
	Proposed  OverrideStatus = "proposed"  // waiting for a party's consent
	Confirmed OverrideStatus = "confirmed" // both parties agreed: it applies
	Declined  OverrideStatus = "declined"  // a party said no
	Cancelled OverrideStatus = "cancelled" // withdrawn by the proposer, or by a party before it started
)

// Override is "Covering covers Covered on Rotation over [Start, End)". A
// swap is two overrides with the same SwapID, made and confirmed together.
//
// Anyone may propose. It applies once both members it moves the pager
// between have agreed: the giver (Covered) and the taker (Covering); a party
// who proposes agrees by proposing. Each consent is timestamped, so who
// did what and when is kept.
type Override struct {
	ID                int64
	Rotation          string
	Covering, Covered string // handles
	Start, End        time.Time
	SwapID            int64 // 0 unless part of a swap
	Status            OverrideStatus
	ProposedBy        string
	ProposedAt        time.Time
	CoveringOK        time.Time // when Covering agreed; zero if not yet
	CoveredOK         time.Time // when Covered agreed; zero if not yet
	ClosedBy          string    // who declined or cancelled
	ClosedAt          time.Time
	Note              string
}

// AwaitingFrom lists the parties whose consent a proposed override lacks.
func (o Override) AwaitingFrom() []string {
	if o.Status != Proposed {
		return nil
	}
	var out []string
	if o.CoveringOK.IsZero() {
		out = append(out, o.Covering)
	}
	if o.CoveredOK.IsZero() {
		out = append(out, o.Covered)
	}
	return out
}

// Awaits reports whether handle's consent is what o still needs.
func (o Override) Awaits(handle string) bool {
	for _, h := range o.AwaitingFrom() {
		if h == handle {
			return true
		}
	}
	return false
}

// AwaitingAll is who must still confirm any of os (a swap's halves), each
// once, in order.
func AwaitingAll(os []Override) []string {
	var who []string
	for _, o := range os {
		for _, h := range o.AwaitingFrom() {
			if !slices.Contains(who, h) {
				who = append(who, h)
			}
		}
	}
	return who
}

// OverrideRequest asks for Covering to take Covered's pager on Rotation.
type OverrideRequest struct {
	Rotation          string
	Covering, Covered string
	Start, End        time.Time
	Note              string
}

// SwapRequest asks to trade shifts: For's shift containing Mine goes to
// With, and With's shift containing Theirs to For. For is the proposer when
// empty; any member may propose a swap between two others, who then both
// confirm.
type SwapRequest struct {
	Rotation     string
	For, With    string
	Mine, Theirs time.Time
	Note         string
}

// pastSlack lets "now" typed in a form still be accepted a moment later.
const pastSlack = 5 * time.Minute

// CheckOverride is the rule an override request must pass before it is
// proposed, as a function of its rotation r, the live (proposed or
// confirmed) overrides of r overlapping it, the leaves overlapping it and
// now: the covering member is not the covered one nor on leave, the range
// is forward, not past, inside r and held by the covered member throughout,
// and overlaps no live override. That the members exist is the store's to
// check.
func CheckOverride(r Rotation, req OverrideRequest, live []Override, leaves []Leave, now time.Time) error {
	if req.Covering == req.Covered {
		return Invalid("override.covering", req.Covering, "is also the member covered")
	}
	if !req.Start.Before(req.End) {
		return Invalid("override.to", fmtInstant(req.End, r.TZ), "must be after override.from ("+fmtInstant(req.Start, r.TZ)+")")
	}
	if req.Start.Before(now.Add(-pastSlack)) {
		return Invalid("override.from", fmtInstant(req.Start, r.TZ), "is in the past (the past is history: it cannot be overridden)")
	}
	for _, sh := range r.Shifts(req.Start, req.End) {
		if sh.Member != req.Covered {
			return Invalid("override.covered", req.Covered, fmt.Sprintf("is not on call on %s throughout the range (%s is, %s to %s)",
				r.Name, sh.Member, fmtInstant(sh.Start, r.TZ), fmtInstant(sh.End, r.TZ)))
		}
	}
	if first, ok := r.ShiftAt(req.Start); !ok || first.Member != req.Covered {
		return Invalid("override.from", fmtInstant(req.Start, r.TZ), "is before "+r.Name+" starts")
	}
	rng := Range{Start: req.Start, End: req.End}
	for _, o := range live {
		if rng.Overlaps(Range{Start: o.Start, End: o.End}) {
			return Invalid("override.range", fmtInstant(req.Start, r.TZ)+".."+fmtInstant(req.End, r.TZ),
				fmt.Sprintf("overlaps override #%d (%s covers %s, %s), which must be declined or cancelled first", o.ID, o.Covering, o.Covered, o.Status))
		}
	}
	for _, l := range leaves {
		if l.Member == req.Covering {
			return Invalid("override.covering", req.Covering, "is on leave "+fmtInstant(l.Start, r.TZ)+" to "+fmtInstant(l.End, r.TZ))
		}
	}
	return nil
}

// fmtInstant writes t on the clock of zone tz, for error messages.
func fmtInstant(t time.Time, tz string) string {
	loc, err := LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
