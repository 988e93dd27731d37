package oncall

import (
	"time"
)

// HeldShift is a stretch someone really held a rotation's pager.
type HeldShift struct {
	Rotation   string
	Member     string
	Start, End time.Time
	CoverFor   string // the member whose shift it was, when held as an override
	OverrideID int64
	// Recorded is false for the stretch in progress (held until now, not
	// frozen yet).
	Recorded bool
}
