package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"codeberg.org/entretien/entretien/oncall"
)

const maxTransitionField = 512

const maxTransitionDetail = 2048

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// RecordTransition writes t into the timeline of an incident in progress,
// as a system entry at t.At plus its captured row, in one transaction.
// recorded is false, and nothing is written, when this incident already
// has a transition with t.Key (another process got there first) or is no
// longer in progress. Over-long fields are clipped, not refused: the
// cluster's words are kept, not judged.
func (s *Store) RecordTransition(ctx context.Context, incidentID int64, t oncall.Transition, recordedBy string) (e oncall.Entry, recorded bool, err error) {
	if t.Key == "" {
		return oncall.Entry{}, false, oncall.Invalid("transition.key", "", "must not be empty")
	}
	if t.Subject == "" {
		return oncall.Entry{}, false, oncall.Invalid("transition.subject", "", "must not be empty")
	}
	for _, f := range []*string{&t.Kind, &t.Subject, &t.Site, &t.From, &t.To, &t.Key} {
		*f = clip(*f, maxTransitionField)
	}
	t.Detail = clip(t.Detail, maxTransitionDetail)
	now := s.now()
	if t.At.IsZero() {
		t.At = now
	}
	t.At = t.At.UTC()
	e = oncall.Entry{IncidentID: incidentID, At: t.At, Kind: oncall.KindSystem, Text: t.Text()}
	err = s.write(ctx, func(tx *Tx) error {
		recorded = false // the write may run again (Dialect.Write)
		status, err := incidentStatus(ctx, tx, incidentID)
		if err != nil {
			return err
		}
		if !status.IsOpen() {
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM captured_transitions WHERE incident_id = ? AND key = ?`,
			incidentID, t.Key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if err := insertEntry(ctx, tx, &e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO captured_transitions(incident_id, entry_id, key, at, kind, subject, site,
			from_state, to_state, detail, source, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			incidentID, e.ID, t.Key, encodeTime(t.At), t.Kind, t.Subject, t.Site, t.From, t.To, t.Detail,
			oncall.TransitionSource(t.Kind), recordedBy, encodeTime(now)); err != nil {
			return err
		}
		recorded = true
		return touchIncident(ctx, tx, incidentID, now)
	})
	if err != nil {
		return oncall.Entry{}, false, opError(fmt.Sprintf("record transition in incident %d", incidentID), err)
	}
	if !recorded {
		return oncall.Entry{}, false, nil
	}
	return e, true, nil
}

// CapturedTransitions lists what was recorded from the cluster into an
// incident, by time.
func (s *Store) CapturedTransitions(ctx context.Context, incidentID int64) ([]oncall.Captured, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, incident_id, entry_id, key, at, kind, subject, site, from_state, to_state,
		detail, source, recorded_by, recorded_at FROM captured_transitions WHERE incident_id = ? ORDER BY at, id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("transitions of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []oncall.Captured
	for rows.Next() {
		var c oncall.Captured
		var at, rec string
		if err := rows.Scan(&c.ID, &c.IncidentID, &c.EntryID, &c.Key, &at, &c.Kind, &c.Subject, &c.Site, &c.From, &c.To,
			&c.Detail, &c.Source, &c.RecordedBy, &rec); err != nil {
			return nil, fmt.Errorf("transitions of incident %d: %w", incidentID, err)
		}
		if c.At, err = decodeTime(at); err != nil {
			return nil, err
		}
		if c.RecordedAt, err = decodeTime(rec); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transitions of incident %d: %w", incidentID, err)
	}
	return out, nil
}
