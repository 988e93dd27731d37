package oncall

import (
	"context"
	"fmt"
	"strings"
)

// EntriesSince is the part of an incident's journal written after entry
// afterID (IDs only grow), by time then ID: a screen that already shows the
// journal reloads only what is new when another member writes.
func (s *SQLite) EntriesSince(ctx context.Context, incidentID, afterID int64) ([]Entry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.incident_id, e.at, coalesce(m.handle, ''), e.kind, e.text, coalesce(e.amends, 0)
		FROM entries e LEFT JOIN members m ON m.id = e.author_id
		WHERE e.incident_id = ? AND e.id > ? ORDER BY e.at, e.id`, incidentID, afterID)
	if err != nil {
		return nil, fmt.Errorf("entries of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at, kind string
		if err := rows.Scan(&e.ID, &e.IncidentID, &at, &e.Author, &kind, &e.Text, &e.Amends); err != nil {
			return nil, fmt.Errorf("entries of incident %d: %w", incidentID, err)
		}
		e.Kind = EntryKind(kind)
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

// ParseStatus reads a status as typed on the command line ("ack" is
// acknowledged).
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case "ack":
		return StatusAcknowledged, nil
	default:
		if st.rank() >= 0 {
			return st, nil
		}
	}
	return "", invalid("incident.status", s, "must be one of open, acknowledged, mitigated, resolved, reviewed")
}

// ParseEntryKind reads a kind members may write.
func ParseEntryKind(s string) (EntryKind, error) {
	k := EntryKind(s)
	switch k {
	case KindObservation, KindAction, KindDecision, KindQuestion, KindHandoff:
		return k, nil
	}
	return "", invalid("entry.kind", s, "must be observation, action, decision, question or handoff")
}

// MaxEntryBytes is the cap on a journal entry's text.
const MaxEntryBytes = maxEntryBytes

// CheckEntryText says why text would be refused as an entry (nil if not),
// so a UI can tell the member before posting.
func CheckEntryText(text string) error { return checkEntryText(text) }
