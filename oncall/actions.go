package oncall

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ActionState is where an action item stands; unlike incidents it may move
// any way (work gets reopened, dropped work picked up again).
type ActionState string

const (
	ActionOpen    ActionState = "open"
	ActionDoing   ActionState = "doing"
	ActionDone    ActionState = "done"
	ActionDropped ActionState = "dropped"
)

func (a ActionState) valid() bool {
	return a == ActionOpen || a == ActionDoing || a == ActionDone || a == ActionDropped
}

// Pending reports whether someone still has to do something.
func (a ActionState) Pending() bool { return a == ActionOpen || a == ActionDoing }

// ActionItem is work decided in a retro, tracked afterwards.
type ActionItem struct {
	ID         int64
	IncidentID int64
	Title      string
	Owner      string // member handle, "" for nobody yet
	Due        string // YYYY-MM-DD, "" for no date
	State      ActionState
	CreatedAt  time.Time
	CreatedBy  string
	UpdatedAt  time.Time
	// ClosedAt and ClosedBy say when and by whom the item was last set to
	// done or dropped; zero and "" while pending, and for items closed
	// before the store recorded it (schema v4).
	ClosedAt time.Time
	ClosedBy string // member handle
}

// NewAction is what a member types to add an action item.
type NewAction struct {
	Title string
	Owner string // optional member handle
	Due   string // optional YYYY-MM-DD
}

const maxActionTitleRunes = 300

func checkDue(due string) error {
	if due == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, due); err != nil {
		return invalid("action.due", due, "must be a date YYYY-MM-DD")
	}
	return nil
}

// AddAction adds an action item to an incident, state open.
func (s *SQLite) AddAction(ctx context.Context, incidentID int64, by string, n NewAction) (ActionItem, error) {
	if err := checkLine("action.title", n.Title, maxActionTitleRunes); err != nil {
		return ActionItem{}, err
	}
	if err := checkDue(n.Due); err != nil {
		return ActionItem{}, err
	}
	now := s.now()
	a := ActionItem{IncidentID: incidentID, Title: n.Title, Owner: n.Owner, Due: n.Due, State: ActionOpen,
		CreatedAt: now, CreatedBy: by, UpdatedAt: now}
	err := s.write(ctx, func(tx *sql.Tx) error {
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
		res, err := tx.ExecContext(ctx, `INSERT INTO action_items(incident_id, title, owner_id, due, state, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, incidentID, a.Title, owner, a.Due, string(a.State), encodeTime(now), creator, encodeTime(now))
		if err != nil {
			return err
		}
		a.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return ActionItem{}, opError(fmt.Sprintf("add action to incident %d", incidentID), err)
	}
	return a, nil
}

// UpdateAction changes an action item's state, and its owner or due date
// when given (nil leaves them; a pointer to "" clears them). by is the
// member making the change: when the state moves to done or dropped (from
// any other state) the item records by and now as its closer; moving back
// to open or doing clears them. Setting the state it already has keeps the
// recorded closer and time, so a repeated command does not rewrite history.
func (s *SQLite) UpdateAction(ctx context.Context, actionID int64, by string, state ActionState, owner, due *string) (ActionItem, error) {
	if state != "" && !state.valid() {
		return ActionItem{}, invalid("action.state", string(state), "must be open, doing, done or dropped")
	}
	if due != nil {
		if err := checkDue(*due); err != nil {
			return ActionItem{}, err
		}
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT state FROM action_items WHERE id = ?`, actionID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("action %d: %w", actionID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		byID, err := memberID(ctx, tx, by)
		if err != nil {
			return fmt.Errorf("action changed by: %w", err)
		}
		if state != "" && state != ActionState(cur) {
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
		return ActionItem{}, opError(fmt.Sprintf("update action %d", actionID), err)
	}
	return s.Action(ctx, actionID)
}

const actionSelect = `SELECT a.id, a.incident_id, a.title, coalesce(o.handle, ''), a.due, a.state, a.created_at, c.handle, a.updated_at,
	coalesce(a.closed_at, ''), coalesce(x.handle, '')
	FROM action_items a LEFT JOIN members o ON o.id = a.owner_id JOIN members c ON c.id = a.created_by
	LEFT JOIN members x ON x.id = a.closed_by`

func scanAction(sc interface{ Scan(...any) error }) (ActionItem, error) {
	var a ActionItem
	var state, created, updated, closed string
	if err := sc.Scan(&a.ID, &a.IncidentID, &a.Title, &a.Owner, &a.Due, &state, &created, &a.CreatedBy, &updated,
		&closed, &a.ClosedBy); err != nil {
		return ActionItem{}, err
	}
	a.State = ActionState(state)
	var err error
	if a.CreatedAt, err = decodeTime(created); err != nil {
		return ActionItem{}, err
	}
	if a.UpdatedAt, err = decodeTime(updated); err != nil {
		return ActionItem{}, err
	}
	if closed != "" {
		a.ClosedAt, err = decodeTime(closed)
	}
	return a, err
}

// Action finds one action item.
func (s *SQLite) Action(ctx context.Context, id int64) (ActionItem, error) {
	a, err := scanAction(s.db.QueryRowContext(ctx, actionSelect+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ActionItem{}, fmt.Errorf("action %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ActionItem{}, fmt.Errorf("action %d: %w", id, err)
	}
	return a, nil
}

// ActionFilter narrows Actions.
type ActionFilter struct {
	IncidentID  int64 // 0: every incident
	PendingOnly bool  // open and doing only
}

// Actions lists action items by due date (undated last), then as created.
func (s *SQLite) Actions(ctx context.Context, f ActionFilter) ([]ActionItem, error) {
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
	var out []ActionItem
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("list actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ParseActionState reads a state as typed.
func ParseActionState(s string) (ActionState, error) {
	a := ActionState(s)
	if !a.valid() {
		return "", invalid("action.state", s, "must be open, doing, done or dropped")
	}
	return a, nil
}
