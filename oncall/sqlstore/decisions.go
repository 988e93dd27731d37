package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Decisions taken together (oncall/decisions.go holds the types and the
// rules). Every write is one write transaction that re-reads the proposal
// and applies the rules to what it read; its outer results are set anew at
// each run, since PostgreSQL's Write may run it again.

// decisionMember is memberID for the decisions' rules: an unknown member is
// bad input naming its field, not a lookup that found nothing.
func decisionMember(ctx context.Context, q Querier, field, handle string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM members WHERE handle = ?`, handle).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, oncall.Invalid(field, handle, "no such member")
	}
	return id, err
}

// insertRow is insertID with the RETURNING id written once here.
func insertRow(ctx context.Context, tx *Tx, q string, args ...any) (int64, error) {
	return insertID(ctx, tx, q+` RETURNING id`, args...)
}

func addEvent(ctx context.Context, tx *Tx, proposal int64, at time.Time, actor int64, kind oncall.EventKind, text string) error {
	_, err := insertRow(ctx, tx, `INSERT INTO proposal_events(proposal_id, at, actor_id, kind, text) VALUES (?, ?, ?, ?, ?)`,
		proposal, encodeTime(at), actor, string(kind), text)
	return err
}

// OpenProposal opens a proposal by member by: version 1 of its text, its
// affects and links, and the "opened" event every member is told of.
func (s *Store) OpenProposal(ctx context.Context, by string, n oncall.NewProposal) (oncall.Proposal, error) {
	now := s.now()
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		author, err := decisionMember(ctx, tx, "proposal.by", by)
		if err != nil {
			return err
		}
		var members int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM members`).Scan(&members); err != nil {
			return err
		}
		if n, err = n.Validate(now, members); err != nil {
			return err
		}
		if err := checkLinks(ctx, tx, n); err != nil {
			return err
		}
		for _, a := range n.Affects {
			if name, ok := strings.CutPrefix(a, "rotation/"); ok {
				var c int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rotations WHERE name = ?`, name).Scan(&c); err != nil {
					return err
				}
				if c == 0 {
					return oncall.Invalid("proposal.affects", a, "no such rotation")
				}
			}
		}
		if id, err = insertRow(ctx, tx, `INSERT INTO proposals(title, driver, process, quorum, closes_at, incident_id, action_item_id,
			factor_id, opened_by, opened_at, state, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 1)`,
			n.Title, n.Driver, string(n.Process), n.Quorum, encodeTime(n.ClosesAt), optID(n.IncidentID), optID(n.ActionItemID),
			optID(n.FactorID), author, encodeTime(now)); err != nil {
			return err
		}
		for i, a := range n.Affects {
			if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_affects(proposal_id, position, target) VALUES (?, ?, ?)`, id, i, a); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_versions(proposal_id, version, text, author_id, at) VALUES (?, 1, ?, ?, ?)`,
			id, n.Text, author, encodeTime(now)); err != nil {
			return err
		}
		return addEvent(ctx, tx, id, now, author, oncall.EventOpened, n.Title)
	})
	if err != nil {
		return oncall.Proposal{}, opError("open proposal", err)
	}
	return s.Proposal(ctx, id)
}

func optID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// checkLinks: the incident, action item and factor exist, and agree with
// each other (an action item or factor fills in its incident).
func checkLinks(ctx context.Context, tx *Tx, n oncall.NewProposal) error {
	if n.IncidentID != 0 {
		if _, err := incidentStatus(ctx, tx, n.IncidentID); errors.Is(err, oncall.ErrNotFound) {
			return oncall.Invalid("proposal.incident", strconv.FormatInt(n.IncidentID, 10), "no such incident")
		} else if err != nil {
			return err
		}
	}
	check := func(field, q string, id int64) error {
		if id == 0 {
			return nil
		}
		var inc int64
		err := tx.QueryRowContext(ctx, q, id).Scan(&inc)
		if errors.Is(err, sql.ErrNoRows) {
			return oncall.Invalid(field, strconv.FormatInt(id, 10), "no such "+strings.TrimPrefix(field, "proposal."))
		}
		if err != nil {
			return err
		}
		if n.IncidentID != 0 && inc != n.IncidentID {
			return oncall.Invalid(field, strconv.FormatInt(id, 10), fmt.Sprintf("belongs to incident #%d, not #%d", inc, n.IncidentID))
		}
		return nil
	}
	if err := check("proposal.action_item", `SELECT incident_id FROM action_items WHERE id = ?`, n.ActionItemID); err != nil {
		return err
	}
	return check("proposal.factor", `SELECT incident_id FROM retro_notes WHERE id = ? AND section = 'factor'`, n.FactorID)
}

// loadProposal reads one proposal whole through q (the pool, or the write
// transaction that is about to apply the rules to it).
func loadProposal(ctx context.Context, q Querier, id int64) (oncall.Proposal, error) {
	var p oncall.Proposal
	var process, state, closes, opened string
	var inc, act, factor sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT p.id, p.title, p.driver, p.process, p.quorum, p.closes_at, p.incident_id, p.action_item_id,
		p.factor_id, m.handle, p.opened_at, p.state, p.version, (SELECT count(*) FROM members)
		FROM proposals p JOIN members m ON m.id = p.opened_by WHERE p.id = ?`, id).Scan(
		&p.ID, &p.Title, &p.Driver, &process, &p.Quorum, &closes, &inc, &act, &factor, &p.OpenedBy, &opened, &state, &p.Version, &p.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return oncall.Proposal{}, fmt.Errorf("proposal %d: %w", id, oncall.ErrNotFound)
	}
	if err != nil {
		return oncall.Proposal{}, fmt.Errorf("proposal %d: %w", id, err)
	}
	p.Process, p.State = oncall.Process(process), oncall.ProposalState(state)
	p.QuorumDefault = p.Quorum == 0
	p.IncidentID, p.ActionItemID, p.FactorID = inc.Int64, act.Int64, factor.Int64
	if p.ClosesAt, err = decodeTime(closes); err != nil {
		return oncall.Proposal{}, err
	}
	if p.OpenedAt, err = decodeTime(opened); err != nil {
		return oncall.Proposal{}, err
	}
	if err := eachRow(ctx, q, func(r *sql.Rows) error {
		var a string
		if err := r.Scan(&a); err != nil {
			return err
		}
		p.Affects = append(p.Affects, a)
		return nil
	}, `SELECT target FROM proposal_affects WHERE proposal_id = ? ORDER BY position`, id); err != nil {
		return oncall.Proposal{}, err
	}
	if err := eachRow(ctx, q, func(r *sql.Rows) error {
		var v oncall.ProposalVersion
		var at string
		if err := r.Scan(&v.Version, &v.Text, &v.Author, &at); err != nil {
			return err
		}
		var err error
		v.At, err = decodeTime(at)
		p.Versions = append(p.Versions, v)
		return err
	}, `SELECT v.version, v.text, m.handle, v.at FROM proposal_versions v JOIN members m ON m.id = v.author_id
		WHERE v.proposal_id = ? ORDER BY v.version`, id); err != nil {
		return oncall.Proposal{}, err
	}
	if n := len(p.Versions); n > 0 {
		p.Text = p.Versions[n-1].Text
	}
	if err := eachRow(ctx, q, func(r *sql.Rows) error {
		var im oncall.Implication
		var at string
		if err := r.Scan(&im.ID, &im.Text, &im.Author, &at); err != nil {
			return err
		}
		var err error
		im.At, err = decodeTime(at)
		p.Implications = append(p.Implications, im)
		return err
	}, `SELECT i.id, i.text, m.handle, i.at FROM proposal_implications i JOIN members m ON m.id = i.author_id
		WHERE i.proposal_id = ? ORDER BY i.id`, id); err != nil {
		return oncall.Proposal{}, err
	}
	// A member's current position is their latest row.
	if err := eachRow(ctx, q, func(r *sql.Rows) error {
		var pos oncall.Position
		var stance, at string
		if err := r.Scan(&pos.ID, &pos.Member, &stance, &pos.Text, &pos.Version, &at); err != nil {
			return err
		}
		pos.Stance = oncall.Stance(stance)
		var err error
		pos.At, err = decodeTime(at)
		p.Positions = append(p.Positions, pos)
		return err
	}, `SELECT x.id, m.handle, x.stance, x.text, x.version, x.at FROM proposal_positions x JOIN members m ON m.id = x.member_id
		WHERE x.proposal_id = ? AND x.id = (SELECT max(y.id) FROM proposal_positions y WHERE y.proposal_id = x.proposal_id AND y.member_id = x.member_id)
		ORDER BY m.handle`, id); err != nil {
		return oncall.Proposal{}, err
	}
	var o oncall.Outcome
	var oState, oAt string
	err = q.QueryRowContext(ctx, `SELECT o.outcome, o.statement, o.review_on, m.handle, o.at FROM proposal_outcomes o
		JOIN members m ON m.id = o.author_id WHERE o.proposal_id = ?`, id).Scan(&oState, &o.Statement, &o.ReviewOn, &o.By, &oAt)
	switch {
	case err == nil:
		o.State = oncall.ProposalState(oState)
		if o.At, err = decodeTime(oAt); err != nil {
			return oncall.Proposal{}, err
		}
		p.Outcome = &o
	case !errors.Is(err, sql.ErrNoRows):
		return oncall.Proposal{}, err
	}
	if err := eachRow(ctx, q, func(r *sql.Rows) error {
		a := oncall.DecisionAction{ProposalID: id}
		var at string
		if err := r.Scan(&a.ID, &a.Title, &a.Owner, &a.Due, &at); err != nil {
			return err
		}
		var err error
		a.CreatedAt, err = decodeTime(at)
		p.Actions = append(p.Actions, a)
		return err
	}, `SELECT a.id, a.title, m.handle, a.due, a.created_at FROM proposal_actions a JOIN members m ON m.id = a.owner_id
		WHERE a.proposal_id = ? ORDER BY a.id`, id); err != nil {
		return oncall.Proposal{}, err
	}
	p.History, err = readEvents(ctx, q, `WHERE e.proposal_id = ?`, id)
	if err != nil {
		return oncall.Proposal{}, err
	}
	if p.Affects == nil {
		p.Affects = []string{}
	}
	return p, nil
}

func eachRow(ctx context.Context, q Querier, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func readEvents(ctx context.Context, q Querier, where string, args ...any) ([]oncall.ProposalEvent, error) {
	var out []oncall.ProposalEvent
	err := eachRow(ctx, q, func(r *sql.Rows) error {
		var e oncall.ProposalEvent
		var kind, at string
		if err := r.Scan(&e.ID, &e.ProposalID, &at, &e.Actor, &kind, &e.Text); err != nil {
			return err
		}
		e.Kind = oncall.EventKind(kind)
		var err error
		e.At, err = decodeTime(at)
		out = append(out, e)
		return err
	}, `SELECT e.id, e.proposal_id, e.at, m.handle, e.kind, e.text FROM proposal_events e JOIN members m ON m.id = e.actor_id `+
		where+` ORDER BY e.id`, args...)
	return out, err
}

// oncall.Proposal reads one proposal whole.
func (s *Store) Proposal(ctx context.Context, id int64) (oncall.Proposal, error) {
	return loadProposal(ctx, s.db, id)
}

// Proposals lists proposals, open ones first (closing soonest first), then
// the closed ones, latest first.
func (s *Store) Proposals(ctx context.Context, f oncall.ProposalFilter) ([]oncall.Proposal, error) {
	var ids []int64
	q := `SELECT id FROM proposals`
	if f.OpenOnly {
		q += ` WHERE state = 'open'`
	}
	if err := eachRow(ctx, s.db, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}, q+` ORDER BY id`); err != nil {
		return nil, fmt.Errorf("list proposals: %w", err)
	}
	out := make([]oncall.Proposal, 0, len(ids))
	for _, id := range ids {
		p, err := s.Proposal(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	oncall.SortProposals(out)
	return out, nil
}

// inProposal runs fn in a write transaction on the proposal as it stands.
func (s *Store) inProposal(ctx context.Context, id int64, by, op string, fn func(tx *Tx, p oncall.Proposal, actor int64, now time.Time) error) error {
	now := s.now()
	err := s.write(ctx, func(tx *Tx) error {
		actor, err := decisionMember(ctx, tx, "member", by)
		if err != nil {
			return err
		}
		p, err := loadProposal(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, p, actor, now)
	})
	if err != nil {
		return opError(fmt.Sprintf("%s proposal %d", op, id), err)
	}
	return nil
}

// TakePosition records member by's position on the current version; their
// earlier positions stay in the history.
func (s *Store) TakePosition(ctx context.Context, id int64, by string, stance oncall.Stance, text string) (oncall.Position, error) {
	pos := oncall.Position{Member: by, Stance: stance, Text: text}
	err := s.inProposal(ctx, id, by, "position on", func(tx *Tx, p oncall.Proposal, actor int64, now time.Time) error {
		if err := p.CheckPosition(now, stance, text); err != nil {
			return err
		}
		pos.Version, pos.At = p.Version, now
		var err error
		if pos.ID, err = insertRow(ctx, tx, `INSERT INTO proposal_positions(proposal_id, member_id, version, stance, text, at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, actor, p.Version, string(stance), text, encodeTime(now)); err != nil {
			return err
		}
		kind, words := oncall.EventPosition, string(stance)
		if stance == oncall.StanceObjection {
			kind = oncall.EventObjection
		}
		if text != "" {
			words += ": " + text
		}
		return addEvent(ctx, tx, id, now, actor, kind, fmt.Sprintf("%s on version %d", words, p.Version))
	})
	return pos, err
}

// AddImplication adds to what the proposal implies; anyone may, while it
// is open.
func (s *Store) AddImplication(ctx context.Context, id int64, by, text string) (oncall.Implication, error) {
	im := oncall.Implication{Text: text, Author: by}
	err := s.inProposal(ctx, id, by, "add an implication to", func(tx *Tx, p oncall.Proposal, actor int64, now time.Time) error {
		if p.State != oncall.ProposalOpen {
			return oncall.Invalid("proposal.state", string(p.State), "is closed")
		}
		if err := oncall.CheckText("implication.text", text); err != nil {
			return err
		}
		im.At = now
		var err error
		if im.ID, err = insertRow(ctx, tx, `INSERT INTO proposal_implications(proposal_id, text, author_id, at) VALUES (?, ?, ?, ?)`,
			id, text, actor, encodeTime(now)); err != nil {
			return err
		}
		return addEvent(ctx, tx, id, now, actor, oncall.EventImplication, text)
	})
	return im, err
}

// Amend adds a new version of the proposal's text (its author only, while
// open). Positions taken on older versions are then shown as such, and
// their authors asked to confirm them.
func (s *Store) Amend(ctx context.Context, id int64, by, text string) (oncall.Proposal, error) {
	err := s.inProposal(ctx, id, by, "amend", func(tx *Tx, p oncall.Proposal, actor int64, now time.Time) error {
		if p.State != oncall.ProposalOpen {
			return oncall.Invalid("proposal.state", string(p.State), "is closed")
		}
		if by != p.OpenedBy {
			return oncall.Invalid("amendment.by", by, "only the author, "+p.OpenedBy+", amends the proposal (add an implication, or a concern)")
		}
		if err := oncall.CheckText("proposal.text", text); err != nil {
			return err
		}
		if text == p.Text {
			return oncall.Invalid("proposal.text", text, "is the current version already")
		}
		v := p.Version + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_versions(proposal_id, version, text, author_id, at) VALUES (?, ?, ?, ?, ?)`,
			id, v, text, actor, encodeTime(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET version = ? WHERE id = ?`, v, id); err != nil {
			return err
		}
		return addEvent(ctx, tx, id, now, actor, oncall.EventAmended, fmt.Sprintf("version %d", v))
	})
	if err != nil {
		return oncall.Proposal{}, err
	}
	return s.Proposal(ctx, id)
}

// CloseProposal records the outcome and the action items it creates.
func (s *Store) CloseProposal(ctx context.Context, id int64, by string, o oncall.NewOutcome) (oncall.Proposal, error) {
	err := s.inProposal(ctx, id, by, "close", func(tx *Tx, p oncall.Proposal, actor int64, now time.Time) error {
		if err := p.CheckOutcome(now, by, o); err != nil {
			return err
		}
		owners := map[string]int64{}
		for _, a := range o.Actions {
			oid, err := decisionMember(ctx, tx, "action.owner", a.Owner)
			if err != nil {
				return err
			}
			owners[a.Owner] = oid
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_outcomes(proposal_id, outcome, statement, review_on, author_id, at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, string(o.State), o.Statement, o.ReviewOn, actor, encodeTime(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET state = ? WHERE id = ? AND state = 'open'`, string(o.State), id); err != nil {
			return err
		}
		for _, a := range o.Actions {
			if _, err := insertRow(ctx, tx, `INSERT INTO proposal_actions(proposal_id, title, owner_id, due, created_at) VALUES (?, ?, ?, ?, ?)`,
				id, a.Title, owners[a.Owner], a.Due, encodeTime(now)); err != nil {
				return err
			}
		}
		return addEvent(ctx, tx, id, now, actor, oncall.EventClosed, o.State.Words()+": "+o.Statement)
	})
	if err != nil {
		return oncall.Proposal{}, err
	}
	return s.Proposal(ctx, id)
}

// Withdraw closes a proposal as withdrawn (its author only).
func (s *Store) Withdraw(ctx context.Context, id int64, by, statement string) (oncall.Proposal, error) {
	return s.CloseProposal(ctx, id, by, oncall.NewOutcome{State: oncall.OutcomeWithdrawn, Statement: statement})
}

// ProposalEvents lists every proposal event in [from, to), for the care
// figures and the digest.
func (s *Store) ProposalEvents(ctx context.Context, from, to time.Time) ([]oncall.ProposalEvent, error) {
	es, err := readEvents(ctx, s.db, `WHERE e.at >= ? AND e.at < ?`, encodeTime(from), encodeTime(to))
	if err != nil {
		return nil, fmt.Errorf("proposal events: %w", err)
	}
	return es, nil
}

// DecisionNotices are the events member has not been shown yet that they
// are told of: every opening, objection and closing, and the amendments of
// proposals where their position is now on an older version.
func (s *Store) DecisionNotices(ctx context.Context, member string) ([]oncall.ProposalEvent, error) {
	mid, err := decisionMember(ctx, s.db, "member", member)
	if err != nil {
		return nil, err
	}
	es, err := readEvents(ctx, s.db, `WHERE e.id > coalesce((SELECT event_id FROM proposal_seen WHERE member_id = ?), 0)
		AND e.actor_id <> ? AND (e.kind IN ('opened', 'objection', 'closed') OR (e.kind = 'amended' AND EXISTS (
			SELECT 1 FROM proposal_positions x WHERE x.proposal_id = e.proposal_id AND x.member_id = ?)))`, mid, mid, mid)
	if err != nil {
		return nil, fmt.Errorf("decision notices of %s: %w", member, err)
	}
	return es, nil
}

// MarkDecisionsSeen moves member's seen mark to event upTo (never back).
func (s *Store) MarkDecisionsSeen(ctx context.Context, member string, upTo int64) error {
	// Safe to run again: the mark only moves forward to upTo.
	err := s.write(Idempotent(ctx), func(tx *Tx) error {
		mid, err := decisionMember(ctx, tx, "member", member)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO proposal_seen(member_id, event_id) VALUES (?, ?)
			ON CONFLICT (member_id) DO UPDATE SET event_id = excluded.event_id WHERE excluded.event_id > proposal_seen.event_id`, mid, upTo)
		return err
	})
	if err != nil {
		return opError("mark decisions seen", err)
	}
	return nil
}

// NotableProposalEvents are the events members are told of since since,
// for entretien watch to send: every opening, objection and closing, and
// the amendments (told to those whose position they leave to confirm).
func (s *Store) NotableProposalEvents(ctx context.Context, since time.Time) ([]oncall.ProposalEvent, error) {
	es, err := readEvents(ctx, s.db, `WHERE e.at >= ? AND e.kind IN ('opened', 'objection', 'closed', 'amended')`, encodeTime(since))
	if err != nil {
		return nil, fmt.Errorf("notable proposal events: %w", err)
	}
	return es, nil
}

// ClaimDecisionNotice claims the message about event for member under the
// lease l: created is false when it was claimed already (by this watcher
// or another), so none is sent twice. oncall.ErrFenced: l is not the lease.
func (s *Store) ClaimDecisionNotice(ctx context.Context, l oncall.Lease, event int64, member string) (id int64, created bool, err error) {
	err = s.fenced(ctx, l, func(tx *Tx) error {
		id, created = 0, false
		mid, err := decisionMember(ctx, tx, "member", member)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO decision_notices(event_id, member_id, claimed_at, epoch) VALUES (?, ?, ?, ?)
			ON CONFLICT (event_id, member_id) DO NOTHING RETURNING id`, event, mid, encodeTime(s.now()), l.Epoch).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		created = err == nil
		return err
	})
	if err != nil {
		return 0, false, opError("claim decision notice", err)
	}
	return id, created, nil
}

// RecordDecisionNotice records how the claimed message went.
func (s *Store) RecordDecisionNotice(ctx context.Context, id int64, delivered bool, outcome string) error {
	err := s.write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE decision_notices SET delivered = ?, outcome = ? WHERE id = ?`, delivered, outcome, id)
		return err
	})
	if err != nil {
		return opError("record decision notice", err)
	}
	return nil
}
