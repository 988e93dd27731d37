package oncall

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where an incident stands. It only moves forward, in this order.
type Status string

const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged"
	StatusMitigated    Status = "mitigated"
	StatusResolved     Status = "resolved"
	StatusReviewed     Status = "reviewed"
)

// Statuses is every status in lifecycle order.
var Statuses = []Status{StatusOpen, StatusAcknowledged, StatusMitigated, StatusResolved, StatusReviewed}

func (s Status) rank() int {
	for i, x := range Statuses {
		if x == s {
			return i
		}
	}
	return -1
}

// IsOpen reports whether the incident still needs attention (before resolved).
func (s Status) IsOpen() bool {
	r := s.rank()
	return r >= 0 && r < StatusResolved.rank()
}

// Incident is something going wrong that members deal with together.
type Incident struct {
	ID        int64
	Title     string
	Severity  int // 1 (worst) .. 3
	Status    Status
	Affects   []string // "job/garage", "service/guichet", "site/lyon", "node/paris-1"
	OpenedAt  time.Time
	OpenedBy  string // member handle
	UpdatedAt time.Time
}

// NewIncident is what a member types to open an incident.
type NewIncident struct {
	Title    string
	Severity int
	Affects  []string
}

// EntryKind says what a journal entry is.
type EntryKind string

const (
	KindObservation EntryKind = "observation"
	KindAction      EntryKind = "action"
	KindDecision    EntryKind = "decision"
	KindQuestion    EntryKind = "question"
	KindHandoff     EntryKind = "handoff"
	KindStatus      EntryKind = "status" // written by SetStatus only
	KindSystem      EntryKind = "system" // no author
)

// EntryKinds is every kind, the ones members write first.
var EntryKinds = []EntryKind{KindObservation, KindAction, KindDecision, KindQuestion, KindHandoff, KindStatus, KindSystem}

// Entry is one line of an incident's journal. The journal is append-only: a
// correction is a new entry whose Amends is the corrected entry's ID.
type Entry struct {
	ID         int64
	IncidentID int64
	At         time.Time
	Author     string // member handle; "" for system entries
	Kind       EntryKind
	Text       string // exactly as typed; sanitise when drawing
	Amends     int64  // 0, or the ID of the entry this one corrects
}

// IncidentFilter narrows Incidents.
type IncidentFilter struct {
	OpenOnly bool // only statuses before resolved
}

const (
	maxTitleRunes  = 200
	maxEntryBytes  = 8192
	maxTargetBytes = 200
)

var targetRE = regexp.MustCompile(`^(job|service|site|node)/.+$`)

func (n NewIncident) validate() (NewIncident, error) {
	if err := checkLine("incident.title", n.Title, maxTitleRunes); err != nil {
		return n, err
	}
	if n.Severity < 1 || n.Severity > 3 {
		return n, invalid("incident.severity", itoa(n.Severity), "must be 1 (worst) to 3")
	}
	seen := map[string]bool{}
	var affects []string
	for _, a := range n.Affects {
		if err := checkToken("incident.affects", a, maxTargetBytes); err != nil {
			return n, err
		}
		if !targetRE.MatchString(a) {
			return n, invalid("incident.affects", a, "must be job/NAME, service/NAME, site/NAME or node/NAME")
		}
		if !seen[a] {
			seen[a] = true
			affects = append(affects, a)
		}
	}
	n.Affects = affects
	return n, nil
}

// checkEntryText: not blank, valid UTF-8, at most maxEntryBytes. Newlines and
// anything else are kept as typed.
func checkEntryText(text string) error {
	short := text
	if len(short) > 40 {
		short = strings.ToValidUTF8(short[:40], "") + "…"
	}
	if len(text) > maxEntryBytes {
		return invalid("entry.text", short, fmt.Sprintf("longer than %d bytes (%d)", maxEntryBytes, len(text)))
	}
	if !utf8.ValidString(text) {
		return invalid("entry.text", short, "not valid UTF-8")
	}
	if strings.TrimSpace(text) == "" {
		return invalid("entry.text", short, "must not be empty")
	}
	return nil
}

// OpenIncident opens an incident in status open, opened by member handle by.
func (s *SQLite) OpenIncident(ctx context.Context, by string, n NewIncident) (Incident, error) {
	n, err := n.validate()
	if err != nil {
		return Incident{}, err
	}
	now := s.now()
	inc := Incident{Title: n.Title, Severity: n.Severity, Status: StatusOpen, Affects: n.Affects,
		OpenedAt: now, OpenedBy: by, UpdatedAt: now}
	if inc.Affects == nil {
		inc.Affects = []string{}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		author, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO incidents(title, severity, status, opened_at, opened_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, inc.Title, inc.Severity, string(inc.Status), encodeTime(now), author, encodeTime(now))
		if err != nil {
			return err
		}
		if inc.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i, a := range inc.Affects {
			if _, err := tx.ExecContext(ctx, `INSERT INTO incident_affects(incident_id, position, target) VALUES (?, ?, ?)`,
				inc.ID, i, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Incident{}, opError("open incident", err)
	}
	return inc, nil
}

const incidentSelect = `SELECT i.id, i.title, i.severity, i.status, i.opened_at, m.handle, i.updated_at,
	(SELECT json_group_array(a.target ORDER BY a.position) FROM incident_affects a WHERE a.incident_id = i.id)
	FROM incidents i JOIN members m ON m.id = i.opened_by`

func scanIncident(sc interface{ Scan(...any) error }) (Incident, error) {
	var inc Incident
	var status, opened, updated, affects string
	if err := sc.Scan(&inc.ID, &inc.Title, &inc.Severity, &status, &opened, &inc.OpenedBy, &updated, &affects); err != nil {
		return Incident{}, err
	}
	inc.Status = Status(status)
	var err error
	if inc.OpenedAt, err = decodeTime(opened); err != nil {
		return Incident{}, err
	}
	if inc.UpdatedAt, err = decodeTime(updated); err != nil {
		return Incident{}, err
	}
	if err := json.Unmarshal([]byte(affects), &inc.Affects); err != nil {
		return Incident{}, fmt.Errorf("incident %d affects: %w", inc.ID, err)
	}
	return inc, nil
}

// Incident finds one incident by ID.
func (s *SQLite) Incident(ctx context.Context, id int64) (Incident, error) {
	inc, err := scanIncident(s.db.QueryRowContext(ctx, incidentSelect+` WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Incident{}, fmt.Errorf("incident %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Incident{}, fmt.Errorf("incident %d: %w", id, err)
	}
	return inc, nil
}

// Incidents lists incidents: those not yet resolved first, then newest first.
func (s *SQLite) Incidents(ctx context.Context, f IncidentFilter) ([]Incident, error) {
	q := incidentSelect
	if f.OpenOnly {
		q += ` WHERE i.status IN ('open', 'acknowledged', 'mitigated')`
	}
	q += ` ORDER BY i.status IN ('resolved', 'reviewed'), i.opened_at DESC, i.id DESC`
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("list incidents: %w", err)
		}
		out = append(out, inc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, nil
}

func checkKind(kind EntryKind, by string) error {
	switch kind {
	case KindObservation, KindAction, KindDecision, KindQuestion, KindHandoff:
		if by == "" {
			return invalid("entry.author", by, "a "+string(kind)+" needs an author")
		}
	case KindSystem:
		if by != "" {
			return invalid("entry.author", by, "system entries have no author")
		}
	case KindStatus:
		return invalid("entry.kind", string(kind), "status entries are written by status changes")
	default:
		return invalid("entry.kind", string(kind), "unknown kind")
	}
	return nil
}

// AddEntry appends to an incident's journal. by is a member handle, or ""
// for a system entry (kind system). Unknown incident or author wraps
// ErrNotFound; bad kind or text is a *ValidationError; nothing is written.
func (s *SQLite) AddEntry(ctx context.Context, incidentID int64, by string, kind EntryKind, text string) (Entry, error) {
	if err := checkKind(kind, by); err != nil {
		return Entry{}, err
	}
	if err := checkEntryText(text); err != nil {
		return Entry{}, err
	}
	e := Entry{IncidentID: incidentID, At: s.now(), Author: by, Kind: kind, Text: text}
	err := s.write(ctx, func(tx *sql.Tx) error { return insertEntry(ctx, tx, &e) })
	if err != nil {
		return Entry{}, opError(fmt.Sprintf("add entry to incident %d", incidentID), err)
	}
	return e, nil
}

// AmendEntry appends a correction of entry entryID, by member handle by: a
// new entry of the same kind in the same incident with Amends set. The
// original stays as it was.
func (s *SQLite) AmendEntry(ctx context.Context, entryID int64, by string, text string) (Entry, error) {
	if by == "" {
		return Entry{}, invalid("entry.author", by, "an amendment needs an author")
	}
	if err := checkEntryText(text); err != nil {
		return Entry{}, err
	}
	e := Entry{At: s.now(), Author: by, Text: text, Amends: entryID}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT incident_id, kind FROM entries WHERE id = ?`, entryID).Scan(&e.IncidentID, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("entry %d: %w", entryID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		e.Kind = EntryKind(kind)
		if e.Kind == KindStatus || e.Kind == KindSystem {
			return invalid("entry.amends", itoa(int(entryID)), "status and system entries cannot be amended")
		}
		return insertEntry(ctx, tx, &e)
	})
	if err != nil {
		return Entry{}, opError(fmt.Sprintf("amend entry %d", entryID), err)
	}
	return e, nil
}

// insertEntry checks the incident and author exist, inserts e (setting its
// ID) and bumps the incident's UpdatedAt.
func insertEntry(ctx context.Context, tx *sql.Tx, e *Entry) error {
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET updated_at = ? WHERE id = ?`, encodeTime(e.At), e.IncidentID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("incident %d: %w", e.IncidentID, ErrNotFound)
	}
	var author, amends any // NULL for system entries / originals
	if e.Author != "" {
		id, err := memberID(ctx, tx, e.Author)
		if err != nil {
			return err
		}
		author = id
	}
	if e.Amends != 0 {
		amends = e.Amends
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO entries(incident_id, at, author_id, kind, text, amends) VALUES (?, ?, ?, ?, ?, ?)`,
		e.IncidentID, encodeTime(e.At), author, string(e.Kind), e.Text, amends)
	if err != nil {
		return err
	}
	e.ID, err = res.LastInsertId()
	return err
}

// Entries is an incident's journal, by time then ID.
func (s *SQLite) Entries(ctx context.Context, incidentID int64) ([]Entry, error) {
	out, err := s.EntriesSince(ctx, incidentID, 0)
	if err == nil && len(out) == 0 {
		// An empty journal and a missing incident look alike; tell them apart.
		if _, err := s.Incident(ctx, incidentID); err != nil {
			return nil, err
		}
	}
	return out, err
}

// SetStatus moves an incident forward (skipping steps is allowed, going back
// or staying is a *ValidationError) and records a "status" entry by member
// handle by, e.g. "open → acknowledged".
func (s *SQLite) SetStatus(ctx context.Context, incidentID int64, by string, to Status) error {
	if to.rank() < 0 {
		return invalid("incident.status", string(to), "unknown status")
	}
	if by == "" {
		return invalid("entry.author", by, "a status change needs an author")
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT status FROM incidents WHERE id = ?`, incidentID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("incident %d: %w", incidentID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if to.rank() <= Status(cur).rank() {
			return invalid("incident.status", string(to), fmt.Sprintf("cannot go from %s to %s (status only moves forward)", cur, to))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET status = ? WHERE id = ?`, string(to), incidentID); err != nil {
			return err
		}
		if !to.IsOpen() { // roles end with the incident (see roles.go)
			if err := endRoles(ctx, tx, incidentID, now); err != nil {
				return err
			}
		}
		e := Entry{IncidentID: incidentID, At: now, Author: by, Kind: KindStatus, Text: cur + " → " + string(to)}
		return insertEntry(ctx, tx, &e)
	})
	if err != nil {
		return opError(fmt.Sprintf("set status of incident %d", incidentID), err)
	}
	return nil
}
