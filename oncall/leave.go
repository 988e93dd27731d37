package oncall

import (
	"context"
	"database/sql"
	"fmt"
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

const maxReasonRunes = 200

// AddLeave records l, marked by member by. Refused (nothing written): an
// unknown member, an inverted range, one ending in the past, or one
// overlapping another leave of the same member.
func (s *Store) AddLeave(ctx context.Context, by string, l Leave) (Leave, error) {
	if l.Reason != "" {
		if err := checkLine("leave.reason", l.Reason, maxReasonRunes); err != nil {
			return Leave{}, err
		}
	}
	if !l.Start.Before(l.End) {
		return Leave{}, invalid("leave.to", l.End.UTC().Format(time.RFC3339), "must be after leave.from ("+l.Start.UTC().Format(time.RFC3339)+")")
	}
	now := s.now()
	if !l.End.After(now) {
		return Leave{}, invalid("leave.to", l.End.UTC().Format(time.RFC3339), "is in the past")
	}
	l.Start, l.End, l.CreatedBy, l.CreatedAt = l.Start.UTC(), l.End.UTC(), by, now
	err := s.write(ctx, func(tx *sql.Tx) error {
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
				return invalid("leave.range", l.Start.Format(time.RFC3339)+".."+l.End.Format(time.RFC3339),
					fmt.Sprintf("overlaps leave #%d of %s (%s..%s)", o.ID, o.Member, o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339)))
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO leave(member_id, start_at, end_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			mid, encodeTime(l.Start), encodeTime(l.End), l.Reason, bid, encodeTime(now))
		if err != nil {
			return err
		}
		l.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Leave{}, opError("add leave for "+l.Member, err)
	}
	return l, nil
}

// Leaves lists every leave overlapping [from, to), by start.
func (s *Store) Leaves(ctx context.Context, from, to time.Time) ([]Leave, error) {
	return leavesOverlapping(ctx, s.db, from, to)
}

func leavesOverlapping(ctx context.Context, q queryer, from, to time.Time) ([]Leave, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, m.handle, l.start_at, l.end_at, l.reason, b.handle, l.created_at
		FROM leave l JOIN members m ON m.id = l.member_id JOIN members b ON b.id = l.created_by
		WHERE l.start_at < ? AND l.end_at > ? ORDER BY l.start_at, l.id`, encodeTime(to), encodeTime(from))
	if err != nil {
		return nil, fmt.Errorf("list leave: %w", err)
	}
	defer rows.Close()
	var out []Leave
	for rows.Next() {
		var l Leave
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
