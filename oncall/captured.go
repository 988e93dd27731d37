package oncall

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Transition is a change of state seen in the cluster, as the journal keeps
// it (a copy of sources.Transition, so oncall does not depend on sources).
type Transition struct {
	At      time.Time
	Kind    string // check, alloc, node, deployment, job
	Subject string // service/guichet, job/backup, node/paris-1, site/lyon
	Site    string
	From    string
	To      string
	Detail  string
	Key     string // the same change seen by two processes has the same key
}

// Captured is a transition recorded into an incident's timeline, with the
// system entry that shows it.
type Captured struct {
	Transition
	ID, IncidentID, EntryID int64
	Source                  string // consul or nomad
	RecordedBy              string // the process that wrote it first
	RecordedAt              time.Time
}

const (
	maxTransitionField  = 512
	maxTransitionDetail = 2048
)

// TransitionSource is the backend a transition kind comes from.
func TransitionSource(kind string) string {
	if kind == "check" || kind == "service" {
		return "consul"
	}
	return "nomad"
}

// Text is how a captured transition reads in the journal, e.g.
// "consul: check service/guichet passing → critical (lyon): HTTP GET …: 404".
func (t Transition) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s ", TransitionSource(t.Kind), t.Kind, t.Subject)
	if t.From != "" {
		b.WriteString(t.From + " → ")
	}
	b.WriteString(t.To)
	if t.Site != "" {
		b.WriteString(" (" + t.Site + ")")
	}
	if t.Detail != "" {
		b.WriteString(": " + t.Detail)
	}
	return b.String()
}

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
func (s *SQLite) RecordTransition(ctx context.Context, incidentID int64, t Transition, recordedBy string) (e Entry, recorded bool, err error) {
	if t.Key == "" {
		return Entry{}, false, invalid("transition.key", "", "must not be empty")
	}
	if t.Subject == "" {
		return Entry{}, false, invalid("transition.subject", "", "must not be empty")
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
	e = Entry{IncidentID: incidentID, At: t.At, Kind: KindSystem, Text: t.Text()}
	err = s.write(ctx, func(tx *sql.Tx) error {
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
			TransitionSource(t.Kind), recordedBy, encodeTime(now)); err != nil {
			return err
		}
		recorded = true
		return touchIncident(ctx, tx, incidentID, now)
	})
	if err != nil {
		return Entry{}, false, opError(fmt.Sprintf("record transition in incident %d", incidentID), err)
	}
	if !recorded {
		return Entry{}, false, nil
	}
	return e, true, nil
}

// CapturedTransitions lists what was recorded from the cluster into an
// incident, by time.
func (s *SQLite) CapturedTransitions(ctx context.Context, incidentID int64) ([]Captured, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, incident_id, entry_id, key, at, kind, subject, site, from_state, to_state,
		detail, source, recorded_by, recorded_at FROM captured_transitions WHERE incident_id = ? ORDER BY at, id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("transitions of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []Captured
	for rows.Next() {
		var c Captured
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
