package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

const maxNoteRunes = 200

// ProposeOverride records a cover proposed by member by. A proposer who is a
// party has consented by proposing; the other party (both, for a third-party
// proposer) confirms with ConfirmOverride. Refused (nothing written): unknown rotation or members,
// Covering == Covered, an inverted range, a start in the past, Covered not
// on call (base schedule) throughout the range, Covering on leave then, or
// a range overlapping another live override of the rotation.
func (s *Store) ProposeOverride(ctx context.Context, by string, req oncall.OverrideRequest) (oncall.Override, error) {
	var out oncall.Override
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		out, err = s.proposeTx(ctx, tx, by, req, 0)
		return err
	})
	if err != nil {
		return oncall.Override{}, opError("propose override", err)
	}
	return out, nil
}

// ProposeSwap records both halves of a swap proposed by by; each party who
// is not the proposer confirms both at once with ConfirmOverride on either
// ID.
func (s *Store) ProposeSwap(ctx context.Context, by string, req oncall.SwapRequest) ([]oncall.Override, error) {
	var out []oncall.Override
	err := s.write(ctx, func(tx *Tx) error {
		r, err := rotationByName(ctx, tx, req.Rotation)
		if err != nil {
			return err
		}
		owner := req.For
		if owner == "" {
			owner = by
		}
		if owner == req.With {
			if owner == by {
				return oncall.Invalid("swap.with", req.With, "is you: a swap needs another member")
			}
			return oncall.Invalid("swap.with", req.With, "is also swap.for: a swap needs two members")
		}
		whose := "your (" + by + ")"
		if owner != by {
			whose = owner + "'s"
		}
		mine, ok := r.ShiftAt(req.Mine)
		if !ok || mine.Member != owner {
			return oncall.Invalid("swap.mine", fmtInstant(req.Mine, r.TZ), "is not in one of "+whose+" shifts on "+r.Name)
		}
		theirs, ok := r.ShiftAt(req.Theirs)
		if !ok || theirs.Member != req.With {
			return oncall.Invalid("swap.theirs", fmtInstant(req.Theirs, r.TZ), "is not in one of "+req.With+"'s shifts on "+r.Name)
		}
		// A running shift is swapped from now on: the past stays as held.
		now := s.now()
		a, err := s.proposeTx(ctx, tx, by, oncall.OverrideRequest{Rotation: r.Name, Covering: req.With, Covered: owner,
			Start: oncall.Later(mine.Start, now), End: mine.End, Note: req.Note}, -1)
		if err != nil {
			return err
		}
		b, err := s.proposeTx(ctx, tx, by, oncall.OverrideRequest{Rotation: r.Name, Covering: owner, Covered: req.With,
			Start: oncall.Later(theirs.Start, now), End: theirs.End, Note: req.Note}, a.ID)
		if err != nil {
			return err
		}
		out = []oncall.Override{a, b}
		return nil
	})
	if err != nil {
		return nil, opError("propose swap", err)
	}
	return out, nil
}

// proposeTx validates and inserts one override. swapID -1 starts a swap
// (this row's ID becomes the swap's), >0 joins one.
func (s *Store) proposeTx(ctx context.Context, tx *Tx, by string, req oncall.OverrideRequest, swapID int64) (oncall.Override, error) {
	now := s.now()
	if req.Note != "" {
		if err := oncall.CheckLine("override.note", req.Note, maxNoteRunes); err != nil {
			return oncall.Override{}, err
		}
	}
	r, err := rotationByName(ctx, tx, req.Rotation)
	if err != nil {
		return oncall.Override{}, err
	}
	byID, err := memberID(ctx, tx, by)
	if err != nil {
		return oncall.Override{}, fmt.Errorf("override.proposed_by: %w", err)
	}
	covID, err := memberID(ctx, tx, req.Covering)
	if err != nil {
		return oncall.Override{}, fmt.Errorf("override.covering: %w", err)
	}
	cedID, err := memberID(ctx, tx, req.Covered)
	if err != nil {
		return oncall.Override{}, fmt.Errorf("override.covered: %w", err)
	}
	live, err := s.overridesByRotation(ctx, tx, req.Start, req.End, oncall.Proposed, oncall.Confirmed)
	if err != nil {
		return oncall.Override{}, err
	}
	leaves, err := leavesOverlapping(ctx, tx, req.Start, req.End)
	if err != nil {
		return oncall.Override{}, err
	}
	if err := oncall.CheckOverride(r, req, live[r.Name], leaves, now); err != nil {
		return oncall.Override{}, err
	}
	o := oncall.Override{Rotation: r.Name, Covering: req.Covering, Covered: req.Covered, Start: req.Start.UTC(), End: req.End.UTC(),
		Status: oncall.Proposed, ProposedBy: by, ProposedAt: now, Note: req.Note}
	if by == req.Covering {
		o.CoveringOK = now
	}
	if by == req.Covered {
		o.CoveredOK = now
	}
	if swapID > 0 {
		o.SwapID = swapID
	}
	id, err := insertID(ctx, tx, `INSERT INTO overrides(rotation_id, covering_id, covered_id, start_at, end_at, swap_id, status,
		proposed_by, proposed_at, covering_ok_at, covered_ok_at, note) VALUES (?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?, ?) RETURNING id`,
		r.ID, covID, cedID, encodeTime(o.Start), encodeTime(o.End), nullID(o.SwapID), byID, encodeTime(now),
		nullTime(o.CoveringOK), nullTime(o.CoveredOK), o.Note)
	if err != nil {
		return oncall.Override{}, err
	}
	o.ID = id
	if swapID == -1 {
		o.SwapID = o.ID
		if _, err := tx.ExecContext(ctx, `UPDATE overrides SET swap_id = id WHERE id = ?`, o.ID); err != nil {
			return oncall.Override{}, err
		}
	}
	return o, nil
}

// ConfirmOverride records by's consent to override id (and, for a swap, to
// its other half). When both parties agreed it applies. A consent arriving
// after the start moves the start to now: the past is never rewritten. One
// arriving after the end is refused.
func (s *Store) ConfirmOverride(ctx context.Context, by string, id int64) ([]oncall.Override, error) {
	var out []oncall.Override
	err := s.write(ctx, func(tx *Tx) error {
		group, err := overrideGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		party := false
		for _, o := range group {
			if o.Status != oncall.Proposed {
				return oncall.Invalid("override.id", itoa64(id), "is "+string(o.Status)+", not waiting for consent")
			}
			if !o.End.After(now) {
				return oncall.Invalid("override.id", itoa64(id), "ended before it was confirmed")
			}
			if o.Awaits(by) {
				party = true
			}
		}
		if !party {
			return oncall.Invalid("override.id", itoa64(id), "is not waiting for "+by+" (waiting for "+strings.Join(group[0].AwaitingFrom(), " and ")+")")
		}
		for i := range group {
			o := &group[i]
			if o.Covering == by && o.CoveringOK.IsZero() {
				o.CoveringOK = now
			}
			if o.Covered == by && o.CoveredOK.IsZero() {
				o.CoveredOK = now
			}
			if !o.CoveringOK.IsZero() && !o.CoveredOK.IsZero() {
				o.Status = oncall.Confirmed
				o.Start = oncall.Later(o.Start, now)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE overrides SET covering_ok_at = ?, covered_ok_at = ?, status = ?, start_at = ? WHERE id = ?`,
				nullTime(o.CoveringOK), nullTime(o.CoveredOK), string(o.Status), encodeTime(o.Start), o.ID); err != nil {
				return err
			}
		}
		out = group
		return nil
	})
	if err != nil {
		return nil, opError("confirm override", err)
	}
	return out, nil
}

// WithdrawOverride ends override id (and its swap partner): a party
// declines a proposal, its proposer cancels it, and either party cancels a
// confirmed one that has not started yet.
func (s *Store) WithdrawOverride(ctx context.Context, by string, id int64) ([]oncall.Override, error) {
	var out []oncall.Override
	err := s.write(ctx, func(tx *Tx) error {
		group, err := overrideGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		byID, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		now := s.now()
		o := group[0]
		isParty := false
		for _, g := range group {
			isParty = isParty || g.Covering == by || g.Covered == by
		}
		var to oncall.OverrideStatus
		switch {
		case o.Status == oncall.Proposed && by == o.ProposedBy:
			to = oncall.Cancelled
		case o.Status == oncall.Proposed && isParty:
			to = oncall.Declined
		case o.Status == oncall.Confirmed && isParty:
			for _, g := range group {
				if !g.Start.After(now) {
					return oncall.Invalid("override.id", itoa64(id), "has started: ask the covering member to hand the pager back with a new override")
				}
			}
			to = oncall.Cancelled
		case o.Status == oncall.Proposed || o.Status == oncall.Confirmed:
			return oncall.Invalid("override.id", itoa64(id), by+" is neither its proposer nor a party to it")
		default:
			return oncall.Invalid("override.id", itoa64(id), "is already "+string(o.Status))
		}
		for i := range group {
			group[i].Status, group[i].ClosedBy, group[i].ClosedAt = to, by, now
			if _, err := tx.ExecContext(ctx, `UPDATE overrides SET status = ?, closed_by = ?, closed_at = ? WHERE id = ?`,
				string(to), byID, encodeTime(now), group[i].ID); err != nil {
				return err
			}
		}
		out = group
		return nil
	})
	if err != nil {
		return nil, opError("withdraw override", err)
	}
	return out, nil
}

const overrideSelect = `SELECT o.id, r.name, cv.handle, cd.handle, o.start_at, o.end_at, coalesce(o.swap_id, 0), o.status,
	pb.handle, o.proposed_at, coalesce(o.covering_ok_at, ''), coalesce(o.covered_ok_at, ''),
	coalesce(cb.handle, ''), coalesce(o.closed_at, ''), o.note
	FROM overrides o JOIN rotations r ON r.id = o.rotation_id
	JOIN members cv ON cv.id = o.covering_id JOIN members cd ON cd.id = o.covered_id
	JOIN members pb ON pb.id = o.proposed_by LEFT JOIN members cb ON cb.id = o.closed_by`

func scanOverride(sc interface{ Scan(...any) error }) (oncall.Override, error) {
	var o oncall.Override
	var status, start, end, pat, cok, dok, cat string
	if err := sc.Scan(&o.ID, &o.Rotation, &o.Covering, &o.Covered, &start, &end, &o.SwapID, &status,
		&o.ProposedBy, &pat, &cok, &dok, &o.ClosedBy, &cat, &o.Note); err != nil {
		return o, err
	}
	o.Status = oncall.OverrideStatus(status)
	var err error
	for _, f := range []struct {
		s string
		t *time.Time
	}{{start, &o.Start}, {end, &o.End}, {pat, &o.ProposedAt}, {cok, &o.CoveringOK}, {dok, &o.CoveredOK}, {cat, &o.ClosedAt}} {
		if f.s == "" {
			continue
		}
		if *f.t, err = decodeTime(f.s); err != nil {
			return o, err
		}
	}
	return o, nil
}

func queryOverrides(ctx context.Context, q queryer, where string, args ...any) ([]oncall.Override, error) {
	rows, err := q.QueryContext(ctx, overrideSelect+" WHERE "+where+" ORDER BY o.start_at, o.id", args...)
	if err != nil {
		return nil, fmt.Errorf("list overrides: %w", err)
	}
	defer rows.Close()
	var out []oncall.Override
	for rows.Next() {
		o, err := scanOverride(rows)
		if err != nil {
			return nil, fmt.Errorf("list overrides: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// overrideGroup is override id with its swap partner, if any.
func overrideGroup(ctx context.Context, q queryer, id int64) ([]oncall.Override, error) {
	os, err := queryOverrides(ctx, q, `o.id = ? OR (o.swap_id IS NOT NULL AND o.swap_id = (SELECT swap_id FROM overrides WHERE id = ?))`, id, id)
	if err != nil {
		return nil, err
	}
	if len(os) == 0 {
		return nil, fmt.Errorf("override #%d: %w", id, oncall.ErrNotFound)
	}
	return os, nil
}

// Overrides lists overrides overlapping [from, to) in the given statuses
// (all when none), by start.
func (s *Store) Overrides(ctx context.Context, from, to time.Time, statuses ...oncall.OverrideStatus) ([]oncall.Override, error) {
	where := `o.start_at < ? AND o.end_at > ?`
	args := []any{encodeTime(to), encodeTime(from)}
	if len(statuses) > 0 {
		where += ` AND o.status IN (?` + strings.Repeat(", ?", len(statuses)-1) + `)`
		for _, st := range statuses {
			args = append(args, string(st))
		}
	}
	return queryOverrides(ctx, s.db, where, args...)
}

// Override finds one override by ID.
func (s *Store) Override(ctx context.Context, id int64) (oncall.Override, error) {
	os, err := queryOverrides(ctx, s.db, `o.id = ?`, id)
	if err != nil {
		return oncall.Override{}, err
	}
	if len(os) == 0 {
		return oncall.Override{}, fmt.Errorf("override #%d: %w", id, oncall.ErrNotFound)
	}
	return os[0], nil
}

// AwaitingConsent lists the live proposals that wait for handle.
func (s *Store) AwaitingConsent(ctx context.Context, handle string) ([]oncall.Override, error) {
	all, err := queryOverrides(ctx, s.db, `o.status = 'proposed' AND o.end_at > ?`, encodeTime(s.now()))
	if err != nil {
		return nil, err
	}
	var out []oncall.Override
	for _, o := range all {
		if o.Awaits(handle) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *Store) overridesByRotation(ctx context.Context, q queryer, from, to time.Time, statuses ...oncall.OverrideStatus) (map[string][]oncall.Override, error) {
	where := `o.start_at < ? AND o.end_at > ? AND o.status IN (?` + strings.Repeat(", ?", len(statuses)-1) + `)`
	args := []any{encodeTime(to), encodeTime(from)}
	for _, st := range statuses {
		args = append(args, string(st))
	}
	os, err := queryOverrides(ctx, q, where, args...)
	if err != nil {
		return nil, err
	}
	m := map[string][]oncall.Override{}
	for _, o := range os {
		m[o.Rotation] = append(m[o.Rotation], o)
	}
	return m, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return encodeTime(t)
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

func itoa64(n int64) string { return fmt.Sprint(n) }

// fmtInstant writes t on the clock of zone tz, for error messages.
func fmtInstant(t time.Time, tz string) string {
	loc, err := oncall.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
