package oncall

import (
	"context"
	"io"
	"time"
)

// Store is the collective's memory as its consumers see it: one contract,
// with SQLite (oncall/sqlite) and PostgreSQL behind it through the one SQL
// implementation in oncall/sqlstore. Every time it returns is UTC.
type Store interface {
	Members
	Rota
	Journal
	Paging
	Marks
	Decisions

	// Now is the store's clock, the one every timestamp it writes comes from.
	Now() time.Time
	// SetClock replaces that clock (tests and the demo seed); nil is time.Now.
	SetClock(now func() time.Time)
	// Changes tells of commits to the store by anyone (another process
	// included) from now on, coalesced: a receiver that is slow misses none
	// but may get one Change for several commits. Closed when ctx ends.
	Changes(ctx context.Context) <-chan Change
	// Describe is where the store lives, for messages: a path, or a DSN
	// without its password.
	Describe() string
	Close() error
}

// Change says that something was committed to the store. Table names the
// table written when the backend knows it ("" when it does not: SQLite only
// knows that the database moved).
type Change struct {
	Table string
	At    time.Time // when the change was noticed, UTC
}

// Members is members' handles, names, zones, OS users and when they can be reached.
type Members interface {
	AddMember(ctx context.Context, m Member) (Member, error)
	Members(ctx context.Context) ([]Member, error)
	Member(ctx context.Context, handle string) (Member, error)
	MemberByOSUser(ctx context.Context, osUser string) (Member, error)
	Me(ctx context.Context) (Member, error)
	SetAvailability(ctx context.Context, handle string, ws []Window) error
	Availability(ctx context.Context) (map[string][]Window, error)
}

// Rota is rotations, overrides and swaps with consent, leave, handoff notes, the schedule and its history.
type Rota interface {
	CreateRotation(ctx context.Context, r Rotation) (Rotation, error)
	ApplyRotations(ctx context.Context, rs []Rotation) (ApplyResult, error)
	Rotation(ctx context.Context, name string) (Rotation, error)
	Rotations(ctx context.Context) ([]Rotation, error)
	OnCallAt(ctx context.Context, t time.Time) ([]OnCall, error)
	ProposeOverride(ctx context.Context, by string, req OverrideRequest) (Override, error)
	ProposeSwap(ctx context.Context, by string, req SwapRequest) ([]Override, error)
	ConfirmOverride(ctx context.Context, by string, id int64) ([]Override, error)
	WithdrawOverride(ctx context.Context, by string, id int64) ([]Override, error)
	Overrides(ctx context.Context, from, to time.Time, statuses ...OverrideStatus) ([]Override, error)
	Override(ctx context.Context, id int64) (Override, error)
	AwaitingConsent(ctx context.Context, handle string) ([]Override, error)
	AddLeave(ctx context.Context, by string, l Leave) (Leave, error)
	Leave(ctx context.Context, id int64) (Leave, error)
	RemoveLeave(ctx context.Context, by string, id int64) error
	Leaves(ctx context.Context, from, to time.Time) ([]Leave, error)
	WriteHandoffNote(ctx context.Context, by, rotation, text string) (HandoffNote, error)
	Schedule(ctx context.Context, from, to time.Time) ([]RotationSchedule, error)
	OnCallHistory(ctx context.Context, from, to time.Time) ([]HeldShift, error)
	ICal(ctx context.Context, w io.Writer, member string, from, to time.Time) error
}

// Journal is incidents, their timelines, roles, actions, retros and the cluster actions log.
type Journal interface {
	OpenIncident(ctx context.Context, by string, n NewIncident) (Incident, error)
	Incident(ctx context.Context, id int64) (Incident, error)
	Incidents(ctx context.Context, f IncidentFilter) ([]Incident, error)
	AddEntry(ctx context.Context, incidentID int64, by string, kind EntryKind, text string) (Entry, error)
	AmendEntry(ctx context.Context, entryID int64, by string, text string) (Entry, error)
	Entries(ctx context.Context, incidentID int64) ([]Entry, error)
	SetStatus(ctx context.Context, incidentID int64, by string, to Status) error
	EntriesSince(ctx context.Context, incidentID, afterID int64) ([]Entry, error)
	RecordTransition(ctx context.Context, incidentID int64, t Transition, recordedBy string) (e Entry, recorded bool, err error)
	CapturedTransitions(ctx context.Context, incidentID int64) ([]Captured, error)
	TakeRole(ctx context.Context, incidentID int64, by string, role Role, takeOver bool) (RoleSpan, error)
	LeaveRole(ctx context.Context, incidentID int64, by string, role Role) (RoleSpan, error)
	Roles(ctx context.Context, incidentID int64) ([]RoleSpan, error)
	AddAction(ctx context.Context, incidentID int64, by string, n NewAction) (ActionItem, error)
	UpdateAction(ctx context.Context, actionID int64, by string, state ActionState, owner, due *string) (ActionItem, error)
	Action(ctx context.Context, id int64) (ActionItem, error)
	Actions(ctx context.Context, f ActionFilter) ([]ActionItem, error)
	Retro(ctx context.Context, incidentID int64) (Retro, error)
	AddRetroNote(ctx context.Context, incidentID int64, by string, sec Section, text string) (RetroNote, error)
	RemoveRetroNote(ctx context.Context, noteID int64) error
	RetroNotes(ctx context.Context, incidentID int64) ([]RetroNote, error)
	RecordAction(ctx context.Context, a ClusterAction) (ActionRecorded, error)
	// EntriesOf, RolesOf and RetroNotesOf read what Entries, Roles and
	// RetroNotes read, for many incidents at once (a whole window's, for
	// the care table), keyed by incident ID, each list in the same order;
	// an incident with nothing, or unknown, has no key.
	EntriesOf(ctx context.Context, incidentIDs []int64) (map[int64][]Entry, error)
	RolesOf(ctx context.Context, incidentIDs []int64) (map[int64][]RoleSpan, error)
	RetroNotesOf(ctx context.Context, incidentIDs []int64) (map[int64][]RetroNote, error)
	ClusterActions(ctx context.Context, from, to time.Time) ([]ClusterAction, error)
}

// Paging is the pager's lease, the outages it follows, pages and deliveries, contacts and policy.
type Paging interface {
	AcquireLease(ctx context.Context, holder string, ttl time.Duration) (l Lease, ok bool, err error)
	LeaseHeld(ctx context.Context, l Lease) bool
	SyncOutages(ctx context.Context, l Lease, now []PagedOutage) ([]PagedOutage, error)
	EndOutage(ctx context.Context, l Lease, id int64) error
	SetOutageRotation(ctx context.Context, l Lease, id int64, rotation string) error
	AttachIncident(ctx context.Context, l Lease, id, incidentID int64) error
	PagedOutage(ctx context.Context, id int64) (PagedOutage, error)
	ClaimPage(ctx context.Context, l Lease, outageID int64, step int, member string, text func(id int64) string) (p Page, created bool, err error)
	RecordDelivery(ctx context.Context, pageID int64, d Delivery) error
	Pages(ctx context.Context, f PageFilter) ([]Page, error)
	PageByID(ctx context.Context, id int64) (Page, error)
	OpenIncidentAbout(ctx context.Context, o PagedOutage) (Incident, bool, error)
	AckPage(ctx context.Context, pageID int64, by string) (AckResult, error)
	JournalPages(ctx context.Context, outageID int64) error
	OpenPagedOutages(ctx context.Context) ([]PagedOutage, error)
	PagedOutages(ctx context.Context, limit int) ([]PagedOutage, error)
	AddContact(ctx context.Context, handle string, c Contact) (Contact, error)
	Contacts(ctx context.Context) (map[string][]Contact, error)
	RemoveContact(ctx context.Context, handle string, id int64) error
	ApplyPagingPolicy(ctx context.Context, p PagingPolicy) (string, error)
	PagingPolicy(ctx context.Context) (PagingPolicy, bool, error)
	Reachable(ctx context.Context, t time.Time) (map[string]bool, error)
}

// Marks is one-off marks on the database itself.
type Marks interface {
	MarkSeeded(ctx context.Context, by string) error
	Seeded(ctx context.Context) (bool, time.Time, error)
}

// Decisions is proposals to the collective: positions, implications,
// amendments, outcomes, their history and who has been told (decisions.go).
type Decisions interface {
	OpenProposal(ctx context.Context, by string, n NewProposal) (Proposal, error)
	Proposal(ctx context.Context, id int64) (Proposal, error)
	Proposals(ctx context.Context, f ProposalFilter) ([]Proposal, error)
	TakePosition(ctx context.Context, id int64, by string, stance Stance, text string) (Position, error)
	AddImplication(ctx context.Context, id int64, by, text string) (Implication, error)
	Amend(ctx context.Context, id int64, by, text string) (Proposal, error)
	CloseProposal(ctx context.Context, id int64, by string, o NewOutcome) (Proposal, error)
	Withdraw(ctx context.Context, id int64, by, statement string) (Proposal, error)
	ProposalEvents(ctx context.Context, from, to time.Time) ([]ProposalEvent, error)
	DecisionNotices(ctx context.Context, member string) ([]ProposalEvent, error)
	MarkDecisionsSeen(ctx context.Context, member string, upTo int64) error
	NotableProposalEvents(ctx context.Context, since time.Time) ([]ProposalEvent, error)
	ClaimDecisionNotice(ctx context.Context, l Lease, event int64, member string) (id int64, created bool, err error)
	RecordDecisionNotice(ctx context.Context, id int64, delivered bool, outcome string) error
}
