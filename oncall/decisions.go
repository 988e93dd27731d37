package oncall

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Decisions taken together: a member brings a change up as a proposal
// (its driver, the proposal text, what it affects), anyone adds what it
// implies, every member may take a position, the author may amend it, and
// an outcome is recorded with what it creates. Nothing is deleted: each
// change is an event of the proposal's history. This file holds the types
// and the pure rules; decisions_store.go reads and writes them.

// Process is how a proposal is decided.
type Process string

const (
	// ProcessConsent adopts a proposal once its closing time has passed
	// with no standing objection (and the quorum reached).
	ProcessConsent Process = "consent"
	// ProcessConsensus needs every member who took part to agree.
	ProcessConsensus Process = "consensus"
)

// Stance is a member's position on a proposal.
type Stance string

const (
	StanceConsent   Stance = "consent"
	StanceConcern   Stance = "concern"   // noted, does not block
	StanceObjection Stance = "objection" // blocks; a reason is required
	StanceAbstain   Stance = "abstain"
)

// Stances is every stance, in the order a state line reads.
var Stances = []Stance{StanceConsent, StanceConcern, StanceObjection, StanceAbstain}

// ProposalState is where a proposal stands: open, or its outcome.
type ProposalState string

const (
	ProposalOpen        ProposalState = "open"
	OutcomeAdopted      ProposalState = "adopted"
	OutcomeWithdrawn    ProposalState = "withdrawn"
	OutcomeNotAdopted   ProposalState = "not_adopted"
	OutcomeExpired      ProposalState = "expired"
	defaultClosingAfter               = 7 * 24 * time.Hour
)

// ProposalFilter narrows Proposals.
type ProposalFilter struct {
	OpenOnly bool
}

// Outcomes are the states a proposal may close in.
var Outcomes = []ProposalState{OutcomeAdopted, OutcomeWithdrawn, OutcomeNotAdopted, OutcomeExpired}

// ParseOutcome reads an outcome as typed ("not-adopted" and "not adopted"
// are accepted).
func ParseOutcome(s string) (ProposalState, error) {
	n := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	for _, o := range Outcomes {
		if string(o) == n {
			return o, nil
		}
	}
	return "", Invalid("outcome.outcome", s, "must be adopted, withdrawn, not_adopted or expired")
}

// ParseStance reads a stance as typed.
func ParseStance(s string) (Stance, error) {
	for _, x := range Stances {
		if string(x) == strings.ToLower(strings.TrimSpace(s)) {
			return x, nil
		}
	}
	return "", Invalid("position.stance", s, "must be consent, concern, objection or abstain")
}

// Words is the outcome as a sentence reads it: "not adopted".
func (p ProposalState) Words() string { return strings.ReplaceAll(string(p), "_", " ") }

// Proposal is a change brought to the collective, as it stands now.
type Proposal struct {
	ID      int64
	Title   string
	Driver  string   // the need or problem: often an incident or a retro's factor
	Text    string   // the current version's text
	Version int      // 1, then one more per amendment
	Affects []string // service/X, site/S, node/N, rotation/R
	Process Process
	// Quorum is the minimum number of positions on the current version
	// before anything is adopted; QuorumDefault says it was not given
	// (half the members, rounded up, counted when read).
	Quorum        int
	QuorumDefault bool
	ClosesAt      time.Time
	OpenedBy      string
	OpenedAt      time.Time
	State         ProposalState
	// Links: the incident, the retro action item or factor it came from
	// (0 when none).
	IncidentID, ActionItemID, FactorID int64

	Versions     []ProposalVersion
	Implications []Implication
	Positions    []Position // every member's current position, by handle
	Outcome      *Outcome   // nil while open
	Actions      []DecisionAction
	History      []ProposalEvent
	Members      int // the collective's size when read, for the quorum
}

// ProposalVersion is one text of a proposal: 1 at opening, then each
// amendment by its author.
type ProposalVersion struct {
	Version int
	Text    string
	Author  string
	At      time.Time
}

// Implication is something the proposal implies: a cost, who must do
// what, who hosts what afterwards. Anyone may add one.
type Implication struct {
	ID     int64
	Text   string
	Author string
	At     time.Time
}

// Position is a member's stance on one version of a proposal. A member
// has one current position; earlier ones stay in the history.
type Position struct {
	ID      int64
	Member  string
	Stance  Stance
	Text    string
	Version int // the version it was taken on
	At      time.Time
}

// Outcome is how a proposal closed: what was decided and by whom it will
// be done, and when to look at it again.
type Outcome struct {
	State     ProposalState
	Statement string
	ReviewOn  string // YYYY-MM-DD, "" for none
	By        string
	At        time.Time
}

// DecisionAction is work an adopted proposal creates, owned by a member
// who consented to it.
type DecisionAction struct {
	ID         int64
	ProposalID int64
	Title      string
	Owner      string
	Due        string // YYYY-MM-DD or ""
	CreatedAt  time.Time
}

// EventKind says what changed in a proposal's history.
type EventKind string

const (
	EventOpened      EventKind = "opened"
	EventImplication EventKind = "implication"
	EventPosition    EventKind = "position"
	EventObjection   EventKind = "objection" // a position that is an objection
	EventAmended     EventKind = "amended"
	EventClosed      EventKind = "closed"
)

// ProposalEvent is one change of a proposal, as the journal keeps entries.
type ProposalEvent struct {
	ID         int64
	ProposalID int64
	At         time.Time
	Actor      string
	Kind       EventKind
	Text       string // as written; sanitise when drawing
}

// NewProposal is what a member types to open a proposal.
type NewProposal struct {
	Title, Driver, Text string
	Affects             []string
	Process             Process   // "" is consent
	ClosesAt            time.Time // zero: a week from now
	Quorum              int       // 0: half the members, rounded up
	IncidentID          int64
	ActionItemID        int64
	FactorID            int64
}

// NewOutcome is what a member records to close a proposal.
type NewOutcome struct {
	State     ProposalState
	Statement string
	ReviewOn  string
	Actions   []NewAction // adopted only; owners must have consented
}

var proposalTargetRE = lazyRegexp(`^(service|site|node|rotation)/[^/\s]+$`)

// decisionActionRunes is the cap on an action item title (as the retro's).
const decisionActionRunes = 300

// CheckText is CheckEntryText under another field name.
func CheckText(field, text string) error {
	if err := CheckEntryText(text); err != nil {
		ve := err.(*ValidationError)
		ve.Field = field
		return ve
	}
	return nil
}

// Validate checks a new proposal against now and the collective's size;
// it fills the defaults (process, closing time).
func (n NewProposal) Validate(now time.Time, members int) (NewProposal, error) {
	if err := CheckLine("proposal.title", n.Title, maxTitleRunes); err != nil {
		return n, err
	}
	if err := CheckText("proposal.driver", n.Driver); err != nil {
		return n, err
	}
	if err := CheckText("proposal.text", n.Text); err != nil {
		return n, err
	}
	switch n.Process {
	case "":
		n.Process = ProcessConsent
	case ProcessConsent, ProcessConsensus:
	default:
		return n, Invalid("proposal.process", string(n.Process), "must be consent or consensus")
	}
	if n.ClosesAt.IsZero() {
		n.ClosesAt = now.Add(defaultClosingAfter)
	}
	if !n.ClosesAt.After(now) {
		return n, Invalid("proposal.closes_at", n.ClosesAt.UTC().Format(time.RFC3339), "is not in the future")
	}
	if n.Quorum < 0 || n.Quorum > members {
		return n, Invalid("proposal.quorum", itoa(n.Quorum), fmt.Sprintf("must be between 1 and the %d members (0: half of them)", members))
	}
	seen := map[string]bool{}
	var affects []string
	for _, a := range n.Affects {
		if !proposalTargetRE().MatchString(a) {
			return n, Invalid("proposal.affects", a, "must be service/NAME, site/NAME, node/NAME or rotation/NAME")
		}
		if !seen[a] {
			seen[a] = true
			affects = append(affects, a)
		}
	}
	if len(affects) == 0 {
		return n, Invalid("proposal.affects", "", "must name what the change affects (service/…, site/…, node/…, rotation/…)")
	}
	n.Affects = affects
	return n, nil
}

// DefaultQuorum is half the members, rounded up (at least 1).
func DefaultQuorum(members int) int { return max((members+1)/2, 1) }

// QuorumNeeded is the proposal's quorum as it applies now.
func (p Proposal) QuorumNeeded() int {
	if p.QuorumDefault || p.Quorum <= 0 {
		return DefaultQuorum(p.Members)
	}
	return p.Quorum
}

// Tally counts the current positions by stance; Stale are those taken on
// an older version (their authors are asked to confirm them).
type Tally struct {
	Count   map[Stance]int
	Current int // positions on the current version
	Stale   []string
	// Objectors hold a standing objection (on any version: an amendment
	// does not lift an objection, its author does).
	Objectors []string
}

// Tally counts p's current positions.
func (p Proposal) Tally() Tally {
	t := Tally{Count: map[Stance]int{}}
	for _, pos := range p.Positions {
		t.Count[pos.Stance]++
		if pos.Version == p.Version {
			t.Current++
		} else {
			t.Stale = append(t.Stale, pos.Member)
		}
		if pos.Stance == StanceObjection {
			t.Objectors = append(t.Objectors, pos.Member)
		}
	}
	return t
}

// PositionOf is member's current position, if any.
func (p Proposal) PositionOf(member string) (Position, bool) {
	for _, pos := range p.Positions {
		if pos.Member == member {
			return pos, true
		}
	}
	return Position{}, false
}

// StateLine is the proposal's state in one line: "2 consent · 1 concern ·
// 1 objection · closes in 3d" (or its outcome).
func (p Proposal) StateLine(now time.Time) string {
	t := p.Tally()
	var parts []string
	for _, s := range Stances {
		if n := t.Count[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no position yet")
	}
	if len(t.Stale) > 0 {
		parts = append(parts, fmt.Sprintf("%d to confirm", len(t.Stale)))
	}
	switch {
	case p.State != ProposalOpen:
		parts = append(parts, p.State.Words())
	case now.Before(p.ClosesAt):
		parts = append(parts, "closes in "+shortDuration(p.ClosesAt.Sub(now)))
	default:
		parts = append(parts, "closed "+shortDuration(now.Sub(p.ClosesAt))+" ago, outcome to record")
	}
	return strings.Join(parts, " · ")
}

// QuorumLine states the quorum as the screens show it.
func (p Proposal) QuorumLine() string {
	q := p.QuorumNeeded()
	how := fmt.Sprintf("half of the %d members, rounded up", p.Members)
	if !p.QuorumDefault && p.Quorum > 0 {
		how = "set when opened"
	}
	return fmt.Sprintf("quorum %d positions on version %d (%s): %d so far", q, p.Version, how, p.Tally().Current)
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", max(int(d/time.Minute), 1))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// CheckPosition is the rule for taking a position at now.
func (p Proposal) CheckPosition(now time.Time, stance Stance, text string) error {
	if _, err := ParseStance(string(stance)); err != nil {
		return err
	}
	if p.State != ProposalOpen {
		return Invalid("proposal.state", string(p.State), "is closed: no more positions")
	}
	if !now.Before(p.ClosesAt) {
		return Invalid("proposal.closes_at", p.ClosesAt.UTC().Format(time.RFC3339), "has passed: no more positions")
	}
	if stance == StanceObjection && strings.TrimSpace(text) == "" {
		return Invalid("position.text", text, "an objection needs its reason")
	}
	if text != "" {
		return CheckText("position.text", text)
	}
	return nil
}

// CheckOutcome is the rule for recording outcome o by member by at now.
func (p Proposal) CheckOutcome(now time.Time, by string, o NewOutcome) error {
	if p.State != ProposalOpen {
		return Invalid("proposal.state", string(p.State), "already has its outcome")
	}
	if _, err := ParseOutcome(string(o.State)); err != nil {
		return err
	}
	if err := CheckText("outcome.statement", o.Statement); err != nil {
		return err
	}
	if o.ReviewOn != "" {
		d, err := time.Parse(time.DateOnly, o.ReviewOn)
		if err != nil {
			return Invalid("outcome.review_on", o.ReviewOn, "must be a date YYYY-MM-DD")
		}
		if !d.After(now) {
			return Invalid("outcome.review_on", o.ReviewOn, "is not in the future")
		}
	}
	if len(o.Actions) > 0 && o.State != OutcomeAdopted {
		return Invalid("outcome.actions", o.Actions[0].Title, "only an adopted proposal creates action items")
	}
	t := p.Tally()
	closed := !now.Before(p.ClosesAt)
	switch o.State {
	case OutcomeWithdrawn:
		if by != p.OpenedBy {
			return Invalid("outcome.by", by, "only the author, "+p.OpenedBy+", withdraws a proposal")
		}
	case OutcomeExpired:
		if !closed {
			return Invalid("outcome.outcome", string(o.State), "the proposal closes at "+p.ClosesAt.UTC().Format(time.RFC3339)+": it has not expired")
		}
	case OutcomeAdopted:
		if len(t.Objectors) > 0 && p.Process == ProcessConsent {
			return Invalid("outcome.outcome", string(o.State), "an objection stands ("+strings.Join(t.Objectors, ", ")+"): under consent it cannot be adopted")
		}
		if t.Current < p.QuorumNeeded() {
			return Invalid("outcome.outcome", string(o.State), fmt.Sprintf("quorum not reached: %d of %d positions on version %d", t.Current, p.QuorumNeeded(), p.Version))
		}
		if p.Process == ProcessConsensus {
			for _, pos := range p.Positions {
				if pos.Version != p.Version || (pos.Stance != StanceConsent && pos.Stance != StanceAbstain) {
					return Invalid("outcome.outcome", string(o.State), "under consensus every member who took part agrees: "+pos.Member+" has "+string(pos.Stance)+" on version "+itoa(pos.Version))
				}
			}
		}
		if !closed && t.Current < p.Members {
			return Invalid("outcome.outcome", string(o.State), "the proposal closes at "+p.ClosesAt.UTC().Format(time.RFC3339)+" and not every member has taken a position yet")
		}
		for _, a := range o.Actions {
			if err := CheckLine("action.title", a.Title, decisionActionRunes); err != nil {
				return err
			}
			if err := CheckDue(a.Due); err != nil {
				return err
			}
			pos, ok := p.PositionOf(a.Owner)
			if a.Owner == "" || !ok || pos.Stance != StanceConsent || pos.Version != p.Version {
				return Invalid("action.owner", a.Owner, "an action's owner must be a member who consented to version "+itoa(p.Version))
			}
		}
	}
	return nil
}

// Notable says whether an event is told to every member: a proposal
// opens, gets an objection, closes.
func (k EventKind) Notable() bool {
	return k == EventOpened || k == EventObjection || k == EventClosed
}

var (
	actionOwnerRE = lazyRegexp(`(?:^|\s)@([a-z][a-z0-9_-]*)`)
	actionDueRE   = lazyRegexp(`(?:^|\s)(\d{4}-\d{2}-\d{2})(?:\s|$)`)
)

// ParseNewAction reads "title @owner YYYY-MM-DD" (owner and date optional,
// anywhere in the line), as the retro and the outcome of a proposal take
// action items.
func ParseNewAction(s string) NewAction {
	var a NewAction
	if mm := actionOwnerRE().FindStringSubmatch(s); mm != nil {
		a.Owner = mm[1]
		s = strings.Replace(s, "@"+mm[1], "", 1)
	}
	if mm := actionDueRE().FindStringSubmatch(s); mm != nil {
		a.Due = mm[1]
		s = strings.Replace(s, mm[1], "", 1)
	}
	a.Title = strings.Join(strings.Fields(s), " ")
	return a
}

// SortProposals puts open proposals first, closing soonest first, then
// the closed ones, latest first.
func SortProposals(ps []Proposal) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if (a.State == ProposalOpen) != (b.State == ProposalOpen) {
			return a.State == ProposalOpen
		}
		if a.State == ProposalOpen {
			return a.ClosesAt.Before(b.ClosesAt)
		}
		return a.ID > b.ID
	})
}
