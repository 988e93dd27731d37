package oncall

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrFenced: the lease this write was made under is no longer held (a
// paused watcher woke up after another took over). Nothing was written.
var ErrFenced = errors.New("watcher lease lost: fenced")

// Lease is the right to page, held by one watcher until Expires.
type Lease struct {
	Holder  string
	Epoch   int64
	Expires time.Time
}

// AcquireLease takes or renews the watcher lease for holder for ttl. ok is
// false while another holder's lease runs (l is then theirs). A new holder
// gets the next epoch.
func (s *SQLite) AcquireLease(ctx context.Context, holder string, ttl time.Duration) (l Lease, ok bool, err error) {
	now := s.now()
	err = s.write(ctx, func(tx *sql.Tx) error {
		var exp string
		err := tx.QueryRowContext(ctx, `SELECT holder, epoch, expires_at FROM watcher_lease WHERE id = 1`).Scan(&l.Holder, &l.Epoch, &exp)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			l = Lease{Holder: holder, Epoch: 1, Expires: now.Add(ttl)}
			ok = true
			_, err = tx.ExecContext(ctx, `INSERT INTO watcher_lease(id, holder, epoch, expires_at) VALUES (1, ?, ?, ?)`, holder, l.Epoch, encodeTime(l.Expires))
			return err
		case err != nil:
			return err
		}
		if l.Expires, err = decodeTime(exp); err != nil {
			return err
		}
		if l.Holder != holder && l.Expires.After(now) {
			return nil // theirs
		}
		// Renewed only once half of it has run: every commit wakes every
		// TUI on the database (PRAGMA data_version), so an idle watcher
		// writes every ttl/2, not every round.
		if l.Holder == holder && l.Expires.Sub(now) > ttl/2 {
			ok = true
			return nil
		}
		if l.Holder != holder {
			l.Epoch++
		}
		l.Holder, l.Expires, ok = holder, now.Add(ttl), true
		_, err = tx.ExecContext(ctx, `UPDATE watcher_lease SET holder = ?, epoch = ?, expires_at = ? WHERE id = 1`, holder, l.Epoch, encodeTime(l.Expires))
		return err
	})
	if err != nil {
		return Lease{}, false, fmt.Errorf("watcher lease: %w", err)
	}
	return l, ok, nil
}

// fenced runs fn in a write transaction only while l is still the lease.
func (s *SQLite) fenced(ctx context.Context, l Lease, fn func(tx *sql.Tx) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var holder, exp string
		var epoch int64
		err := tx.QueryRowContext(ctx, `SELECT holder, epoch, expires_at FROM watcher_lease WHERE id = 1`).Scan(&holder, &epoch, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrFenced
		}
		if err != nil {
			return err
		}
		if holder != l.Holder || epoch != l.Epoch || exp <= encodeTime(s.now()) {
			return ErrFenced
		}
		return fn(tx)
	})
}

// LeaseHeld reports whether l is still the lease (a last check before
// sending).
func (s *SQLite) LeaseHeld(ctx context.Context, l Lease) bool {
	return s.fenced(ctx, l, func(*sql.Tx) error { return nil }) == nil
}

// PagedOutage is an outage as the pager follows it, from the first time
// it was seen until it stayed clear for the policy's clear_after.
type PagedOutage struct {
	ID                       int64
	Subject                  string // "service/guichet@lyon"
	Kind, Name, Site, Status string
	Detail, Host, Rotation   string
	Since                    time.Time
	ClearSince               time.Time // zero while it is still there
	Ended                    time.Time
	Acked                    time.Time
	AckedBy                  string
	IncidentID               int64
}

// Target is the incident affects target of the outage ("service/guichet").
func (o PagedOutage) Target() string { return o.Kind + "/" + o.Name }

// SyncOutages records what is down now (under lease l): a subject not yet
// followed opens an episode, one followed is updated (and no longer
// clearing), a followed one absent from now starts clearing. It returns
// every open episode.
func (s *SQLite) SyncOutages(ctx context.Context, l Lease, now []PagedOutage) ([]PagedOutage, error) {
	at := s.now()
	err := s.fenced(ctx, l, func(tx *sql.Tx) error {
		open, err := pagedOutages(ctx, tx, `WHERE o.ended_at IS NULL`)
		if err != nil {
			return err
		}
		have := map[string]PagedOutage{}
		for _, o := range open {
			have[o.Subject] = o
		}
		seen := map[string]bool{}
		for _, o := range now {
			seen[o.Subject] = true
			since := o.Since
			if since.IsZero() || since.After(at) {
				since = at
			}
			if h, ok := have[o.Subject]; ok {
				if h.Status == o.Status && h.Host == o.Host && h.ClearSince.IsZero() {
					continue // unchanged (a new detail alone is not worth a commit that wakes every TUI)
				}
				_, err = tx.ExecContext(ctx, `UPDATE paged_outages SET status = ?, detail = ?, host = ?, clear_since = NULL WHERE subject = ? AND ended_at IS NULL`,
					o.Status, o.Detail, o.Host, o.Subject)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO paged_outages(subject, kind, name, site, status, detail, host, since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					o.Subject, o.Kind, o.Name, o.Site, o.Status, o.Detail, o.Host, encodeTime(since))
			}
			if err != nil {
				return err
			}
		}
		for _, o := range open {
			if !seen[o.Subject] && o.ClearSince.IsZero() {
				if _, err := tx.ExecContext(ctx, `UPDATE paged_outages SET clear_since = ? WHERE id = ?`, encodeTime(at), o.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, opError("sync outages", err)
	}
	return pagedOutages(ctx, s.db, `WHERE o.ended_at IS NULL`)
}

// EndOutage closes an episode that stayed clear (under lease l).
func (s *SQLite) EndOutage(ctx context.Context, l Lease, id int64) error {
	return maybeOpError("end outage", s.fenced(ctx, l, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE paged_outages SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, encodeTime(s.now()), id)
		return err
	}))
}

// SetOutageRotation remembers where an episode was routed.
func (s *SQLite) SetOutageRotation(ctx context.Context, l Lease, id int64, rotation string) error {
	return maybeOpError("route outage", s.fenced(ctx, l, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE paged_outages SET rotation = ? WHERE id = ?`, rotation, id)
		return err
	}))
}

// AttachIncident links an episode to the incident in progress about it,
// whose journal then records its pages.
func (s *SQLite) AttachIncident(ctx context.Context, l Lease, id, incidentID int64) error {
	return maybeOpError("attach outage", s.fenced(ctx, l, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE paged_outages SET incident_id = ? WHERE id = ? AND incident_id IS NULL`, incidentID, id)
		return err
	}))
}

// PagedOutage finds an episode by id.
func (s *SQLite) PagedOutage(ctx context.Context, id int64) (PagedOutage, error) {
	os, err := pagedOutages(ctx, s.db, `WHERE o.id = ?`, id)
	if err != nil {
		return PagedOutage{}, err
	}
	if len(os) == 0 {
		return PagedOutage{}, fmt.Errorf("outage #%d: %w", id, ErrNotFound)
	}
	return os[0], nil
}

func pagedOutages(ctx context.Context, q queryer, where string, args ...any) ([]PagedOutage, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.subject, o.kind, o.name, o.site, o.status, o.detail, o.host, o.rotation, o.since,
		coalesce(o.clear_since, ''), coalesce(o.ended_at, ''), coalesce(o.acked_at, ''), coalesce(m.handle, ''), coalesce(o.incident_id, 0)
		FROM paged_outages o LEFT JOIN members m ON m.id = o.acked_by `+where+` ORDER BY o.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("paged outages: %w", err)
	}
	defer rows.Close()
	var out []PagedOutage
	for rows.Next() {
		var o PagedOutage
		var since, clear, ended, acked string
		if err := rows.Scan(&o.ID, &o.Subject, &o.Kind, &o.Name, &o.Site, &o.Status, &o.Detail, &o.Host, &o.Rotation, &since,
			&clear, &ended, &acked, &o.AckedBy, &o.IncidentID); err != nil {
			return nil, fmt.Errorf("paged outages: %w", err)
		}
		for _, f := range []struct {
			s string
			t *time.Time
		}{{since, &o.Since}, {clear, &o.ClearSince}, {ended, &o.Ended}, {acked, &o.Acked}} {
			if f.s == "" {
				continue
			}
			if *f.t, err = decodeTime(f.s); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Page is one message to one member about one outage at one step (0: the
// resolved message).
type Page struct {
	ID         int64
	OutageID   int64
	Step       int
	Member     string
	Text       string
	Created    time.Time
	SentBy     string
	Epoch      int64
	Delivered  bool
	Deliveries []Delivery
}

// Delivery is one contact method tried for a page.
type Delivery struct {
	At     time.Time
	Method string
	OK     bool
	Error  string
}

// PageKey is the exactly-once key of a page.
func PageKey(outageID int64, step int, member string) string {
	return fmt.Sprintf("%d/%d/%s", outageID, step, member)
}

// ClaimPage writes the page for (outage, step, member) under lease l
// unless it exists; text(id) gives its text from its id. created is false
// when it existed (sent already, maybe by another watcher): do not send.
func (s *SQLite) ClaimPage(ctx context.Context, l Lease, outageID int64, step int, member string, text func(id int64) string) (p Page, created bool, err error) {
	p = Page{OutageID: outageID, Step: step, Member: member, Created: s.now(), SentBy: l.Holder, Epoch: l.Epoch}
	err = s.fenced(ctx, l, func(tx *sql.Tx) error {
		mid, err := memberID(ctx, tx, member)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO pages(outage_id, step, member_id, key, text, created_at, sent_by, epoch)
			VALUES (?, ?, ?, ?, '', ?, ?, ?) ON CONFLICT(key) DO NOTHING`,
			outageID, step, mid, PageKey(outageID, step, member), encodeTime(p.Created), l.Holder, l.Epoch)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		created = true
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		p.Text = text(p.ID)
		_, err = tx.ExecContext(ctx, `UPDATE pages SET text = ? WHERE id = ?`, p.Text, p.ID)
		return err
	})
	if err != nil {
		return Page{}, false, opError("page "+member, err)
	}
	return p, created, nil
}

// RecordDelivery records one method tried for page id.
func (s *SQLite) RecordDelivery(ctx context.Context, pageID int64, d Delivery) error {
	if d.At.IsZero() {
		d.At = s.now()
	}
	return maybeOpError("record delivery", s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries(page_id, at, method, ok, error) VALUES (?, ?, ?, ?, ?)`,
			pageID, encodeTime(d.At), d.Method, d.OK, d.Error); err != nil {
			return err
		}
		if d.OK {
			_, err := tx.ExecContext(ctx, `UPDATE pages SET delivered = 1 WHERE id = ?`, pageID)
			return err
		}
		return nil
	}))
}

// PageFilter selects pages: of one outage, or all (OutageID 0).
type PageFilter struct{ OutageID int64 }

// Pages lists pages with their deliveries, oldest first.
func (s *SQLite) Pages(ctx context.Context, f PageFilter) ([]Page, error) {
	where, args := "", []any{}
	if f.OutageID != 0 {
		where, args = "WHERE p.outage_id = ?", append(args, f.OutageID)
	}
	return queryPages(ctx, s.db, where, args...)
}

// PageByID finds one page.
func (s *SQLite) PageByID(ctx context.Context, id int64) (Page, error) {
	ps, err := queryPages(ctx, s.db, "WHERE p.id = ?", id)
	if err != nil {
		return Page{}, err
	}
	if len(ps) == 0 {
		return Page{}, fmt.Errorf("page #%d: %w", id, ErrNotFound)
	}
	return ps[0], nil
}

func queryPages(ctx context.Context, q queryer, where string, args ...any) ([]Page, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.outage_id, p.step, m.handle, p.text, p.created_at, p.sent_by, p.epoch, p.delivered,
		(SELECT json_group_array(json_array(d.at, d.method, d.ok, d.error)) FROM deliveries d WHERE d.page_id = p.id)
		FROM pages p JOIN members m ON m.id = p.member_id `+where+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		var p Page
		var at, ds string
		if err := rows.Scan(&p.ID, &p.OutageID, &p.Step, &p.Member, &p.Text, &at, &p.SentBy, &p.Epoch, &p.Delivered, &ds); err != nil {
			return nil, fmt.Errorf("list pages: %w", err)
		}
		if p.Created, err = decodeTime(at); err != nil {
			return nil, err
		}
		if p.Deliveries, err = decodeDeliveries(ds); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func decodeDeliveries(s string) ([]Delivery, error) {
	var raw [][]any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	var out []Delivery
	for _, r := range raw {
		if len(r) != 4 {
			continue
		}
		at, _ := r[0].(string)
		t, err := decodeTime(at)
		if err != nil {
			return nil, err
		}
		method, _ := r[1].(string)
		ok, _ := r[2].(float64)
		e, _ := r[3].(string)
		out = append(out, Delivery{At: t, Method: method, OK: ok == 1, Error: e})
	}
	slices.SortStableFunc(out, func(a, b Delivery) int { return a.At.Compare(b.At) })
	return out, nil
}

// DeliverySummary says how a page went: "email failed (connection
// refused), webhook delivered".
func (p Page) DeliverySummary() string {
	if len(p.Deliveries) == 0 {
		return "not delivered yet"
	}
	var parts []string
	for _, d := range p.Deliveries {
		if d.OK {
			parts = append(parts, d.Method+" delivered")
		} else {
			parts = append(parts, fmt.Sprintf("%s failed (%s)", d.Method, d.Error))
		}
	}
	return strings.Join(parts, ", ")
}

// OpenIncidentAbout finds an incident in progress whose affects name the
// outage's target or its site.
func (s *SQLite) OpenIncidentAbout(ctx context.Context, o PagedOutage) (Incident, bool, error) {
	ins, err := s.Incidents(ctx, IncidentFilter{OpenOnly: true})
	if err != nil {
		return Incident{}, false, err
	}
	for _, want := range []string{o.Target(), "site/" + o.Site} {
		for _, in := range ins {
			if slices.Contains(in.Affects, want) {
				return in, true, nil
			}
		}
	}
	return Incident{}, false, nil
}

// AckResult is what an acknowledgement did.
type AckResult struct {
	Outage   PagedOutage
	Incident Incident
	Already  bool // acknowledged before (by Outage.AckedBy)
	Opened   bool // the incident was opened by this ack
	Lead     bool // the member took the lead
}

// AckPage acknowledges the outage page id is about, as member by: it stops
// the escalation, opens an incident for the outage unless one in progress
// affects it (else attaches to it), makes by its lead unless someone
// leads, and writes the pages, their deliveries and the acknowledgement
// into its journal.
func (s *SQLite) AckPage(ctx context.Context, pageID int64, by string) (AckResult, error) {
	var res AckResult
	p, err := s.PageByID(ctx, pageID)
	if err != nil {
		return res, err
	}
	now := s.now()
	err = s.write(ctx, func(tx *sql.Tx) error {
		mid, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE paged_outages SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL`, encodeTime(now), mid, p.OutageID)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		res.Already = n == 0
		return nil
	})
	if err != nil {
		return res, opError(fmt.Sprintf("acknowledge page #%d", pageID), err)
	}
	if res.Outage, err = s.PagedOutage(ctx, p.OutageID); err != nil {
		return res, err
	}
	if res.Already {
		if res.Outage.IncidentID != 0 {
			res.Incident, err = s.Incident(ctx, res.Outage.IncidentID)
		}
		return res, err
	}
	o := res.Outage
	in, found, err := s.OpenIncidentAbout(ctx, o)
	if err != nil {
		return res, err
	}
	if !found {
		affects := []string{o.Target()}
		if o.Site != "" && o.Kind != "site" {
			affects = append(affects, "site/"+o.Site)
		}
		title := fmt.Sprintf("%s %s %s", o.Kind, o.Name, o.Status)
		if o.Site != "" && o.Kind != "site" {
			title += " in " + o.Site
		}
		if in, err = s.OpenIncident(ctx, by, NewIncident{Title: title, Severity: 2, Affects: affects}); err != nil {
			return res, err
		}
		res.Opened = true
	}
	res.Incident = in
	if err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE paged_outages SET incident_id = ? WHERE id = ?`, in.ID, o.ID)
		return err
	}); err != nil {
		return res, opError("attach outage", err)
	}
	res.Outage.IncidentID = in.ID
	roles, err := s.Roles(ctx, in.ID)
	if err != nil {
		return res, err
	}
	if !slices.ContainsFunc(roles, func(r RoleSpan) bool { return r.Role == RoleLead && r.Held() }) {
		if _, err := s.TakeRole(ctx, in.ID, by, RoleLead, false); err != nil {
			return res, err
		}
		res.Lead = true
	}
	if err := s.JournalPages(ctx, o.ID); err != nil {
		return res, err
	}
	if _, err := s.AddEntry(ctx, in.ID, "", KindSystem, fmt.Sprintf("page #%d acknowledged by %s at %s", pageID, by, now.Format(time.DateTime+" UTC"))); err != nil {
		return res, err
	}
	if in.Status == StatusOpen {
		if err := s.SetStatus(ctx, in.ID, by, StatusAcknowledged); err != nil {
			return res, err
		}
	}
	return res, nil
}

// JournalPages writes every page of an outage not yet in the journal of
// its incident (paged whom, via what, when; delivered or failed). A page
// still being delivered waits for the next call.
func (s *SQLite) JournalPages(ctx context.Context, outageID int64) error {
	o, err := s.PagedOutage(ctx, outageID)
	if err != nil || o.IncidentID == 0 {
		return err
	}
	ps, err := s.Pages(ctx, PageFilter{OutageID: outageID})
	if err != nil {
		return err
	}
	for _, p := range ps {
		if len(p.Deliveries) == 0 {
			continue
		}
		text := pageEntry(p)
		err := s.write(ctx, func(tx *sql.Tx) error {
			r, err := tx.ExecContext(ctx, `UPDATE pages SET journaled = 1 WHERE id = ? AND journaled = 0`, p.ID)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return nil
			}
			e := Entry{IncidentID: o.IncidentID, At: s.now(), Kind: KindSystem, Text: text}
			return insertEntry(ctx, tx, &e)
		})
		if err != nil {
			return opError("journal page", err)
		}
	}
	return nil
}

func pageEntry(p Page) string {
	what := fmt.Sprintf("step %d", p.Step)
	if p.Step == 0 {
		what = "resolved"
	}
	return fmt.Sprintf("paged %s (page #%d, %s) at %s: %s", p.Member, p.ID, what, p.Created.Format(time.DateTime+" UTC"), p.DeliverySummary())
}

// OpenPagedOutages lists the episodes not ended yet.
func (s *SQLite) OpenPagedOutages(ctx context.Context) ([]PagedOutage, error) {
	return pagedOutages(ctx, s.db, `WHERE o.ended_at IS NULL`)
}

// PagedOutages lists every episode, newest first, at most limit (0: all).
func (s *SQLite) PagedOutages(ctx context.Context, limit int) ([]PagedOutage, error) {
	os, err := pagedOutages(ctx, s.db, ``)
	if err != nil {
		return nil, err
	}
	slices.Reverse(os)
	if limit > 0 && len(os) > limit {
		os = os[:limit]
	}
	return os, nil
}

// maybeOpError is opError for a result that may be nil.
func maybeOpError(op string, err error) error {
	if err == nil {
		return nil
	}
	return opError(op, err)
}
