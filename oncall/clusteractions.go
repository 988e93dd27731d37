package oncall

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ClusterAction is something a member did to the cluster through entretien
// (a restart, a drain…), with Nomad's answer. Inside an incident it becomes
// an action entry of its journal, so "who repaired" is a recorded fact;
// outside any, a row of the action log.
type ClusterAction struct {
	ID      int64 // the action log's row; 0 when written to journals instead
	At      time.Time
	By      string // member handle
	What    string // what was done, naming the object and its site
	Touches []string
	OK      bool   // Nomad accepted it
	Outcome string // "accepted, evaluation 9b2c…", or the error
}

// Touches names objects as incidents name what they affect: job/X,
// service/X, node/N, site/S. An action on an allocation touches its job,
// its node, its site and the services it registers.

// ActionRecorded says where RecordAction wrote an action.
type ActionRecorded struct {
	Entries []Entry // one action entry per incident in progress it touches
	LogID   int64   // the action log's row, when no incident in progress touches it
}

// Incidents are the ids of the incidents whose journals got the action.
func (r ActionRecorded) Incidents() []int64 {
	ids := make([]int64, len(r.Entries))
	for i, e := range r.Entries {
		ids[i] = e.IncidentID
	}
	return ids
}

// RecordAction writes a cluster action, in one transaction: as an action
// entry by a.By in every incident in progress (before resolved) whose
// affects include one of a.Touches, else as a row of the action log. An
// unknown member wraps ErrNotFound; an empty or oversized text is a
// *ValidationError; nothing is written then.
func (s *SQLite) RecordAction(ctx context.Context, a ClusterAction) (ActionRecorded, error) {
	a.What = strings.TrimSpace(a.What)
	if a.What == "" {
		return ActionRecorded{}, invalid("action.what", a.What, "say what was done")
	}
	text := actionText(a)
	if err := checkEntryText(text); err != nil {
		return ActionRecorded{}, err
	}
	if a.At.IsZero() {
		a.At = s.now()
	}
	touches := slices.Compact(slices.Sorted(slices.Values(a.Touches)))
	if touches == nil {
		touches = []string{}
	}
	var rec ActionRecorded
	err := s.write(ctx, func(tx *sql.Tx) error {
		author, err := memberID(ctx, tx, a.By)
		if err != nil {
			return err
		}
		ids, err := incidentsTouching(ctx, tx, touches)
		if err != nil {
			return err
		}
		for _, id := range ids {
			e := Entry{IncidentID: id, At: a.At, Author: a.By, Kind: KindAction, Text: text}
			if err := insertEntry(ctx, tx, &e); err != nil {
				return err
			}
			rec.Entries = append(rec.Entries, e)
		}
		if len(ids) > 0 {
			return nil
		}
		js, _ := json.Marshal(touches)
		res, err := tx.ExecContext(ctx, `INSERT INTO cluster_actions(at, author_id, what, touches, ok, outcome) VALUES (?, ?, ?, ?, ?, ?)`,
			encodeTime(a.At), author, a.What, string(js), a.OK, a.Outcome)
		if err != nil {
			return err
		}
		rec.LogID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return ActionRecorded{}, opError("record cluster action", err)
	}
	return rec, nil
}

// actionText is the journal entry of an action: what, then Nomad's answer.
func actionText(a ClusterAction) string {
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
func incidentsTouching(ctx context.Context, tx *sql.Tx, touches []string) ([]int64, error) {
	if len(touches) == 0 {
		return nil, nil
	}
	js, _ := json.Marshal(touches)
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT i.id FROM incidents i JOIN incident_affects a ON a.incident_id = i.id
		WHERE i.status IN (?, ?, ?) AND a.target IN (SELECT value FROM json_each(?)) ORDER BY i.id`,
		string(StatusOpen), string(StatusAcknowledged), string(StatusMitigated), string(js))
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
func (s *SQLite) ClusterActions(ctx context.Context, from, to time.Time) ([]ClusterAction, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.at, m.handle, c.what, c.touches, c.ok, c.outcome
		FROM cluster_actions c JOIN members m ON m.id = c.author_id
		WHERE c.at >= ? AND c.at < ? ORDER BY c.at, c.id`, encodeTime(from), encodeTime(to))
	if err != nil {
		return nil, fmt.Errorf("action log: %w", err)
	}
	defer rows.Close()
	var out []ClusterAction
	for rows.Next() {
		var a ClusterAction
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
