package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// OnCallHistory is who held each pager over [from, to), overrides applied,
// each stretch clipped to the range and to now, ordered by start then
// rotation: the care view sums these.
//
// How it is recorded: the past is materialised into oncall_history when it
// is read (and before any rotation is changed by ApplyRotations). For each
// rotation a mark says up to where it is recorded; every stretch that ended
// between the mark and now is inserted and the mark moves to its end. This
// is idempotent (re-reading inserts nothing new; rows are keyed by rotation
// and start), and once recorded, the past no longer depends on the rotation
// or its overrides, which may change afterwards. The stretch in progress is
// computed, never stored, until it ends.
func (s *Store) OnCallHistory(ctx context.Context, from, to time.Time) ([]oncall.HeldShift, error) {
	if !from.Before(to) {
		return nil, oncall.Invalid("range.to", to.UTC().Format(time.RFC3339), "must be after range.from")
	}
	if err := s.recordHistoryNow(ctx); err != nil {
		return nil, fmt.Errorf("record on-call history: %w", err)
	}
	now := s.now()
	rows, err := s.db.QueryContext(ctx, `SELECT r.name, m.handle, h.start_at, h.end_at, coalesce(c.handle, ''), coalesce(h.override_id, 0)
		FROM oncall_history h JOIN rotations r ON r.id = h.rotation_id JOIN members m ON m.id = h.member_id
		LEFT JOIN members c ON c.id = h.covered_id
		WHERE h.start_at < ? AND h.end_at > ? ORDER BY h.start_at, r.name`, encodeTime(to), encodeTime(from))
	if err != nil {
		return nil, fmt.Errorf("on-call history: %w", err)
	}
	defer rows.Close()
	var out []oncall.HeldShift
	for rows.Next() {
		h := oncall.HeldShift{Recorded: true}
		var st, en string
		if err := rows.Scan(&h.Rotation, &h.Member, &st, &en, &h.CoverFor, &h.OverrideID); err != nil {
			return nil, fmt.Errorf("on-call history: %w", err)
		}
		if h.Start, err = decodeTime(st); err != nil {
			return nil, err
		}
		if h.End, err = decodeTime(en); err != nil {
			return nil, err
		}
		h.Start, h.End = oncall.Later(h.Start, from), oncall.Earlier(h.End, to)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The stretch in progress: from each rotation's mark to now.
	marks, err := historyMarks(ctx, s.db)
	if err != nil {
		return nil, err
	}
	rs, err := s.Rotations(ctx)
	if err != nil {
		return nil, err
	}
	ovs, err := s.overridesByRotation(ctx, s.db, now.Add(-maxShiftSpan), now.Add(time.Second), oncall.Confirmed)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		mark, ok := marks[r.ID]
		if !ok {
			mark = r.Start
		}
		for _, sh := range r.EffectiveShifts(mark, now, ovs[r.Name]) {
			a, b := oncall.Later(oncall.Later(sh.Start, mark), from), oncall.Earlier(oncall.Earlier(sh.End, now), to)
			if a.Before(b) {
				out = append(out, oncall.HeldShift{Rotation: r.Name, Member: sh.Member, Start: a, End: b, CoverFor: sh.Covers, OverrideID: sh.OverrideID})
			}
		}
	}
	sortHeld(out)
	return out, nil
}

func sortHeld(hs []oncall.HeldShift) {
	for i := 1; i < len(hs); i++ { // insertion sort: already nearly sorted
		for j := i; j > 0 && (hs[j].Start.Before(hs[j-1].Start) ||
			hs[j].Start.Equal(hs[j-1].Start) && hs[j].Rotation < hs[j-1].Rotation); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}

func historyMarks(ctx context.Context, q queryer) (map[int64]time.Time, error) {
	rows, err := q.QueryContext(ctx, `SELECT rotation_id, until FROM history_marks`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, err
		}
		t, err := decodeTime(u)
		if err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// recordHistoryNow runs recordHistory in its own transaction, rolled back
// when there was nothing to record so that readers watching Changes do not
// see one.
func (s *Store) recordHistoryNow(ctx context.Context) error {
	err := s.write(ctx, func(tx *Tx) error {
		changed, err := s.recordHistoryTx(ctx, tx)
		if err == nil && !changed {
			return errNothing
		}
		return err
	})
	if errors.Is(err, errNothing) {
		return nil
	}
	return err
}

// recordHistory freezes every stretch that ended before now (see
// OnCallHistory), inside tx.
func (s *Store) recordHistory(ctx context.Context, tx *Tx) error {
	_, err := s.recordHistoryTx(ctx, tx)
	return err
}

func (s *Store) recordHistoryTx(ctx context.Context, tx *Tx) (changed bool, err error) {
	now := s.now()
	rs, err := listRotations(ctx, tx)
	if err != nil {
		return false, err
	}
	marks, err := historyMarks(ctx, tx)
	if err != nil {
		return false, err
	}
	ids := map[string]int64{}
	idOf := func(h string) (int64, error) {
		if id, ok := ids[h]; ok {
			return id, nil
		}
		id, err := memberID(ctx, tx, h)
		ids[h] = id
		return id, err
	}
	var ovs map[string][]oncall.Override
	for _, r := range rs {
		mark, ok := marks[r.ID]
		if !ok {
			mark = r.Start
		}
		if !mark.Before(now) {
			continue
		}
		if ovs == nil {
			if ovs, err = s.overridesByRotation(ctx, tx, earliest(marks, rs).Add(-maxShiftSpan), now, oncall.Confirmed); err != nil {
				return false, err
			}
		}
		until := mark
		for _, sh := range r.EffectiveShifts(mark, now, ovs[r.Name]) {
			if sh.End.After(now) {
				break
			}
			mid, err := idOf(sh.Member)
			if err != nil {
				return false, err
			}
			var covered, ovID any
			if sh.Covers != "" {
				cid, err := idOf(sh.Covers)
				if err != nil {
					return false, err
				}
				covered, ovID = cid, sh.OverrideID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO oncall_history(rotation_id, member_id, start_at, end_at, covered_id, override_id)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, r.ID, mid, encodeTime(oncall.Later(sh.Start, mark)), encodeTime(sh.End), covered, ovID); err != nil {
				return false, err
			}
			until = sh.End
		}
		if until.After(mark) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO history_marks(rotation_id, until) VALUES (?, ?)
				ON CONFLICT(rotation_id) DO UPDATE SET until = excluded.until`, r.ID, encodeTime(until)); err != nil {
				return false, err
			}
			changed = true
		}
	}
	return changed, nil
}

func earliest(marks map[int64]time.Time, rs []oncall.Rotation) time.Time {
	var t time.Time
	for _, r := range rs {
		m, ok := marks[r.ID]
		if !ok {
			m = r.Start
		}
		if t.IsZero() || m.Before(t) {
			t = m
		}
	}
	return t
}
