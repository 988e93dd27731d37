package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Retro assembles the retro of an incident (any status; before resolved
// it is a draft with Ongoing set).
func (s *Store) Retro(ctx context.Context, incidentID int64) (oncall.Retro, error) {
	inc, err := s.Incident(ctx, incidentID)
	if err != nil {
		return oncall.Retro{}, err
	}
	r := oncall.Retro{Incident: inc, Ongoing: inc.Status.IsOpen()}
	// The journal without its client IDs, which the retro does not show.
	entries, err := s.entriesSince(ctx, incidentID, 0, false)
	if err != nil {
		return oncall.Retro{}, fmt.Errorf("entries of incident %d: %w", incidentID, err)
	}
	if r.Roles, err = s.Roles(ctx, incidentID); err != nil {
		return oncall.Retro{}, err
	}
	if r.Captured, err = s.CapturedTransitions(ctx, incidentID); err != nil {
		return oncall.Retro{}, err
	}
	notes, err := s.RetroNotes(ctx, incidentID)
	if err != nil {
		return oncall.Retro{}, err
	}
	if r.Actions, err = s.Actions(ctx, oncall.ActionFilter{IncidentID: incidentID}); err != nil {
		return oncall.Retro{}, err
	}
	for _, n := range notes {
		switch n.Section {
		case oncall.SectionSummary:
			r.Summary = append(r.Summary, n)
		case oncall.SectionImpact:
			r.Impact = append(r.Impact, n)
		case oncall.SectionFactor:
			r.Factors = append(r.Factors, n)
		case oncall.SectionWentWell:
			r.WentWell = append(r.WentWell, n)
		case oncall.SectionWasHard:
			r.WasHard = append(r.WasHard, n)
		}
	}
	r.Timeline = oncall.IncidentTimeline(inc, entries, r.Roles)
	r.Moments = oncall.Moments(inc, entries, r.Captured)
	r.Phases = oncall.Phases(r.Moments)
	r.ImpactSites = oncall.ImpactSites(inc, r.Captured)
	end := s.now()
	for _, m := range r.Moments {
		if m.Name == string(oncall.StatusMitigated) || m.Name == string(oncall.StatusResolved) {
			end = m.At
			break
		}
	}
	r.ImpactFor = end.Sub(inc.OpenedAt)
	if r.Care, err = s.care(ctx, inc, entries, r.Roles, notes); err != nil {
		return oncall.Retro{}, err
	}
	return r, nil
}

func (s *Store) care(ctx context.Context, inc oncall.Incident, entries []oncall.Entry, roles []oncall.RoleSpan, notes []oncall.RetroNote) (oncall.Care, error) {
	c := oncall.Care{NoticedBy: inc.OpenedBy, NoticedAt: inc.OpenedAt}
	rows := map[string]*oncall.CareRow{}
	var order []string
	row := func(h string) *oncall.CareRow {
		if r, ok := rows[h]; ok {
			return r
		}
		r := &oncall.CareRow{Member: h}
		rows[h] = r
		order = append(order, h)
		return r
	}
	type act struct {
		who string
		at  time.Time
	}
	acts := make([]act, 1, 1+len(entries)+len(roles))
	acts[0] = act{inc.OpenedBy, inc.OpenedAt}
	row(inc.OpenedBy)
	journal := map[string]bool{}
	for _, e := range entries {
		if e.Author == "" {
			continue
		}
		row(e.Author).Entries++
		acts = append(acts, act{e.Author, e.At})
		if e.Kind != oncall.KindStatus && !journal[e.Author] {
			journal[e.Author] = true
			c.JournalBy = append(c.JournalBy, e.Author)
		}
	}
	for _, rs := range roles {
		r := row(rs.Member)
		r.Roles = append(r.Roles, rs)
		acts = append(acts, act{rs.Member, rs.Taken})
		if rs.Role == oncall.RoleLead && (len(c.LedBy) == 0 || c.LedBy[len(c.LedBy)-1] != rs.Member) {
			c.LedBy = append(c.LedBy, rs.Member)
		}
	}
	retro := map[string]bool{}
	for _, n := range notes {
		if !retro[n.Author] {
			retro[n.Author] = true
			c.RetroBy = append(c.RetroBy, n.Author)
		}
	}
	tz := map[string]*time.Location{}
	onCall := map[time.Time][]string{}
	var leaves []oncall.Leave
	// Who was on call is read once (rotations and their confirmed
	// overrides over the incident's span), then worked out per moment by
	// the rota's rules: one query per timeline entry made a 100k-entry
	// retro take seconds.
	var rots []oncall.Rotation
	var ovs map[string][]oncall.Override
	if len(acts) > 0 {
		from, to := acts[0].at, acts[0].at
		for _, a := range acts {
			from, to = minTime(from, a.at), maxTime(to, a.at)
		}
		var err error
		if leaves, err = s.Leaves(ctx, from, to.Add(time.Nanosecond)); err != nil {
			return oncall.Care{}, fmt.Errorf("care: %w", err)
		}
		if rots, err = s.Rotations(ctx); err != nil {
			return oncall.Care{}, fmt.Errorf("care: %w", err)
		}
		if ovs, err = s.overridesByRotation(ctx, s.db, from.Add(-maxShiftSpan), farFuture, oncall.Confirmed); err != nil {
			return oncall.Care{}, fmt.Errorf("care: %w", err)
		}
	}
	var r *oncall.CareRow // a.who's, and their zone
	var loc *time.Location
	for i, a := range acts {
		if i == 0 || a.who != acts[i-1].who { // runs of one author: look up once
			r = row(a.who)
			var ok bool
			if loc, ok = tz[a.who]; !ok {
				loc = time.UTC
				if m, err := s.Member(ctx, a.who); err == nil {
					r.TZ = m.TZ
					if l, err := oncall.LoadLocation(m.TZ); err == nil {
						loc = l
					}
				}
				tz[a.who] = loc
			}
		}
		if r.First.IsZero() || a.at.Before(r.First) {
			r.First = a.at
		}
		if a.at.After(r.Last) {
			r.Last = a.at
		}
		if oncall.IsNight(a.at, loc) {
			r.Night++
		}
		// OnCallAt, not the bare rotations: it is where overrides and
		// swaps are taken into account. Without rotations nobody is on
		// call: no per-moment work.
		var who []string
		if len(rots) > 0 {
			var ok bool
			if who, ok = onCall[a.at]; !ok {
				who = []string{}
				for _, r := range rots {
					oc, err := r.OnCallWith(a.at, ovs[r.Name])
					if err != nil {
						return oncall.Care{}, fmt.Errorf("care: rotation %q: %w", r.Name, err)
					}
					if oc.HasNow {
						who = append(who, oc.Now.Member)
					}
				}
				onCall[a.at] = who
			}
		}
		if !slices.Contains(who, a.who) {
			r.OffCall++
		}
		for _, l := range leaves {
			if l.Member == a.who && !a.at.Before(l.Start) && a.at.Before(l.End) {
				r.OnLeave++
				break
			}
		}
	}
	for _, h := range order {
		c.People = append(c.People, *rows[h])
	}
	sort.SliceStable(c.People, func(i, j int) bool { return c.People[i].First.Before(c.People[j].First) })
	return c, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
