package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// CreateRotation validates r and stores it. Unknown participant handles wrap
// ErrNotFound; every other bad field is a *ValidationError. Nothing is
// written on error. The returned Rotation has its ID and normalised Start.
func (s *Store) CreateRotation(ctx context.Context, r oncall.Rotation) (oncall.Rotation, error) {
	r, err := r.Validate()
	if err != nil {
		return oncall.Rotation{}, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rotations WHERE name = ?`, r.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return oncall.Invalid("rotation.name", r.Name, "already exists")
		}
		return s.insertRotation(ctx, tx, &r)
	})
	if err != nil {
		return oncall.Rotation{}, opError("create rotation "+r.Name, err)
	}
	return r, nil
}

func participantIDs(ctx context.Context, tx *Tx, r oncall.Rotation) ([]int64, error) {
	ids := make([]int64, len(r.Participants))
	for i, h := range r.Participants {
		id, err := memberID(ctx, tx, h)
		if err != nil {
			return nil, fmt.Errorf("rotation.participants: %w", err)
		}
		ids[i] = id
	}
	return ids, nil
}

func (s *Store) insertRotation(ctx context.Context, tx *Tx, r *oncall.Rotation) error {
	ids, err := participantIDs(ctx, tx, *r)
	if err != nil {
		return err
	}
	id, err := insertID(ctx, tx, `INSERT INTO rotations(name, tz, shift_count, shift_unit, handoff, start_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Name, r.TZ, r.ShiftCount, string(r.ShiftUnit), r.Handoff, encodeTime(r.Start), encodeTime(s.now()))
	if err != nil {
		return err
	}
	r.ID = id
	return insertParticipants(ctx, tx, r.ID, ids)
}

func insertParticipants(ctx context.Context, tx *Tx, rotationID int64, ids []int64) error {
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rotation_participants(rotation_id, position, member_id) VALUES (?, ?, ?)`,
			rotationID, i, id); err != nil {
			return err
		}
	}
	return nil
}

// ApplyRotations makes the stored rotations match rs (a rotation file):
// missing ones are created, differing ones updated in place (same ID, so
// overrides and notes stay attached), equal ones left alone; rotations not
// in rs are kept. Applying the same list twice changes nothing. It is all or
// nothing: any bad rotation and nothing is written. Before an update, the
// on-call history up to now is recorded, so the past stays as it was held.
func (s *Store) ApplyRotations(ctx context.Context, rs []oncall.Rotation) (oncall.ApplyResult, error) {
	var res oncall.ApplyResult
	seen := map[string]bool{}
	valid := make([]oncall.Rotation, len(rs))
	for i, r := range rs {
		v, err := r.Validate()
		if err != nil {
			return res, fmt.Errorf("rotation %q: %w", r.Name, err)
		}
		if seen[v.Name] {
			return res, oncall.Invalid("rotation.name", v.Name, "declared twice")
		}
		seen[v.Name] = true
		valid[i] = v
	}
	err := s.write(ctx, func(tx *Tx) error {
		res = oncall.ApplyResult{}
		if err := s.recordHistory(ctx, tx); err != nil {
			return err
		}
		for _, r := range valid {
			old, err := rotationByName(ctx, tx, r.Name)
			if errors.Is(err, oncall.ErrNotFound) {
				if err := s.insertRotation(ctx, tx, &r); err != nil {
					return fmt.Errorf("rotation %q: %w", r.Name, err)
				}
				res.Created = append(res.Created, r.Name)
				continue
			}
			if err != nil {
				return err
			}
			r.ID = old.ID
			if reflect.DeepEqual(old, r) {
				res.Unchanged = append(res.Unchanged, r.Name)
				continue
			}
			ids, err := participantIDs(ctx, tx, r)
			if err != nil {
				return fmt.Errorf("rotation %q: %w", r.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE rotations SET tz = ?, shift_count = ?, shift_unit = ?, handoff = ?, start_at = ? WHERE id = ?`,
				r.TZ, r.ShiftCount, string(r.ShiftUnit), r.Handoff, encodeTime(r.Start), r.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM rotation_participants WHERE rotation_id = ?`, r.ID); err != nil {
				return err
			}
			if err := insertParticipants(ctx, tx, r.ID, ids); err != nil {
				return err
			}
			res.Updated = append(res.Updated, r.Name)
		}
		return nil
	})
	if err != nil {
		return oncall.ApplyResult{}, opError("apply rotations", err)
	}
	return res, nil
}

// The participants come with a second query (fillParticipants).
const rotationSelect = `SELECT r.id, r.name, r.tz, r.shift_count, r.shift_unit, r.handoff, r.start_at
	FROM rotations r`

// fillParticipants reads the participants of rs, in their order.
func fillParticipants(ctx context.Context, q Querier, rs []oncall.Rotation) error {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	ps, err := children(ctx, q, `SELECT p.rotation_id, m.handle FROM rotation_participants p JOIN members m ON m.id = p.member_id
		WHERE p.rotation_id IN (%s) ORDER BY p.rotation_id, p.position`, ids, scanChildString)
	if err != nil {
		return fmt.Errorf("rotation participants: %w", err)
	}
	for i := range rs {
		rs[i].Participants = append([]string{}, ps[rs[i].ID]...)
	}
	return nil
}

func scanRotation(sc interface{ Scan(...any) error }) (oncall.Rotation, error) {
	var r oncall.Rotation
	var unit, start string
	if err := sc.Scan(&r.ID, &r.Name, &r.TZ, &r.ShiftCount, &unit, &r.Handoff, &start); err != nil {
		return r, err
	}
	r.ShiftUnit = oncall.Unit(unit)
	var err error
	if r.Start, err = decodeTime(start); err != nil {
		return r, err
	}
	return r, nil
}

func rotationByName(ctx context.Context, q queryer, name string) (oncall.Rotation, error) {
	r, err := scanRotation(q.QueryRowContext(ctx, rotationSelect+` WHERE r.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return oncall.Rotation{}, fmt.Errorf("rotation %q: %w", name, oncall.ErrNotFound)
	}
	if err != nil {
		return r, err
	}
	one := []oncall.Rotation{r}
	if err := fillParticipants(ctx, q, one); err != nil {
		return oncall.Rotation{}, err
	}
	return one[0], nil
}

// Rotation finds a rotation by name.
func (s *Store) Rotation(ctx context.Context, name string) (oncall.Rotation, error) {
	return rotationByName(ctx, s.db, name)
}

// Rotations lists every rotation, sorted by name.
func (s *Store) Rotations(ctx context.Context) ([]oncall.Rotation, error) {
	return listRotations(ctx, s.db)
}

func listRotations(ctx context.Context, q queryer) ([]oncall.Rotation, error) {
	rows, err := q.QueryContext(ctx, rotationSelect+` ORDER BY r.name`)
	if err != nil {
		return nil, fmt.Errorf("list rotations: %w", err)
	}
	defer rows.Close()
	var out []oncall.Rotation
	for rows.Next() {
		r, err := scanRotation(rows)
		if err != nil {
			return nil, fmt.Errorf("list rotations: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rotations: %w", err)
	}
	rows.Close()
	if err := fillParticipants(ctx, q, out); err != nil {
		return nil, fmt.Errorf("list rotations: %w", err)
	}
	return out, nil
}

// OnCallAt says, for every rotation (sorted by name), who is on call at t
// and who is next, confirmed overrides applied, with the handoff notes of
// the current holder's handoffs.
func (s *Store) OnCallAt(ctx context.Context, t time.Time) ([]oncall.OnCall, error) {
	rs, err := s.Rotations(ctx)
	if err != nil {
		return nil, err
	}
	ovs, err := s.overridesByRotation(ctx, s.db, t.Add(-maxShiftSpan), farFuture, oncall.Confirmed)
	if err != nil {
		return nil, err
	}
	out := make([]oncall.OnCall, 0, len(rs))
	for _, r := range rs {
		oc, err := r.OnCallWith(t, ovs[r.Name])
		if err != nil {
			return nil, fmt.Errorf("rotation %q: %w", r.Name, err)
		}
		if oc.HasNow {
			if oc.Notes, err = s.notesBetween(ctx, r.ID, oc.Now.Start, t, true); err != nil {
				return nil, err
			}
			if oc.NextNotes, err = s.notesBetween(ctx, r.ID, t, oc.Now.End, false); err != nil {
				return nil, err
			}
		}
		out = append(out, oc)
	}
	return out, nil
}

// farFuture bounds "every future override" queries.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// queryer is what the store's DB and Tx share.
type queryer = Querier

// memberID resolves a handle inside a transaction.
func memberID(ctx context.Context, q Querier, handle string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM members WHERE handle = ?`, handle).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, fmt.Errorf("member %q: %w", handle, oncall.ErrNotFound)
	}
	return id, err
}
