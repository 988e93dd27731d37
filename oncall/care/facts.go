package care

import (
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Facts is everything the figures are computed from. Each slice may be
// empty when the store does not record that kind of fact yet; Missing then
// says so, and the figures that depend on it stay at zero.
type Facts struct {
	Members   []Member
	Machines  []Machine // who hosts which machine (node meta hosted_by)
	Shifts    []HeldShift
	Incidents []Incident
	// Entries of every incident in Incidents (any order). Status entries
	// carry the change in From/To.
	Entries     []Entry
	Roles       []RolePeriod
	ActionItems []ActionItem
	Retros      []Retro
	Pages       []Page
	// Actions done from entretien outside any incident (the action log);
	// those inside one are action entries in Entries.
	Actions []LoggedAction
	// Decisions are the proposal events of the window (opened, an
	// implication, a position, closed…); Proposals the proposals active in
	// it, for who hosts the machines they affect.
	Decisions []DecisionEvent
	Proposals []Proposal
	// ServiceNodes says on which nodes each service (or job) runs, from
	// the cluster like Machines: a proposal about a service affects the
	// hosts of those machines.
	ServiceNodes map[string][]string
	// Missing names the facts the loader could not read, one line each
	// ("shift history: planned rota used, overrides not applied").
	Missing []string
}

// Member is a person whose hours are read in their own time zone.
type Member struct {
	Handle string
	TZ     string // IANA zone; UTC when unknown
}

// Machine is a node of the cluster and the member who hosts it at home.
type Machine struct {
	Node, Site string
	HostedBy   string // member handle, "" when nobody is recorded
}

// HeldShift is an on-call interval a member actually held, [Start, End).
type HeldShift struct {
	Member, Rotation string
	Start, End       time.Time
	// Covering is the member whose turn this was, when Member took it over
	// (an override or a swap); "" for one's own turn.
	Covering string
	// InProgress marks the stretch being held now: computed from the rota
	// and its overrides, not yet frozen into the history.
	InProgress bool
}

// Incident is what the figures need of an incident.
type Incident struct {
	ID       int64
	Title    string
	Affects  []string // "service/guichet", "job/garage", "site/lyon", "node/paris-1"
	OpenedAt time.Time
	OpenedBy string // "" if opened by the system
}

// Entry is one journal entry. For KindStatus, From and To hold the change.
type Entry struct {
	ID, IncidentID int64
	At             time.Time
	Author         string // "" for system entries
	Kind           oncall.EntryKind
	From, To       oncall.Status
}

// RolePeriod is a member holding an incident role (lead, scribe, helper)
// from Start until End (zero End: still held).
type RolePeriod struct {
	IncidentID int64
	Member     string
	Role       string
	Start, End time.Time
}

// ActionItem is a follow-up with an owner. ClosedAt is zero while open.
type ActionItem struct {
	ID, IncidentID int64
	Title          string
	Owner          string
	State          string
	Due            time.Time
	CreatedAt      time.Time
	ClosedAt       time.Time
	// ClosedBy is the member who set it done or dropped; "" when not
	// recorded (items closed before the store kept it): the owner is
	// credited, and the fact says so.
	ClosedBy string
	// A "dropped" item ends its ownership but does not count as closed.
}

// Retro is a written review of an incident.
type Retro struct {
	ID, IncidentID int64
	At             time.Time
	Authors        []string
}

// Page is one page sent to a member (resolved messages excluded); Acked is
// when the member acknowledged its outage (zero when another did, or
// nobody).
type Page struct {
	ID     int64
	Member string
	At     time.Time
	Acked  time.Time
}

// LoggedAction is a row of the action log: a cluster action (restart,
// drain…) a member did through entretien while no incident in progress
// touched it. OK: Nomad accepted it.
type LoggedAction struct {
	ID   int64
	At   time.Time
	By   string
	What string
	OK   bool
}

// DecisionEvent is one change of a proposal made by a member.
type DecisionEvent struct {
	ID, ProposalID int64
	At             time.Time
	By             string
	Kind           oncall.EventKind
	Text           string
}

// Proposal is what the hosting figures need of a proposal: what it
// affects and who took a position on it (any version).
type Proposal struct {
	ID       int64
	Title    string
	Affects  []string // service/X, site/S, node/N, rotation/R
	OpenedAt time.Time
	State    oncall.ProposalState
	Heard    []string // members who took a position
}
