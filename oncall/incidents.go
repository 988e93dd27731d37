package oncall

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where an incident stands. It only moves forward, in this order.
type Status string

const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged"
	StatusMitigated    Status = "mitigated"
	StatusResolved     Status = "resolved"
	StatusReviewed     Status = "reviewed"
)

// Statuses is every status in lifecycle order.
var Statuses = []Status{StatusOpen, StatusAcknowledged, StatusMitigated, StatusResolved, StatusReviewed}

func (s Status) Rank() int {
	for i, x := range Statuses {
		if x == s {
			return i
		}
	}
	return -1
}

// IsOpen reports whether the incident still needs attention (before resolved).
func (s Status) IsOpen() bool {
	r := s.Rank()
	return r >= 0 && r < StatusResolved.Rank()
}

// Incident is something going wrong that members deal with together.
type Incident struct {
	ID        int64
	Title     string
	Severity  int // 1 (worst) .. 3
	Status    Status
	Affects   []string // "job/garage", "service/guichet", "site/lyon", "node/paris-1"
	OpenedAt  time.Time
	OpenedBy  string // member handle
	UpdatedAt time.Time
}

// NewIncident is what a member types to open an incident.
type NewIncident struct {
	Title    string
	Severity int
	Affects  []string
}

// EntryKind says what a journal entry is.
type EntryKind string

const (
	KindObservation EntryKind = "observation"
	KindAction      EntryKind = "action"
	KindDecision    EntryKind = "decision"
	KindQuestion    EntryKind = "question"
	KindHandoff     EntryKind = "handoff"
	KindStatus      EntryKind = "status" // written by SetStatus only
	KindSystem      EntryKind = "system" // no author
)

// EntryKinds is every kind, the ones members write first.
var EntryKinds = []EntryKind{KindObservation, KindAction, KindDecision, KindQuestion, KindHandoff, KindStatus, KindSystem}

// Entry is one line of an incident's journal. The journal is append-only: a
// correction is a new entry whose Amends is the corrected entry's ID.
type Entry struct {
	ID         int64
	IncidentID int64
	At         time.Time
	Author     string // member handle; "" for system entries
	Kind       EntryKind
	Text       string // exactly as typed; sanitise when drawing
	Amends     int64  // 0, or the ID of the entry this one corrects
	// From and To are the change a KindStatus entry records ("" for other
	// kinds): read them, never the text.
	From, To Status
	// ClientID is drawn by the writer before its first attempt, so that a
	// retry after a commit whose answer was lost (a failover) finds the
	// entry already there instead of posting it twice. "" for entries
	// written by the store's own rules, and for entries older than schema 10.
	ClientID string
}

// IncidentFilter narrows Incidents.
type IncidentFilter struct {
	OpenOnly bool // only statuses before resolved
}

const (
	maxTitleRunes  = 200
	maxEntryBytes  = 8192
	maxTargetBytes = 200
)

var targetRE = lazyRegexp(`^(job|service|site|node)/.+$`)

func (n NewIncident) Validate() (NewIncident, error) {
	if err := CheckLine("incident.title", n.Title, maxTitleRunes); err != nil {
		return n, err
	}
	if n.Severity < 1 || n.Severity > 3 {
		return n, Invalid("incident.severity", itoa(n.Severity), "must be 1 (worst) to 3")
	}
	seen := map[string]bool{}
	var affects []string
	for _, a := range n.Affects {
		if err := checkToken("incident.affects", a, maxTargetBytes); err != nil {
			return n, err
		}
		if !targetRE().MatchString(a) {
			return n, Invalid("incident.affects", a, "must be job/NAME, service/NAME, site/NAME or node/NAME")
		}
		if !seen[a] {
			seen[a] = true
			affects = append(affects, a)
		}
	}
	n.Affects = affects
	return n, nil
}

// CheckEntryText says why text would be refused as an entry (nil if not),
// so a UI can tell the member before posting: not blank, valid UTF-8, at
// most MaxEntryBytes. Newlines and anything else are kept as typed.
func CheckEntryText(text string) error {
	short := text
	if len(short) > 40 {
		short = strings.ToValidUTF8(short[:40], "") + "…"
	}
	if len(text) > maxEntryBytes {
		return Invalid("entry.text", short, fmt.Sprintf("longer than %d bytes (%d)", maxEntryBytes, len(text)))
	}
	if !utf8.ValidString(text) {
		return Invalid("entry.text", short, "not valid UTF-8")
	}
	if strings.TrimSpace(text) == "" {
		return Invalid("entry.text", short, "must not be empty")
	}
	return nil
}

// CheckEntryKind: who may write an entry of kind (by "" is the system).
// Status entries come from status changes only.
func CheckEntryKind(kind EntryKind, by string) error {
	switch kind {
	case KindObservation, KindAction, KindDecision, KindQuestion, KindHandoff:
		if by == "" {
			return Invalid("entry.author", by, "a "+string(kind)+" needs an author")
		}
	case KindSystem:
		if by != "" {
			return Invalid("entry.author", by, "system entries have no author")
		}
	case KindStatus:
		return Invalid("entry.kind", string(kind), "status entries are written by status changes")
	default:
		return Invalid("entry.kind", string(kind), "unknown kind")
	}
	return nil
}
