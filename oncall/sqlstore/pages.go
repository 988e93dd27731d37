package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// AcquireLease takes or renews the watcher lease for holder for ttl. ok is
// false while another holder's lease runs (l is then theirs). A new holder
// gets the next epoch.
func (s *Store) AcquireLease(ctx context.Context, holder string, ttl time.Duration) (l oncall.Lease, ok bool, err error) {
	now := s.now()
	err = s.write(ctx, func(tx *Tx) error {
		ok = false // the write may run again (Dialect.Write)
		var exp string
		err := tx.QueryRowContext(ctx, `SELECT holder, epoch, expires_at FROM watcher_lease WHERE id = 1`).Scan(&l.Holder, &l.Epoch, &exp)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			l = oncall.Lease{Holder: holder, Epoch: 1, Expires: now.Add(ttl)}
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
		// TUI on the database (Store.Changes), so an idle watcher
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
		return oncall.Lease{}, false, fmt.Errorf("watcher lease: %w", err)
	}
	return l, ok, nil
}

// fenced runs fn in a write transaction only while l is still the lease.
func (s *Store) fenced(ctx context.Context, l oncall.Lease, fn func(tx *Tx) error) error {
	return s.write(ctx, func(tx *Tx) error {
		var holder, exp string
		var epoch int64
		err := tx.QueryRowContext(ctx, `SELECT holder, epoch, expires_at FROM watcher_lease WHERE id = 1`).Scan(&holder, &epoch, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return oncall.ErrFenced
		}
		if err != nil {
			return err
		}
		if holder != l.Holder || epoch != l.Epoch || exp <= encodeTime(s.now()) {
			return oncall.ErrFenced
		}
		return fn(tx)
	})
}

// LeaseHeld reports whether l is still the lease (a last check before
// sending).
func (s *Store) LeaseHeld(ctx context.Context, l oncall.Lease) bool {
	return s.fenced(ctx, l, func(*Tx) error { return nil }) == nil
}

// SyncOutages records what is down now (under lease l): a subject not yet
// followed opens an episode, one followed is updated (and no longer
// clearing), a followed one absent from now starts clearing. It returns
// every open episode.
func (s *Store) SyncOutages(ctx context.Context, l oncall.Lease, now []oncall.PagedOutage) ([]oncall.PagedOutage, error) {
	at := s.now()
	err := s.fenced(ctx, l, func(tx *Tx) error {
		open, err := pagedOutages(ctx, tx, `WHERE o.ended_at IS NULL`)
		if err != nil {
			return err
		}
		have := map[string]oncall.PagedOutage{}
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
func (s *Store) EndOutage(ctx context.Context, l oncall.Lease, id int64) error {
	return maybeOpError("end outage", s.fenced(ctx, l, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE paged_outages SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, encodeTime(s.now()), id)
		return err
	}))
}

// SetOutageRotation remembers where an episode was routed.
func (s *Store) SetOutageRotation(ctx context.Context, l oncall.Lease, id int64, rotation string) error {
	return maybeOpError("route outage", s.fenced(ctx, l, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE paged_outages SET rotation = ? WHERE id = ?`, rotation, id)
		return err
	}))
}

// AttachIncident links an episode to the incident in progress about it,
// whose journal then records its pages.
func (s *Store) AttachIncident(ctx context.Context, l oncall.Lease, id, incidentID int64) error {
	return maybeOpError("attach outage", s.fenced(ctx, l, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE paged_outages SET incident_id = ? WHERE id = ? AND incident_id IS NULL`, incidentID, id)
		return err
	}))
}

// PagedOutage finds an episode by id.
func (s *Store) PagedOutage(ctx context.Context, id int64) (oncall.PagedOutage, error) {
	os, err := pagedOutages(ctx, s.db, `WHERE o.id = ?`, id)
	if err != nil {
		return oncall.PagedOutage{}, err
	}
	if len(os) == 0 {
		return oncall.PagedOutage{}, fmt.Errorf("outage #%d: %w", id, oncall.ErrNotFound)
	}
	return os[0], nil
}

func pagedOutages(ctx context.Context, q queryer, where string, args ...any) ([]oncall.PagedOutage, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.subject, o.kind, o.name, o.site, o.status, o.detail, o.host, o.rotation, o.since,
		coalesce(o.clear_since, ''), coalesce(o.ended_at, ''), coalesce(o.acked_at, ''), coalesce(m.handle, ''), coalesce(o.incident_id, 0)
		FROM paged_outages o LEFT JOIN members m ON m.id = o.acked_by `+where+` ORDER BY o.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("paged outages: %w", err)
	}
	defer rows.Close()
	var out []oncall.PagedOutage
	for rows.Next() {
		var o oncall.PagedOutage
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

// ClaimPage writes the page for (outage, step, member) under lease l
// unless it exists; text(id) gives its text from its id. created is false
// when it existed (sent already, maybe by another watcher): do not send.
func (s *Store) ClaimPage(ctx context.Context, l oncall.Lease, outageID int64, step int, member string, text func(id int64) string) (p oncall.Page, created bool, err error) {
	p = oncall.Page{OutageID: outageID, Step: step, Member: member, Created: s.now(), SentBy: l.Holder, Epoch: l.Epoch}
	err = s.fenced(ctx, l, func(tx *Tx) error {
		created = false // the write may run again (Dialect.Write)
		mid, err := memberID(ctx, tx, member)
		if err != nil {
			return err
		}
		// No row back: the page existed.
		p.ID, err = insertID(ctx, tx, `INSERT INTO pages(outage_id, step, member_id, key, text, created_at, sent_by, epoch)
			VALUES (?, ?, ?, ?, '', ?, ?, ?) ON CONFLICT(key) DO NOTHING RETURNING id`,
			outageID, step, mid, oncall.PageKey(outageID, step, member), encodeTime(p.Created), l.Holder, l.Epoch)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		p.Text = text(p.ID)
		_, err = tx.ExecContext(ctx, `UPDATE pages SET text = ? WHERE id = ?`, p.Text, p.ID)
		return err
	})
	if err != nil {
		return oncall.Page{}, false, opError("page "+member, err)
	}
	return p, created, nil
}

// RecordDelivery records one method tried for page id.
func (s *Store) RecordDelivery(ctx context.Context, pageID int64, d oncall.Delivery) error {
	if d.At.IsZero() {
		d.At = s.now()
	}
	return maybeOpError("record delivery", s.write(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries(page_id, at, method, ok, error) VALUES (?, ?, ?, ?, ?)`,
			pageID, encodeTime(d.At), d.Method, d.OK, d.Error); err != nil {
			return err
		}
		if d.OK {
			_, err := tx.ExecContext(ctx, `UPDATE pages SET delivered = ? WHERE id = ?`, true, pageID)
			return err
		}
		return nil
	}))
}

// Pages lists pages with their deliveries, oldest first.
func (s *Store) Pages(ctx context.Context, f oncall.PageFilter) ([]oncall.Page, error) {
	where, args := "", []any{}
	if f.OutageID != 0 {
		where, args = "WHERE p.outage_id = ?", append(args, f.OutageID)
	}
	return queryPages(ctx, s.db, where, args...)
}

// PageByID finds one page.
func (s *Store) PageByID(ctx context.Context, id int64) (oncall.Page, error) {
	ps, err := queryPages(ctx, s.db, "WHERE p.id = ?", id)
	if err != nil {
		return oncall.Page{}, err
	}
	if len(ps) == 0 {
		return oncall.Page{}, fmt.Errorf("page #%d: %w", id, oncall.ErrNotFound)
	}
	return ps[0], nil
}

func queryPages(ctx context.Context, q queryer, where string, args ...any) ([]oncall.Page, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.outage_id, p.step, m.handle, p.text, p.created_at, p.sent_by, p.epoch, p.delivered
		FROM pages p JOIN members m ON m.id = p.member_id `+where+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	defer rows.Close()
	var out []oncall.Page
	for rows.Next() {
		var p oncall.Page
		var at string
		if err := rows.Scan(&p.ID, &p.OutageID, &p.Step, &p.Member, &p.Text, &at, &p.SentBy, &p.Epoch, &p.Delivered); err != nil {
			return nil, fmt.Errorf("list pages: %w", err)
		}
		if p.Created, err = decodeTime(at); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	rows.Close()
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	ds, err := children(ctx, q, `SELECT page_id, at, method, ok, error FROM deliveries WHERE page_id IN (%s) ORDER BY page_id, at, id`, ids, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("list pages: deliveries: %w", err)
	}
	for i := range out {
		out[i].Deliveries = ds[out[i].ID]
	}
	return out, nil
}

func scanDelivery(rows *sql.Rows) (int64, oncall.Delivery, error) {
	var id int64
	var d oncall.Delivery
	var at string
	if err := rows.Scan(&id, &at, &d.Method, &d.OK, &d.Error); err != nil {
		return 0, d, err
	}
	t, err := decodeTime(at)
	d.At = t
	return id, d, err
}

// OpenIncidentAbout finds an incident in progress whose affects name the
// outage's target or its site.
func (s *Store) OpenIncidentAbout(ctx context.Context, o oncall.PagedOutage) (oncall.Incident, bool, error) {
	ins, err := s.Incidents(ctx, oncall.IncidentFilter{OpenOnly: true})
	if err != nil {
		return oncall.Incident{}, false, err
	}
	for _, want := range []string{o.Target(), "site/" + o.Site} {
		for _, in := range ins {
			if slices.Contains(in.Affects, want) {
				return in, true, nil
			}
		}
	}
	return oncall.Incident{}, false, nil
}

// AckPage acknowledges the outage page id is about, as member by: it stops
// the escalation, opens an incident for the outage unless one in progress
// affects it (else attaches to it), makes by its lead unless someone
// leads, and writes the pages, their deliveries and the acknowledgement
// into its journal.
func (s *Store) AckPage(ctx context.Context, pageID int64, by string) (oncall.AckResult, error) {
	var res oncall.AckResult
	p, err := s.PageByID(ctx, pageID)
	if err != nil {
		return res, err
	}
	now := s.now()
	err = s.write(ctx, func(tx *Tx) error {
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
		if in, err = s.OpenIncident(ctx, by, oncall.NewIncident{Title: title, Severity: 2, Affects: affects}); err != nil {
			return res, err
		}
		res.Opened = true
	}
	res.Incident = in
	if err := s.write(ctx, func(tx *Tx) error {
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
	if !slices.ContainsFunc(roles, func(r oncall.RoleSpan) bool { return r.Role == oncall.RoleLead && r.Held() }) {
		if _, err := s.TakeRole(ctx, in.ID, by, oncall.RoleLead, false); err != nil {
			return res, err
		}
		res.Lead = true
	}
	if err := s.JournalPages(ctx, o.ID); err != nil {
		return res, err
	}
	if _, err := s.AddEntry(ctx, in.ID, "", oncall.KindSystem, fmt.Sprintf("page #%d acknowledged by %s at %s", pageID, by, now.Format(time.DateTime+" UTC"))); err != nil {
		return res, err
	}
	if in.Status == oncall.StatusOpen {
		if err := s.SetStatus(ctx, in.ID, by, oncall.StatusAcknowledged); err != nil {
			return res, err
		}
	}
	return res, nil
}

// JournalPages writes every page of an outage not yet in the journal of
// its incident (paged whom, via what, when; delivered or failed). A page
// still being delivered waits for the next call.
func (s *Store) JournalPages(ctx context.Context, outageID int64) error {
	o, err := s.PagedOutage(ctx, outageID)
	if err != nil || o.IncidentID == 0 {
		return err
	}
	ps, err := s.Pages(ctx, oncall.PageFilter{OutageID: outageID})
	if err != nil {
		return err
	}
	for _, p := range ps {
		if len(p.Deliveries) == 0 {
			continue
		}
		text := pageEntry(p)
		err := s.write(ctx, func(tx *Tx) error {
			r, err := tx.ExecContext(ctx, `UPDATE pages SET journaled = 1 WHERE id = ? AND journaled = 0`, p.ID)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return nil
			}
			e := oncall.Entry{IncidentID: o.IncidentID, At: s.now(), Kind: oncall.KindSystem, Text: text}
			return insertEntry(ctx, tx, &e)
		})
		if err != nil {
			return opError("journal page", err)
		}
	}
	return nil
}

func pageEntry(p oncall.Page) string {
	what := fmt.Sprintf("step %d", p.Step)
	if p.Step == 0 {
		what = "resolved"
	}
	return fmt.Sprintf("paged %s (page #%d, %s) at %s: %s", p.Member, p.ID, what, p.Created.Format(time.DateTime+" UTC"), p.DeliverySummary())
}

// OpenPagedOutages lists the episodes not ended yet.
func (s *Store) OpenPagedOutages(ctx context.Context) ([]oncall.PagedOutage, error) {
	return pagedOutages(ctx, s.db, `WHERE o.ended_at IS NULL`)
}

// PagedOutages lists every episode, newest first, at most limit (0: all).
func (s *Store) PagedOutages(ctx context.Context, limit int) ([]oncall.PagedOutage, error) {
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
