package sqlstore

import (
	"context"
	"fmt"

	"codeberg.org/entretien/entretien/oncall"
)

// EntriesSince is the part of an incident's journal written after entry
// afterID (IDs only grow), by time then ID: a screen that already shows the
// journal reloads only what is new when another member writes.
func (s *Store) EntriesSince(ctx context.Context, incidentID, afterID int64) ([]oncall.Entry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.incident_id, e.at, coalesce(m.handle, ''), e.kind, e.text, coalesce(e.amends, 0), e.status_from, e.status_to, coalesce(e.client_id, '')
		FROM entries e LEFT JOIN members m ON m.id = e.author_id
		WHERE e.incident_id = ? AND e.id > ? ORDER BY e.at, e.id`, incidentID, afterID)
	if err != nil {
		return nil, fmt.Errorf("entries of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []oncall.Entry
	for rows.Next() {
		var e oncall.Entry
		var at, kind, from, to string
		if err := rows.Scan(&e.ID, &e.IncidentID, &at, &e.Author, &kind, &e.Text, &e.Amends, &from, &to, &e.ClientID); err != nil {
			return nil, fmt.Errorf("entries of incident %d: %w", incidentID, err)
		}
		e.Kind, e.From, e.To = oncall.EntryKind(kind), oncall.Status(from), oncall.Status(to)
		if e.At, err = decodeTime(at); err != nil {
			return nil, fmt.Errorf("entries of incident %d: %w", incidentID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("entries of incident %d: %w", incidentID, err)
	}
	return out, nil
}
