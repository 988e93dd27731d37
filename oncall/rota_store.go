package oncall

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

const maxRotationNameRunes = 64

// validate checks r and returns it normalised (Start at boundary 0, Handoff
// emptied for hours shifts). Participants are checked against the database
// by the caller, inside the write transaction.
func (r Rotation) validate() (Rotation, error) {
	if err := checkLine("rotation.name", r.Name, maxRotationNameRunes); err != nil {
		return r, err
	}
	if _, err := loadZone("rotation.tz", r.TZ); err != nil {
		return r, err
	}
	if r.ShiftCount <= 0 || r.ShiftCount > maxShiftCount {
		return r, invalid("rotation.shift_count", itoa(r.ShiftCount), "must be between 1 and "+itoa(maxShiftCount))
	}
	switch r.ShiftUnit {
	case Hours:
		if r.Handoff != "" && !handoffRE.MatchString(r.Handoff) {
			return r, invalid("rotation.handoff", r.Handoff, "must be HH:MM (00:00 to 23:59)")
		}
		r.Handoff = "" // hours shifts hand off at Start + k*hours, whatever the clock says
	case Days, Weeks:
		if !handoffRE.MatchString(r.Handoff) {
			return r, invalid("rotation.handoff", r.Handoff, "must be HH:MM (00:00 to 23:59)")
		}
	default:
		return r, invalid("rotation.shift_unit", string(r.ShiftUnit), "must be hours, days or weeks")
	}
	if r.Start.IsZero() {
		return r, invalid("rotation.start", "", "must be set")
	}
	if len(r.Participants) == 0 {
		return r, invalid("rotation.participants", "", "needs at least one member")
	}
	sc, err := r.schedule()
	if err != nil { // all fields were checked above; this is a bug if it fires
		return r, invalid("rotation", r.Name, err.Error())
	}
	r.Start = sc.boundary(0).UTC()
	r.Participants = append([]string(nil), r.Participants...)
	return r, nil
}

// CreateRotation validates r and stores it. Unknown participant handles wrap
// ErrNotFound; every other bad field is a *ValidationError. Nothing is
// written on error. The returned Rotation has its ID and normalised Start.
func (s *Store) CreateRotation(ctx context.Context, r Rotation) (Rotation, error) {
	r, err := r.validate()
	if err != nil {
		return Rotation{}, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rotations WHERE name = ?`, r.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return invalid("rotation.name", r.Name, "already exists")
		}
		ids := make([]int64, len(r.Participants))
		for i, h := range r.Participants {
			id, err := memberID(ctx, tx, h)
			if err != nil {
				return fmt.Errorf("rotation.participants: %w", err)
			}
			ids[i] = id
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO rotations(name, tz, shift_count, shift_unit, handoff, start_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.Name, r.TZ, r.ShiftCount, string(r.ShiftUnit), r.Handoff, encodeTime(r.Start), encodeTime(s.now()))
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rotation_participants(rotation_id, position, member_id) VALUES (?, ?, ?)`,
				r.ID, i, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Rotation{}, opError("create rotation "+r.Name, err)
	}
	return r, nil
}

// Rotations lists every rotation, sorted by name.
func (s *Store) Rotations(ctx context.Context) ([]Rotation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.name, r.tz, r.shift_count, r.shift_unit, r.handoff, r.start_at,
		(SELECT json_group_array(m.handle ORDER BY p.position)
		   FROM rotation_participants p JOIN members m ON m.id = p.member_id WHERE p.rotation_id = r.id)
		FROM rotations r ORDER BY r.name`)
	if err != nil {
		return nil, fmt.Errorf("list rotations: %w", err)
	}
	defer rows.Close()
	var out []Rotation
	for rows.Next() {
		var r Rotation
		var unit, start, parts string
		if err := rows.Scan(&r.ID, &r.Name, &r.TZ, &r.ShiftCount, &unit, &r.Handoff, &start, &parts); err != nil {
			return nil, fmt.Errorf("list rotations: %w", err)
		}
		r.ShiftUnit = Unit(unit)
		if r.Start, err = decodeTime(start); err != nil {
			return nil, fmt.Errorf("list rotations: %w", err)
		}
		if err := json.Unmarshal([]byte(parts), &r.Participants); err != nil {
			return nil, fmt.Errorf("rotation %q participants: %w", r.Name, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rotations: %w", err)
	}
	return out, nil
}

// OnCallAt says, for every rotation (sorted by name), who is on call at t
// and who is next.
func (s *Store) OnCallAt(ctx context.Context, t time.Time) ([]OnCall, error) {
	rs, err := s.Rotations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]OnCall, 0, len(rs))
	for _, r := range rs {
		oc, err := r.onCallAt(t)
		if err != nil {
			return nil, err
		}
		out = append(out, oc)
	}
	return out, nil
}

// memberID resolves a handle inside a transaction.
func memberID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, handle string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM members WHERE handle = ?`, handle).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, fmt.Errorf("member %q: %w", handle, ErrNotFound)
	}
	return id, err
}
