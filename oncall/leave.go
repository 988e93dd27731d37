package oncall

import (
	"time"
)

// Leave is a period a member is away: any shift they hold then is a
// conflict, and an uncovered gap until someone covers it.
type Leave struct {
	ID         int64
	Member     string
	Start, End time.Time
	Reason     string // optional
	CreatedBy  string // who marked it (a member may mark another's sick leave)
	CreatedAt  time.Time
}
