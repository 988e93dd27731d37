package sqlstore

import (
	"context"
	"fmt"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

const maxReasonRunes = 200

// AddLeave records l, marked by member by. Refused (nothing written): an
// unknown member, an inverted range, one ending in the past, or one
// overlapping another leave of the same member.
func (s *Store) AddLeave(ctx context.Context, by string, l oncall.Leave) (oncall.Leave, error) {
	if l.Reason != "" {
		if err := oncall.CheckLine("leave.reason", l.Reason, maxReasonRunes); err != nil {
			return oncall.Leave{}, err
		}
	}
	if !l.Start.Before(l.End) {
		return oncall.Leave{}, oncall.Invalid("leave.to", l.End.UTC().Format(time.RFC3339), "must be after leave.from ("+l.Start.UTC().Format(time.RFC3339)+")")
	}
	now := s.now()
	if !l.End.After(now) {
		return oncall.Leave{}, oncall.Invalid("leave.to", l.End.UTC().Format(time.RFC3339), "is in the past")
	}
	l.Start, l.End, l.CreatedBy, l.CreatedAt = l.Start.UTC(), l.End.UTC(), by, now
	err := s.write(ctx, func(tx *Tx) error {
		mid, err := memberID(ctx, tx, l.Member)
		if err != nil {
			return fmt.Errorf("leave.member: %w", err)
		}
		bid, err := memberID(ctx, tx, by)
		if err != nil {
			return fmt.Errorf("leave.created_by: %w", err)
		}
		others, err := leavesOverlapping(ctx, tx, l.Start, l.End)
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.Member == l.Member {
				return oncall.Invalid("leave.range", l.Start.Format(time.RFC3339)+".."+l.End.Format(time.RFC3339),
					fmt.Sprintf("overlaps leave #%d of %s (%s..%s)", o.ID, o.Member, o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339)))
			}
		}
		id, err := insertID(ctx, tx, `INSERT INTO leave(member_id, start_at, end_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			mid, encodeTime(l.Start), encodeTime(l.End), l.Reason, bid, encodeTime(now))
		if err != nil {
			return err
		}
		l.ID = id
		return err
	})
	if err != nil {
		return oncall.Leave{}, opError("add leave for "+l.Member, err)
	}
	return l, nil
}

// Leave returns leave id; an unknown id wraps ErrNotFound.
func (s *Store) Leave(ctx context.Context, id int64) (oncall.Leave, error) {
	return leaveByID(ctx, s.db, id)
}

// RemoveLeave withdraws leave id, as member by: only the member on leave or
// the member who marked it may. One not started yet is deleted; one under
// way ends now, so the part already taken stays (conflicts and gaps shown
// for past days must not change after the fact); one already over is
// refused. A refusal writes nothing.
func (s *Store) RemoveLeave(ctx context.Context, by string, id int64) error {
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := memberID(ctx, tx, by); err != nil {
			return err
		}
		l, err := leaveByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if by != l.Member && by != l.CreatedBy {
			return oncall.Invalid("leave.id", itoa64(id), fmt.Sprintf("%s is neither the member on leave (%s) nor who marked it (%s)", by, l.Member, l.CreatedBy))
		}
		now := s.now()
		switch {
		case !l.End.After(now):
			return oncall.Invalid("leave.id", itoa64(id), "ended "+l.End.Format(time.RFC3339)+": past leave stays in the history")
		case l.Start.Before(now):
			_, err = tx.ExecContext(ctx, `UPDATE leave SET end_at = ? WHERE id = ?`, encodeTime(now), id)
		default:
			_, err = tx.ExecContext(ctx, `DELETE FROM leave WHERE id = ?`, id)
		}
		return err
	})
	if err != nil {
		return opError(fmt.Sprintf("remove leave #%d", id), err)
	}
	return nil
}

func leaveByID(ctx context.Context, q queryer, id int64) (oncall.Leave, error) {
	ls, err := queryLeaves(ctx, q, `WHERE l.id = ?`, id)
	if err != nil {
		return oncall.Leave{}, err
	}
	if len(ls) == 0 {
		return oncall.Leave{}, fmt.Errorf("leave #%d: %w", id, oncall.ErrNotFound)
	}
	return ls[0], nil
}

// Leaves lists every leave overlapping [from, to), by start.
func (s *Store) Leaves(ctx context.Context, from, to time.Time) ([]oncall.Leave, error) {
	return leavesOverlapping(ctx, s.db, from, to)
}

func leavesOverlapping(ctx context.Context, q queryer, from, to time.Time) ([]oncall.Leave, error) {
	return queryLeaves(ctx, q, `WHERE l.start_at < ? AND l.end_at > ?`, encodeTime(to), encodeTime(from))
}

func queryLeaves(ctx context.Context, q queryer, where string, args ...any) ([]oncall.Leave, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, m.handle, l.start_at, l.end_at, l.reason, b.handle, l.created_at
		FROM leave l JOIN members m ON m.id = l.member_id JOIN members b ON b.id = l.created_by
		`+where+` ORDER BY l.start_at, l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list leave: %w", err)
	}
	defer rows.Close()
	var out []oncall.Leave
	for rows.Next() {
		var l oncall.Leave
		var st, en, cr string
		if err := rows.Scan(&l.ID, &l.Member, &st, &en, &l.Reason, &l.CreatedBy, &cr); err != nil {
			return nil, fmt.Errorf("list leave: %w", err)
		}
		for _, f := range []struct {
			s string
			t *time.Time
		}{{st, &l.Start}, {en, &l.End}, {cr, &l.CreatedAt}} {
			if *f.t, err = decodeTime(f.s); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
