package care

import (
	"context"
	"fmt"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Load reads from st the facts of [from, to): members, the shifts held,
// the incidents active in the window with their journals, roles, action
// items and retro notes. Machines are not in the store (they come from the
// cluster's node meta): the caller adds them to Facts.Machines.
//
// What it cannot read yet is listed in Facts.Missing.
func Load(ctx context.Context, st oncall.Store, from, to time.Time) (Facts, error) {
	var f Facts
	ms, err := st.Members(ctx)
	if err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	for _, m := range ms {
		f.Members = append(f.Members, Member{Handle: m.Handle, TZ: m.TZ})
	}
	if err := loadShifts(ctx, st, &f, from, to); err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	incs, err := st.Incidents(ctx, oncall.IncidentFilter{})
	if err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	var active []oncall.Incident
	for _, inc := range incs {
		// Incidents with nothing written in the window (last update before
		// it, or opened after it) cannot move any figure of the window.
		if inc.UpdatedAt.Before(from) || !inc.OpenedAt.Before(to) {
			continue
		}
		active = append(active, inc)
		f.Incidents = append(f.Incidents, Incident{ID: inc.ID, Title: inc.Title, Affects: inc.Affects, OpenedAt: inc.OpenedAt, OpenedBy: inc.OpenedBy})
	}
	// The journals, roles and retro notes of every active incident in one
	// read each (a query per incident made a year's table take 300 ms).
	if err := loadJournals(ctx, st, &f, active); err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	if err := loadActionItems(ctx, st, &f, from, to); err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	if err := loadPages(ctx, st, &f, from, to); err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	as, err := st.ClusterActions(ctx, from, to)
	if err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	for _, a := range as {
		f.Actions = append(f.Actions, LoggedAction{ID: a.ID, At: a.At, By: a.By, What: a.What, OK: a.OK})
	}
	if err := loadDecisions(ctx, st, &f, from, to); err != nil {
		return f, fmt.Errorf("care: %w", err)
	}
	return f, nil
}

// loadDecisions reads the proposal events of the window and the proposals
// active in it (open at some point of it) with who took a position.
func loadDecisions(ctx context.Context, st oncall.Store, f *Facts, from, to time.Time) error {
	es, err := st.ProposalEvents(ctx, from, to)
	if err != nil {
		return err
	}
	for _, e := range es {
		f.Decisions = append(f.Decisions, DecisionEvent{ID: e.ID, ProposalID: e.ProposalID, At: e.At, By: e.Actor, Kind: e.Kind, Text: e.Text})
	}
	ps, err := st.Proposals(ctx, oncall.ProposalFilter{})
	if err != nil {
		return err
	}
	for _, p := range ps {
		if !p.OpenedAt.Before(to) || (p.Outcome != nil && p.Outcome.At.Before(from)) {
			continue
		}
		cp := Proposal{ID: p.ID, Title: p.Title, Affects: p.Affects, OpenedAt: p.OpenedAt, State: p.State}
		for _, pos := range p.Positions {
			cp.Heard = append(cp.Heard, pos.Member)
		}
		f.Proposals = append(f.Proposals, cp)
	}
	return nil
}
