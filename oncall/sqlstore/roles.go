package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// TakeRole makes member by hold role in the incident from now. Holding it
// already, or a lead/scribe held by someone else, is a *ValidationError,
// unless takeOver: then the other holder's span ends at the same instant
// (a handoff while they sleep). Resolved incidents take no new roles.
func (s *Store) TakeRole(ctx context.Context, incidentID int64, by string, role oncall.Role, takeOver bool) (oncall.RoleSpan, error) {
	if !role.Valid() {
		return oncall.RoleSpan{}, oncall.Invalid("role", string(role), "must be lead, scribe or helper")
	}
	span := oncall.RoleSpan{IncidentID: incidentID, Member: by, Role: role, Taken: s.now()}
	err := s.write(ctx, func(tx *Tx) error {
		status, err := incidentStatus(ctx, tx, incidentID)
		if err != nil {
			return err
		}
		if !status.IsOpen() {
			return oncall.Invalid("role", string(role), fmt.Sprintf("incident %d is %s: roles are taken while it is in progress", incidentID, status))
		}
		mid, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		held, err := heldRoles(ctx, tx, incidentID, role)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Member == by {
				return oncall.Invalid("role", string(role), fmt.Sprintf("%s is already %s since %s", by, role, h.Taken.Format("15:04 MST")))
			}
		}
		if role.Single() && len(held) > 0 {
			if !takeOver {
				return oncall.Invalid("role", string(role), fmt.Sprintf("%s is %s since %s: they leave it first, or take it over",
					held[0].Member, role, held[0].Taken.Format("15:04 MST")))
			}
			if _, err := tx.ExecContext(ctx, `UPDATE incident_roles SET left_at = ? WHERE id = ?`, encodeTime(span.Taken), held[0].ID); err != nil {
				return err
			}
		}
		id, err := insertID(ctx, tx, `INSERT INTO incident_roles(incident_id, member_id, role, taken_at) VALUES (?, ?, ?, ?) RETURNING id`,
			incidentID, mid, string(role), encodeTime(span.Taken))
		if err != nil {
			return err
		}
		span.ID = id
		return touchIncident(ctx, tx, incidentID, span.Taken)
	})
	if err != nil {
		return oncall.RoleSpan{}, opError(fmt.Sprintf("take role %s in incident %d", role, incidentID), err)
	}
	return span, nil
}

// LeaveRole ends member by's hold on role now. Not holding it is a
// *ValidationError.
func (s *Store) LeaveRole(ctx context.Context, incidentID int64, by string, role oncall.Role) (oncall.RoleSpan, error) {
	if !role.Valid() {
		return oncall.RoleSpan{}, oncall.Invalid("role", string(role), "must be lead, scribe or helper")
	}
	now := s.now()
	var span oncall.RoleSpan
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := incidentStatus(ctx, tx, incidentID); err != nil {
			return err
		}
		if _, err := memberID(ctx, tx, by); err != nil {
			return err
		}
		held, err := heldRoles(ctx, tx, incidentID, role)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Member == by {
				span = h
			}
		}
		if span.ID == 0 {
			return oncall.Invalid("role", string(role), fmt.Sprintf("%s does not hold %s in incident %d", by, role, incidentID))
		}
		span.Left = now
		if _, err := tx.ExecContext(ctx, `UPDATE incident_roles SET left_at = ? WHERE id = ?`, encodeTime(now), span.ID); err != nil {
			return err
		}
		return touchIncident(ctx, tx, incidentID, now)
	})
	if err != nil {
		return oncall.RoleSpan{}, opError(fmt.Sprintf("leave role %s in incident %d", role, incidentID), err)
	}
	return span, nil
}

const roleSelect = `SELECT r.id, r.incident_id, m.handle, r.role, r.taken_at, coalesce(r.left_at, '')
	FROM incident_roles r JOIN members m ON m.id = r.member_id`

func scanRole(rows *sql.Rows) (oncall.RoleSpan, error) {
	var r oncall.RoleSpan
	var role, taken, left string
	if err := rows.Scan(&r.ID, &r.IncidentID, &r.Member, &role, &taken, &left); err != nil {
		return oncall.RoleSpan{}, err
	}
	r.Role = oncall.Role(role)
	var err error
	if r.Taken, err = decodeTime(taken); err != nil {
		return oncall.RoleSpan{}, err
	}
	if left != "" {
		if r.Left, err = decodeTime(left); err != nil {
			return oncall.RoleSpan{}, err
		}
	}
	return r, nil
}

func scanRoles(rows *sql.Rows) ([]oncall.RoleSpan, error) {
	defer rows.Close()
	var out []oncall.RoleSpan
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func heldRoles(ctx context.Context, tx *Tx, incidentID int64, role oncall.Role) ([]oncall.RoleSpan, error) {
	rows, err := tx.QueryContext(ctx, roleSelect+` WHERE r.incident_id = ? AND r.role = ? AND r.left_at IS NULL ORDER BY r.id`,
		incidentID, string(role))
	if err != nil {
		return nil, err
	}
	return scanRoles(rows)
}

// Roles is every role span of an incident, held or past, by time taken.
func (s *Store) Roles(ctx context.Context, incidentID int64) ([]oncall.RoleSpan, error) {
	rows, err := s.db.QueryContext(ctx, roleSelect+` WHERE r.incident_id = ? ORDER BY r.taken_at, r.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("roles of incident %d: %w", incidentID, err)
	}
	out, err := scanRoles(rows)
	if err != nil {
		return nil, fmt.Errorf("roles of incident %d: %w", incidentID, err)
	}
	return out, nil
}

// RolesOf is the role spans of many incidents, each by time taken (as
// Roles), in one query per childChunk incidents.
func (s *Store) RolesOf(ctx context.Context, incidentIDs []int64) (map[int64][]oncall.RoleSpan, error) {
	out, err := children(ctx, s.db, roleSelect+` WHERE r.incident_id IN (%s) ORDER BY r.incident_id, r.taken_at, r.id`, incidentIDs,
		func(rows *sql.Rows) (int64, oncall.RoleSpan, error) {
			r, err := scanRole(rows)
			return r.IncidentID, r, err
		})
	if err != nil {
		return nil, fmt.Errorf("roles of %d incidents: %w", len(incidentIDs), err)
	}
	return out, nil
}

// endRoles closes every role still held (the incident is resolved).
func endRoles(ctx context.Context, tx *Tx, incidentID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE incident_roles SET left_at = ? WHERE incident_id = ? AND left_at IS NULL`,
		encodeTime(at), incidentID)
	return err
}

func incidentStatus(ctx context.Context, tx *Tx, incidentID int64) (oncall.Status, error) {
	var st string
	err := tx.QueryRowContext(ctx, `SELECT status FROM incidents WHERE id = ?`, incidentID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("incident %d: %w", incidentID, oncall.ErrNotFound)
	}
	return oncall.Status(st), err
}

// touchIncident bumps updated_at (the list sorts and shows it).
func touchIncident(ctx context.Context, tx *Tx, incidentID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE incidents SET updated_at = ? WHERE id = ?`, encodeTime(at), incidentID)
	return err
}
