package paging

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// Deliverer sends a message through a member's contacts in order, and
// says how each method tried went.
type Deliverer interface {
	Deliver(ctx context.Context, contacts []oncall.Contact, m Message) []oncall.Delivery
}

// Engine is the pager loop of `entretien watch`. Any number of engines
// may run on one store: only the lease holder pages, every page is
// claimed under its epoch (a paused holder that wakes up is fenced) and
// by its (outage, step, member) key (never sent twice).
type Engine struct {
	Store    oncall.Store
	Deliver  Deliverer
	Holder   string        // "watch@host/pid"
	LeaseTTL time.Duration // another engine takes over this long after the holder stopped renewing
	AckVia   string        // "ssh bastion": how members reach the entretien command
	Log      *slog.Logger

	lease   oncall.Lease
	leading bool
	warned  map[string]bool // outages said unroutable, once each
}

func (e *Engine) warnOnce(key, msg string, attrs ...any) {
	if e.warned == nil {
		e.warned = map[string]bool{}
	}
	if !e.warned[key] {
		e.warned[key] = true
		e.Log.Warn(msg, attrs...)
	}
}

// Leading reports whether the last Tick held the lease.
func (e *Engine) Leading() bool { return e.leading }

// Tick runs one round. current is every outage of the latest snapshot;
// fresh says the snapshot is current (a stale one neither opens nor clears
// episodes, it only lets the escalation go on).
func (e *Engine) Tick(ctx context.Context, current []oncall.PagedOutage, fresh bool) error {
	if !e.renew(ctx) {
		return nil
	}
	pol, _, err := e.Store.PagingPolicy(ctx)
	if err != nil {
		return err
	}
	var open []oncall.PagedOutage
	if fresh {
		open, err = e.Store.SyncOutages(ctx, e.lease, Pageable(current))
	} else {
		open, err = e.Store.OpenPagedOutages(ctx)
	}
	if errors.Is(err, oncall.ErrFenced) {
		e.lost()
		return nil
	}
	if err != nil {
		return err
	}
	now := e.Store.Now // the store's clock, so that tests can move both
	r := &round{Engine: e, pol: pol, now: now().UTC()}
	for _, o := range open {
		if err := r.outage(ctx, o); err != nil {
			if errors.Is(err, oncall.ErrFenced) {
				e.lost()
				return nil
			}
			return err
		}
	}
	// Decisions are told after the outages: a page never waits for them.
	if err := e.tellDecisions(ctx, r.now); err != nil {
		if errors.Is(err, oncall.ErrFenced) {
			e.lost()
			return nil
		}
		return err
	}
	return nil
}

func (e *Engine) renew(ctx context.Context) bool {
	l, ok, err := e.Store.AcquireLease(ctx, e.Holder, e.LeaseTTL)
	if err != nil {
		e.Log.Error("lease not renewed", "err", sanitize.Line(err.Error()))
		ok = false
	}
	switch {
	case ok && !e.leading:
		e.Log.Info("paging: this watcher pages", "epoch", l.Epoch)
	case !ok && e.leading:
		e.lost()
	}
	e.leading = ok
	if ok {
		e.lease = l
	}
	return ok
}

func (e *Engine) lost() {
	if e.leading {
		e.Log.Warn("paging: lease lost, another watcher pages", "epoch", e.lease.Epoch)
	}
	e.leading = false
}

// round is one Tick's view: the rota is read once, when something is due.
type round struct {
	*Engine
	pol      oncall.PagingPolicy
	now      time.Time
	loaded   bool
	oncall   map[string]oncall.OnCall
	names    []string
	members  map[string]oncall.Member
	reach    map[string]bool
	contacts map[string][]oncall.Contact
}

func (r *round) load(ctx context.Context) error {
	if r.loaded {
		return nil
	}
	ocs, err := r.Store.OnCallAt(ctx, r.now)
	if err != nil {
		return err
	}
	r.oncall = map[string]oncall.OnCall{}
	for _, oc := range ocs {
		r.oncall[oc.Rotation.Name] = oc
		r.names = append(r.names, oc.Rotation.Name)
	}
	ms, err := r.Store.Members(ctx)
	if err != nil {
		return err
	}
	r.members = map[string]oncall.Member{}
	for _, m := range ms {
		r.members[m.Handle] = m
	}
	if r.reach, err = r.Store.Reachable(ctx, r.now); err != nil {
		return err
	}
	if r.contacts, err = r.Store.Contacts(ctx); err != nil {
		return err
	}
	r.loaded = true
	return nil
}

func (r *round) outage(ctx context.Context, o oncall.PagedOutage) error {
	pages, err := r.Store.Pages(ctx, oncall.PageFilter{OutageID: o.ID})
	if err != nil {
		return err
	}
	if err := r.load(ctx); err != nil {
		return err
	}
	// Pages claimed under an older epoch and never tried: their writer
	// stopped (or was fenced) before sending.
	for _, p := range pages {
		if len(p.Deliveries) == 0 && p.Epoch < r.lease.Epoch {
			title, text, _ := strings.Cut(p.Text, "\n")
			r.send(ctx, o, p, Message{PageID: p.ID, Member: p.Member, Title: title, Text: text, Resolved: p.Step == 0})
		}
	}
	if !o.ClearSince.IsZero() {
		if r.now.Sub(o.ClearSince) < r.pol.ClearAfter {
			return nil
		}
		if err := r.Store.EndOutage(ctx, r.lease, o.ID); err != nil {
			return err
		}
		r.Log.Info("outage over", "outage", o.ID, "subject", sanitize.Line(o.Subject))
		var paged []string
		for _, p := range pages {
			if p.Step > 0 && !slices.Contains(paged, p.Member) {
				paged = append(paged, p.Member)
			}
		}
		for _, m := range paged {
			if err := r.page(ctx, o, 0, m); err != nil {
				return err
			}
		}
		return nil
	}
	if !o.Acked.IsZero() {
		return nil
	}
	age := r.now.Sub(o.Since)
	if age < r.pol.After {
		return nil
	}
	if o.Rotation == "" {
		o.Rotation = Route(r.pol, o, r.names)
		if o.Rotation == "" {
			r.warnOnce(o.Subject, "outage not paged: no rotation", "subject", sanitize.Line(o.Subject))
			return nil
		}
		if err := r.Store.SetOutageRotation(ctx, r.lease, o.ID, o.Rotation); err != nil {
			return err
		}
	}
	oc, ok := r.oncall[o.Rotation]
	if !ok {
		r.warnOnce(o.Subject, "outage not paged: unknown rotation", "subject", sanitize.Line(o.Subject), "rotation", sanitize.Line(o.Rotation))
		return nil
	}
	for i, st := range r.pol.Steps {
		if age < r.pol.After+st.Delay {
			break
		}
		for _, m := range Recipients(st, oc, r.reach) {
			if err := r.page(ctx, o, i+1, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// page claims the page (outage, step, member) and, when this call created
// it, sends it. Step 0 is the resolved message.
func (r *round) page(ctx context.Context, o oncall.PagedOutage, step int, handle string) error {
	m, ok := r.members[handle]
	if !ok {
		return nil
	}
	if !r.renew(ctx) {
		return oncall.ErrFenced
	}
	var inc *oncall.Incident
	if step > 0 {
		if in, found, err := r.Store.OpenIncidentAbout(ctx, o); err != nil {
			return err
		} else if found {
			inc = &in
			if o.IncidentID == 0 { // its journal records the pages from now on
				if err := r.Store.AttachIncident(ctx, r.lease, o.ID, in.ID); err != nil {
					return err
				}
				o.IncidentID = in.ID
			}
		}
	}
	msg := func(id int64) Message {
		if step == 0 {
			return ResolvedMessage(o, id, m, r.now)
		}
		return PageMessage(o, id, m, inc, r.AckVia, r.now)
	}
	p, created, err := r.Store.ClaimPage(ctx, r.lease, o.ID, step, handle, func(id int64) string {
		mm := msg(id)
		return mm.Title + "\n" + mm.Text
	})
	if err != nil || !created {
		return err
	}
	r.send(ctx, o, p, msg(p.ID))
	return nil
}

func (r *round) send(ctx context.Context, o oncall.PagedOutage, p oncall.Page, msg Message) {
	// A last look at the lease: a watcher paused between claim and send
	// leaves the page to the new holder (it resends pages never tried).
	if !r.Store.LeaseHeld(ctx, r.lease) {
		r.lost()
		return
	}
	ds := r.Deliver.Deliver(ctx, r.contacts[p.Member], msg)
	delivered := false
	for _, d := range ds {
		if err := r.Store.RecordDelivery(ctx, p.ID, d); err != nil {
			r.Log.Error("delivery not recorded", "page", p.ID, "err", sanitize.Line(err.Error()))
		}
		delivered = delivered || d.OK
	}
	if len(ds) == 0 {
		r.Store.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: "none", Error: "no contact method"})
	}
	p.Deliveries = ds
	attrs := []any{"page", p.ID, "member", sanitize.Line(p.Member), "step", p.Step, "subject", sanitize.Line(o.Subject), "deliveries", sanitize.Line(p.DeliverySummary())}
	if delivered {
		r.Log.Info("paged", attrs...)
	} else {
		r.Log.Error("page not delivered by any method", attrs...)
	}
	if o.IncidentID != 0 {
		if err := r.Store.JournalPages(ctx, o.ID); err != nil {
			r.Log.Error("page not journaled", "page", p.ID, "err", sanitize.Line(err.Error()))
		}
	}
}
