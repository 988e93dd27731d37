package oncall

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Role is what a member does during an incident.
type Role string

const (
	RoleLead   Role = "lead"   // the one person changing the systems
	RoleScribe Role = "scribe" // keeps the journal
	RoleHelper Role = "helper" // any number of them
)

// RolesAll lists every role, lead first.
var RolesAll = []Role{RoleLead, RoleScribe, RoleHelper}

// single reports whether the role has one holder at a time.
func (r Role) single() bool { return r == RoleLead || r == RoleScribe }

func (r Role) valid() bool { return r == RoleLead || r == RoleScribe || r == RoleHelper }

// RoleSpan is one member holding one role of an incident, from Taken until
// Left (zero while still held).
type RoleSpan struct {
	ID         int64
	IncidentID int64
	Member     string
	Role       Role
	Taken      time.Time
	Left       time.Time
}

// Held reports whether the role is still held.
func (r RoleSpan) Held() bool { return r.Left.IsZero() }

// End is when the span ended, or until if it is still held.
func (r RoleSpan) End(until time.Time) time.Time {
	if r.Held() {
		return until
	}
	return r.Left
}

// TakeRole makes member by hold role in the incident from now. Holding it
// already, or a lead/scribe held by someone else, is a *ValidationError,
// unless takeOver: then the other holder's span ends at the same instant
// (a handoff while they sleep). Resolved incidents take no new roles.
func (s *SQLite) TakeRole(ctx context.Context, incidentID int64, by string, role Role, takeOver bool) (RoleSpan, error) {
	if !role.valid() {
		return RoleSpan{}, invalid("role", string(role), "must be lead, scribe or helper")
	}
	span := RoleSpan{IncidentID: incidentID, Member: by, Role: role, Taken: s.now()}
	err := s.write(ctx, func(tx *sql.Tx) error {
		status, err := incidentStatus(ctx, tx, incidentID)
		if err != nil {
			return err
		}
		if !status.IsOpen() {
			return invalid("role", string(role), fmt.Sprintf("incident %d is %s: roles are taken while it is in progress", incidentID, status))
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
				return invalid("role", string(role), fmt.Sprintf("%s is already %s since %s", by, role, h.Taken.Format("15:04 MST")))
			}
		}
		if role.single() && len(held) > 0 {
			if !takeOver {
				return invalid("role", string(role), fmt.Sprintf("%s is %s since %s: they leave it first, or take it over",
					held[0].Member, role, held[0].Taken.Format("15:04 MST")))
			}
			if _, err := tx.ExecContext(ctx, `UPDATE incident_roles SET left_at = ? WHERE id = ?`, encodeTime(span.Taken), held[0].ID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO incident_roles(incident_id, member_id, role, taken_at) VALUES (?, ?, ?, ?)`,
			incidentID, mid, string(role), encodeTime(span.Taken))
		if err != nil {
			return err
		}
		if span.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return touchIncident(ctx, tx, incidentID, span.Taken)
	})
	if err != nil {
		return RoleSpan{}, opError(fmt.Sprintf("take role %s in incident %d", role, incidentID), err)
	}
	return span, nil
}

// LeaveRole ends member by's hold on role now. Not holding it is a
// *ValidationError.
func (s *SQLite) LeaveRole(ctx context.Context, incidentID int64, by string, role Role) (RoleSpan, error) {
	if !role.valid() {
		return RoleSpan{}, invalid("role", string(role), "must be lead, scribe or helper")
	}
	now := s.now()
	var span RoleSpan
	err := s.write(ctx, func(tx *sql.Tx) error {
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
			return invalid("role", string(role), fmt.Sprintf("%s does not hold %s in incident %d", by, role, incidentID))
		}
		span.Left = now
		if _, err := tx.ExecContext(ctx, `UPDATE incident_roles SET left_at = ? WHERE id = ?`, encodeTime(now), span.ID); err != nil {
			return err
		}
		return touchIncident(ctx, tx, incidentID, now)
	})
	if err != nil {
		return RoleSpan{}, opError(fmt.Sprintf("leave role %s in incident %d", role, incidentID), err)
	}
	return span, nil
}

const roleSelect = `SELECT r.id, r.incident_id, m.handle, r.role, r.taken_at, coalesce(r.left_at, '')
	FROM incident_roles r JOIN members m ON m.id = r.member_id`

func scanRoles(rows *sql.Rows) ([]RoleSpan, error) {
	defer rows.Close()
	var out []RoleSpan
	for rows.Next() {
		var r RoleSpan
		var role, taken, left string
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.Member, &role, &taken, &left); err != nil {
			return nil, err
		}
		r.Role = Role(role)
		var err error
		if r.Taken, err = decodeTime(taken); err != nil {
			return nil, err
		}
		if left != "" {
			if r.Left, err = decodeTime(left); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func heldRoles(ctx context.Context, tx *sql.Tx, incidentID int64, role Role) ([]RoleSpan, error) {
	rows, err := tx.QueryContext(ctx, roleSelect+` WHERE r.incident_id = ? AND r.role = ? AND r.left_at IS NULL ORDER BY r.id`,
		incidentID, string(role))
	if err != nil {
		return nil, err
	}
	return scanRoles(rows)
}

// Roles is every role span of an incident, held or past, by time taken.
func (s *SQLite) Roles(ctx context.Context, incidentID int64) ([]RoleSpan, error) {
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

// endRoles closes every role still held (the incident is resolved).
func endRoles(ctx context.Context, tx *sql.Tx, incidentID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE incident_roles SET left_at = ? WHERE incident_id = ? AND left_at IS NULL`,
		encodeTime(at), incidentID)
	return err
}

func incidentStatus(ctx context.Context, tx *sql.Tx, incidentID int64) (Status, error) {
	var st string
	err := tx.QueryRowContext(ctx, `SELECT status FROM incidents WHERE id = ?`, incidentID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("incident %d: %w", incidentID, ErrNotFound)
	}
	return Status(st), err
}

// touchIncident bumps updated_at (the list sorts and shows it).
func touchIncident(ctx context.Context, tx *sql.Tx, incidentID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE incidents SET updated_at = ? WHERE id = ?`, encodeTime(at), incidentID)
	return err
}

// ParseRole reads a role name as typed on the command line.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.valid() {
		return "", invalid("role", s, "must be lead, scribe or helper")
	}
	return r, nil
}
