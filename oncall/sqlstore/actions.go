package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"codeberg.org/entretien/entretien/oncall"
)

const maxActionTitleRunes = 300

// AddAction adds an action item to an incident, state open.
func (s *Store) AddAction(ctx context.Context, incidentID int64, by string, n oncall.NewAction) (oncall.ActionItem, error) {
	if err := oncall.CheckLine("action.title", n.Title, maxActionTitleRunes); err != nil {
		return oncall.ActionItem{}, err
	}
	if err := oncall.CheckDue(n.Due); err != nil {
		return oncall.ActionItem{}, err
	}
	now := s.now()
	a := oncall.ActionItem{IncidentID: incidentID, Title: n.Title, Owner: n.Owner, Due: n.Due, State: oncall.ActionOpen,
		CreatedAt: now, CreatedBy: by, UpdatedAt: now}
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := incidentStatus(ctx, tx, incidentID); err != nil {
			return err
		}
		creator, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		var owner any
		if n.Owner != "" {
			if owner, err = memberID(ctx, tx, n.Owner); err != nil {
				return fmt.Errorf("action owner: %w", err)
			}
		}
		id, err := insertID(ctx, tx, `INSERT INTO action_items(incident_id, title, owner_id, due, state, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, incidentID, a.Title, owner, a.Due, string(a.State), encodeTime(now), creator, encodeTime(now))
		if err != nil {
			return err
		}
		a.ID = id
		return err
	})
	if err != nil {
		return oncall.ActionItem{}, opError(fmt.Sprintf("add action to incident %d", incidentID), err)
	}
	return a, nil
}

// UpdateAction changes an action item's state, and its owner or due date
// when given (nil leaves them; a pointer to "" clears them). by is the
// member making the change: when the state moves to done or dropped (from
// any other state) the item records by and now as its closer; moving back
// to open or doing clears them. Setting the state it already has keeps the
// recorded closer and time, so a repeated command does not rewrite history.
func (s *Store) UpdateAction(ctx context.Context, actionID int64, by string, state oncall.ActionState, owner, due *string) (oncall.ActionItem, error) {
	if state != "" && !state.Valid() {
		return oncall.ActionItem{}, oncall.Invalid("action.state", string(state), "must be open, doing, done or dropped")
	}
	if due != nil {
		if err := oncall.CheckDue(*due); err != nil {
			return oncall.ActionItem{}, err
		}
	}
	now := s.now()
	err := s.write(ctx, func(tx *Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT state FROM action_items WHERE id = ?`, actionID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("action %d: %w", actionID, oncall.ErrNotFound)
		}
		if err != nil {
			return err
		}
		byID, err := memberID(ctx, tx, by)
		if err != nil {
			return fmt.Errorf("action changed by: %w", err)
		}
		if state != "" && state != oncall.ActionState(cur) {
			var closedAt, closedBy any // NULL: pending again
			if !state.Pending() {
				closedAt, closedBy = encodeTime(now), byID
			}
			if _, err := tx.ExecContext(ctx, `UPDATE action_items SET state = ?, closed_at = ?, closed_by = ? WHERE id = ?`,
				string(state), closedAt, closedBy, actionID); err != nil {
				return err
			}
		}
		if owner != nil {
			var o any
			if *owner != "" {
				id, err := memberID(ctx, tx, *owner)
				if err != nil {
					return fmt.Errorf("action owner: %w", err)
				}
				o = id
			}
			if _, err := tx.ExecContext(ctx, `UPDATE action_items SET owner_id = ? WHERE id = ?`, o, actionID); err != nil {
				return err
			}
		}
		if due != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE action_items SET due = ? WHERE id = ?`, *due, actionID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE action_items SET updated_at = ? WHERE id = ?`, encodeTime(now), actionID)
		return err
	})
	if err != nil {
		return oncall.ActionItem{}, opError(fmt.Sprintf("update action %d", actionID), err)
	}
	return s.Action(ctx, actionID)
}

const actionSelect = `SELECT a.id, a.incident_id, a.title, coalesce(o.handle, ''), a.due, a.state, a.created_at, c.handle, a.updated_at,
	coalesce(a.closed_at, ''), coalesce(x.handle, '')
	FROM action_items a LEFT JOIN members o ON o.id = a.owner_id JOIN members c ON c.id = a.created_by
	LEFT JOIN members x ON x.id = a.closed_by`

func scanAction(sc interface{ Scan(...any) error }) (oncall.ActionItem, error) {
	var a oncall.ActionItem
	var state, created, updated, closed string
	if err := sc.Scan(&a.ID, &a.IncidentID, &a.Title, &a.Owner, &a.Due, &state, &created, &a.CreatedBy, &updated,
		&closed, &a.ClosedBy); err != nil {
		return oncall.ActionItem{}, err
	}
	a.State = oncall.ActionState(state)
	var err error
	if a.CreatedAt, err = decodeTime(created); err != nil {
		return oncall.ActionItem{}, err
	}
	if a.UpdatedAt, err = decodeTime(updated); err != nil {
		return oncall.ActionItem{}, err
	}
	if closed != "" {
		a.ClosedAt, err = decodeTime(closed)
	}
	return a, err
}

// Action finds one action item.
func (s *Store) Action(ctx context.Context, id int64) (oncall.ActionItem, error) {
	a, err := scanAction(s.db.QueryRowContext(ctx, actionSelect+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return oncall.ActionItem{}, fmt.Errorf("action %d: %w", id, oncall.ErrNotFound)
	}
	if err != nil {
		return oncall.ActionItem{}, fmt.Errorf("action %d: %w", id, err)
	}
	return a, nil
}

// Actions lists action items by due date (undated last), then as created.
func (s *Store) Actions(ctx context.Context, f oncall.ActionFilter) ([]oncall.ActionItem, error) {
	q := actionSelect + ` WHERE 1 = 1`
	var args []any
	if f.IncidentID != 0 {
		q += ` AND a.incident_id = ?`
		args = append(args, f.IncidentID)
	}
	if f.PendingOnly {
		q += ` AND a.state IN ('open', 'doing')`
	}
	q += ` ORDER BY a.due = '', a.due, a.id`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list actions: %w", err)
	}
	defer rows.Close()
	var out []oncall.ActionItem
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("list actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
