package oncall

import (
	"time"
)

// ActionState is where an action item stands; unlike incidents it may move
// any way (work gets reopened, dropped work picked up again).
type ActionState string

const (
	ActionOpen    ActionState = "open"
	ActionDoing   ActionState = "doing"
	ActionDone    ActionState = "done"
	ActionDropped ActionState = "dropped"
)

func (a ActionState) Valid() bool {
	return a == ActionOpen || a == ActionDoing || a == ActionDone || a == ActionDropped
}

// Pending reports whether someone still has to do something.
func (a ActionState) Pending() bool { return a == ActionOpen || a == ActionDoing }

// ActionItem is work decided in a retro, tracked afterwards.
type ActionItem struct {
	ID         int64
	IncidentID int64
	Title      string
	Owner      string // member handle, "" for nobody yet
	Due        string // YYYY-MM-DD, "" for no date
	State      ActionState
	CreatedAt  time.Time
	CreatedBy  string
	UpdatedAt  time.Time
	// ClosedAt and ClosedBy say when and by whom the item was last set to
	// done or dropped; zero and "" while pending, and for items closed
	// before the store recorded it (schema v4).
	ClosedAt time.Time
	ClosedBy string // member handle
}

// NewAction is what a member types to add an action item.
type NewAction struct {
	Title string
	Owner string // optional member handle
	Due   string // optional YYYY-MM-DD
}

// ActionFilter narrows Actions.
type ActionFilter struct {
	IncidentID  int64 // 0: every incident
	PendingOnly bool  // open and doing only
}

// ParseActionState reads a state as typed.
func ParseActionState(s string) (ActionState, error) {
	a := ActionState(s)
	if !a.Valid() {
		return "", Invalid("action.state", s, "must be open, doing, done or dropped")
	}
	return a, nil
}

// CheckDue: an action item's due date is empty or YYYY-MM-DD.
func CheckDue(due string) error {
	if due == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, due); err != nil {
		return Invalid("action.due", due, "must be a date YYYY-MM-DD")
	}
	return nil
}
