package oncall

import (
	"time"
)

// HandoffNote is what the outgoing member writes for the incoming one,
// attached to the handoff instant it precedes.
type HandoffNote struct {
	ID        int64
	Rotation  string
	HandoffAt time.Time
	Author    string
	WrittenAt time.Time
	Text      string // may hold newlines; sanitise before drawing
}
