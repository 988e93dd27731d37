package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"codeberg.org/entretien/entretien/oncall"
)

// OpenIncident opens an incident in status open, opened by member handle by.
func (s *Store) OpenIncident(ctx context.Context, by string, n oncall.NewIncident) (oncall.Incident, error) {
	n, err := n.Validate()
	if err != nil {
		return oncall.Incident{}, err
	}
	now := s.now()
	inc := oncall.Incident{Title: n.Title, Severity: n.Severity, Status: oncall.StatusOpen, Affects: n.Affects,
		OpenedAt: now, OpenedBy: by, UpdatedAt: now}
	if inc.Affects == nil {
		inc.Affects = []string{}
	}
	err = s.write(ctx, func(tx *Tx) error {
		author, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		id, err := insertID(ctx, tx, `INSERT INTO incidents(title, severity, status, opened_at, opened_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, inc.Title, inc.Severity, string(inc.Status), encodeTime(now), author, encodeTime(now))
		if err != nil {
			return err
		}
		inc.ID = id
		for i, a := range inc.Affects {
			if _, err := tx.ExecContext(ctx, `INSERT INTO incident_affects(incident_id, position, target) VALUES (?, ?, ?)`,
				inc.ID, i, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return oncall.Incident{}, opError("open incident", err)
	}
	return inc, nil
}

// The affects come with a second query (fillAffects).
const incidentSelect = `SELECT i.id, i.title, i.severity, i.status, i.opened_at, m.handle, i.updated_at
	FROM incidents i JOIN members m ON m.id = i.opened_by`

// fillAffects reads the affects of incs, in their order.
func fillAffects(ctx context.Context, q Querier, incs []oncall.Incident) error {
	ids := make([]int64, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	as, err := children(ctx, q, `SELECT incident_id, target FROM incident_affects WHERE incident_id IN (%s) ORDER BY incident_id, position`, ids, scanChildString)
	if err != nil {
		return fmt.Errorf("incident affects: %w", err)
	}
	for i := range incs {
		incs[i].Affects = append([]string{}, as[incs[i].ID]...)
	}
	return nil
}

func scanIncident(sc interface{ Scan(...any) error }) (oncall.Incident, error) {
	var inc oncall.Incident
	var status, opened, updated string
	if err := sc.Scan(&inc.ID, &inc.Title, &inc.Severity, &status, &opened, &inc.OpenedBy, &updated); err != nil {
		return oncall.Incident{}, err
	}
	inc.Status = oncall.Status(status)
	var err error
	if inc.OpenedAt, err = decodeTime(opened); err != nil {
		return oncall.Incident{}, err
	}
	if inc.UpdatedAt, err = decodeTime(updated); err != nil {
		return oncall.Incident{}, err
	}
	return inc, nil
}

// Incident finds one incident by ID.
func (s *Store) Incident(ctx context.Context, id int64) (oncall.Incident, error) {
	inc, err := scanIncident(s.db.QueryRowContext(ctx, incidentSelect+` WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return oncall.Incident{}, fmt.Errorf("incident %d: %w", id, oncall.ErrNotFound)
	}
	if err != nil {
		return oncall.Incident{}, fmt.Errorf("incident %d: %w", id, err)
	}
	one := []oncall.Incident{inc}
	if err := fillAffects(ctx, s.db, one); err != nil {
		return oncall.Incident{}, fmt.Errorf("incident %d: %w", id, err)
	}
	return one[0], nil
}

// Incidents lists incidents: those not yet resolved first, then newest first.
func (s *Store) Incidents(ctx context.Context, f oncall.IncidentFilter) ([]oncall.Incident, error) {
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
	var out []oncall.Incident
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
	rows.Close()
	if err := fillAffects(ctx, s.db, out); err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, nil
}

// AddEntry appends to an incident's journal. by is a member handle, or ""
// for a system entry (kind system). Unknown incident or author wraps
// ErrNotFound; bad kind or text is a *ValidationError; nothing is written.
func (s *Store) AddEntry(ctx context.Context, incidentID int64, by string, kind oncall.EntryKind, text string) (oncall.Entry, error) {
	if err := oncall.CheckEntryKind(kind, by); err != nil {
		return oncall.Entry{}, err
	}
	if err := oncall.CheckEntryText(text); err != nil {
		return oncall.Entry{}, err
	}
	e := oncall.Entry{IncidentID: incidentID, At: s.now(), Author: by, Kind: kind, Text: text, ClientID: newClientID()}
	err := s.write(Idempotent(ctx), func(tx *Tx) error { return insertEntry(ctx, tx, &e) })
	if err != nil {
		return oncall.Entry{}, opError(fmt.Sprintf("add entry to incident %d", incidentID), err)
	}
	return e, nil
}

// AmendEntry appends a correction of entry entryID, by member handle by: a
// new entry of the same kind in the same incident with Amends set. The
// original stays as it was.
func (s *Store) AmendEntry(ctx context.Context, entryID int64, by string, text string) (oncall.Entry, error) {
	if by == "" {
		return oncall.Entry{}, oncall.Invalid("entry.author", by, "an amendment needs an author")
	}
	if err := oncall.CheckEntryText(text); err != nil {
		return oncall.Entry{}, err
	}
	e := oncall.Entry{At: s.now(), Author: by, Text: text, Amends: entryID, ClientID: newClientID()}
	err := s.write(Idempotent(ctx), func(tx *Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT incident_id, kind FROM entries WHERE id = ?`, entryID).Scan(&e.IncidentID, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("entry %d: %w", entryID, oncall.ErrNotFound)
		}
		if err != nil {
			return err
		}
		e.Kind = oncall.EntryKind(kind)
		if e.Kind == oncall.KindStatus || e.Kind == oncall.KindSystem {
			return oncall.Invalid("entry.amends", strconv.Itoa(int(entryID)), "status and system entries cannot be amended")
		}
		return insertEntry(ctx, tx, &e)
	})
	if err != nil {
		return oncall.Entry{}, opError(fmt.Sprintf("amend entry %d", entryID), err)
	}
	return e, nil
}

// insertEntry checks the incident and author exist, inserts e (setting its
// ID) and bumps the incident's UpdatedAt.
func insertEntry(ctx context.Context, tx *Tx, e *oncall.Entry) error {
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET updated_at = ? WHERE id = ?`, encodeTime(e.At), e.IncidentID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("incident %d: %w", e.IncidentID, oncall.ErrNotFound)
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
	var clientID any // NULL: not retried across an ambiguous commit
	if e.ClientID != "" {
		clientID = e.ClientID
	}
	e.ID, err = insertID(ctx, tx, `INSERT INTO entries(incident_id, at, author_id, kind, text, amends, status_from, status_to, client_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING RETURNING id`,
		e.IncidentID, encodeTime(e.At), author, string(e.Kind), e.Text, amends, string(e.From), string(e.To), clientID)
	if errors.Is(err, sql.ErrNoRows) && e.ClientID != "" {
		// An earlier attempt of this very write committed: that entry is it.
		var at string
		if err = tx.QueryRowContext(ctx, `SELECT id, at FROM entries WHERE client_id = ?`, e.ClientID).Scan(&e.ID, &at); err == nil {
			e.At, err = decodeTime(at)
		}
	}
	return err
}

// Entries is an incident's journal, by time then ID.
func (s *Store) Entries(ctx context.Context, incidentID int64) ([]oncall.Entry, error) {
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
func (s *Store) SetStatus(ctx context.Context, incidentID int64, by string, to oncall.Status) error {
	if to.Rank() < 0 {
		return oncall.Invalid("incident.status", string(to), "unknown status")
	}
	if by == "" {
		return oncall.Invalid("entry.author", by, "a status change needs an author")
	}
	now := s.now()
	err := s.write(ctx, func(tx *Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT status FROM incidents WHERE id = ?`, incidentID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("incident %d: %w", incidentID, oncall.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if to.Rank() <= oncall.Status(cur).Rank() {
			return oncall.Invalid("incident.status", string(to), fmt.Sprintf("cannot go from %s to %s (status only moves forward)", cur, to))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET status = ? WHERE id = ?`, string(to), incidentID); err != nil {
			return err
		}
		if !to.IsOpen() { // roles end with the incident (see roles.go)
			if err := endRoles(ctx, tx, incidentID, now); err != nil {
				return err
			}
		}
		e := oncall.Entry{IncidentID: incidentID, At: now, Author: by, Kind: oncall.KindStatus, Text: cur + " → " + string(to),
			From: oncall.Status(cur), To: to}
		return insertEntry(ctx, tx, &e)
	})
	if err != nil {
		return opError(fmt.Sprintf("set status of incident %d", incidentID), err)
	}
	return nil
}
