package oncall

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrFenced: the lease this write was made under is no longer held (a
// paused watcher woke up after another took over). Nothing was written.
var ErrFenced = errors.New("watcher lease lost: fenced")

// Lease is the right to page, held by one watcher until Expires.
type Lease struct {
	Holder  string
	Epoch   int64
	Expires time.Time
}

// PagedOutage is an outage as the pager follows it, from the first time
// it was seen until it stayed clear for the policy's clear_after.
type PagedOutage struct {
	ID                       int64
	Subject                  string // "service/guichet@lyon"
	Kind, Name, Site, Status string
	Detail, Host, Rotation   string
	Since                    time.Time
	ClearSince               time.Time // zero while it is still there
	Ended                    time.Time
	Acked                    time.Time
	AckedBy                  string
	IncidentID               int64
}

// Target is the incident affects target of the outage ("service/guichet").
func (o PagedOutage) Target() string { return o.Kind + "/" + o.Name }

// Page is one message to one member about one outage at one step (0: the
// resolved message).
type Page struct {
	ID         int64
	OutageID   int64
	Step       int
	Member     string
	Text       string
	Created    time.Time
	SentBy     string
	Epoch      int64
	Delivered  bool
	Deliveries []Delivery
}

// Delivery is one contact method tried for a page.
type Delivery struct {
	At     time.Time
	Method string
	OK     bool
	Error  string
}

// PageKey is the exactly-once key of a page.
func PageKey(outageID int64, step int, member string) string {
	return fmt.Sprintf("%d/%d/%s", outageID, step, member)
}

// PageFilter selects pages: of one outage, or all (OutageID 0).
type PageFilter struct{ OutageID int64 }

// DeliverySummary says how a page went: "email failed (connection
// refused), webhook delivered".
func (p Page) DeliverySummary() string {
	if len(p.Deliveries) == 0 {
		return "not delivered yet"
	}
	var parts []string
	for _, d := range p.Deliveries {
		if d.OK {
			parts = append(parts, d.Method+" delivered")
		} else {
			parts = append(parts, fmt.Sprintf("%s failed (%s)", d.Method, d.Error))
		}
	}
	return strings.Join(parts, ", ")
}

// AckResult is what an acknowledgement did.
type AckResult struct {
	Outage   PagedOutage
	Incident Incident
	Already  bool // acknowledged before (by Outage.AckedBy)
	Opened   bool // the incident was opened by this ack
	Lead     bool // the member took the lead
}
