package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// RecordAction writes a cluster action, in one transaction: as an action
// entry by a.By in every incident in progress (before resolved) whose
// affects include one of a.Touches, else as a row of the action log. An
// unknown member wraps ErrNotFound; an empty or oversized text is a
// *ValidationError; nothing is written then.
func (s *Store) RecordAction(ctx context.Context, a oncall.ClusterAction) (oncall.ActionRecorded, error) {
	a.What = strings.TrimSpace(a.What)
	if a.What == "" {
		return oncall.ActionRecorded{}, oncall.Invalid("action.what", a.What, "say what was done")
	}
	text := actionText(a)
	if err := oncall.CheckEntryText(text); err != nil {
		return oncall.ActionRecorded{}, err
	}
	if a.At.IsZero() {
		a.At = s.now()
	}
	touches := slices.Compact(slices.Sorted(slices.Values(a.Touches)))
	if touches == nil {
		touches = []string{}
	}
	var rec oncall.ActionRecorded
	err := s.write(ctx, func(tx *Tx) error {
		author, err := memberID(ctx, tx, a.By)
		if err != nil {
			return err
		}
		ids, err := incidentsTouching(ctx, tx, touches)
		if err != nil {
			return err
		}
		for _, id := range ids {
			e := oncall.Entry{IncidentID: id, At: a.At, Author: a.By, Kind: oncall.KindAction, Text: text}
			if err := insertEntry(ctx, tx, &e); err != nil {
				return err
			}
			rec.Entries = append(rec.Entries, e)
		}
		if len(ids) > 0 {
			return nil
		}
		js, _ := json.Marshal(touches)
		id, err := insertID(ctx, tx, `INSERT INTO cluster_actions(at, author_id, what, touches, ok, outcome) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			encodeTime(a.At), author, a.What, string(js), a.OK, a.Outcome)
		if err != nil {
			return err
		}
		rec.LogID = id
		return err
	})
	if err != nil {
		return oncall.ActionRecorded{}, opError("record cluster action", err)
	}
	return rec, nil
}

// actionText is the journal entry of an action: what, then Nomad's answer.
func actionText(a oncall.ClusterAction) string {
	if a.Outcome == "" {
		return a.What
	}
	if a.OK {
		return a.What + ": " + a.Outcome
	}
	return a.What + ": failed: " + a.Outcome
}

// incidentsTouching are the incidents in progress whose affects include
// one of touches, by id.
func incidentsTouching(ctx context.Context, tx *Tx, touches []string) ([]int64, error) {
	if len(touches) == 0 {
		return nil, nil
	}
	args := []any{string(oncall.StatusOpen), string(oncall.StatusAcknowledged), string(oncall.StatusMitigated)}
	for _, x := range touches {
		args = append(args, x)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(touches)), ", ")
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT i.id FROM incidents i JOIN incident_affects a ON a.incident_id = i.id
		WHERE i.status IN (?, ?, ?) AND a.target IN (`+marks+`) ORDER BY i.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ClusterActions is the action log (actions outside any incident) in
// [from, to), oldest first.
func (s *Store) ClusterActions(ctx context.Context, from, to time.Time) ([]oncall.ClusterAction, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.at, m.handle, c.what, c.touches, c.ok, c.outcome
		FROM cluster_actions c JOIN members m ON m.id = c.author_id
		WHERE c.at >= ? AND c.at < ? ORDER BY c.at, c.id`, encodeTime(from), encodeTime(to))
	if err != nil {
		return nil, fmt.Errorf("action log: %w", err)
	}
	defer rows.Close()
	var out []oncall.ClusterAction
	for rows.Next() {
		var a oncall.ClusterAction
		var at, touches string
		if err := rows.Scan(&a.ID, &at, &a.By, &a.What, &touches, &a.OK, &a.Outcome); err != nil {
			return nil, fmt.Errorf("action log: %w", err)
		}
		if a.At, err = decodeTime(at); err != nil {
			return nil, fmt.Errorf("action log: %w", err)
		}
		if err := json.Unmarshal([]byte(touches), &a.Touches); err != nil {
			return nil, fmt.Errorf("action log %d touches: %w", a.ID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
