package oncall

import (
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
