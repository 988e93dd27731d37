package care

import (
	"context"
	"time"

	"entretien/oncall"
)

// loadJournal reads an incident's roles and retro notes. A retro is credited
// to every member who wrote at least one of its notes, at the first note.
func loadJournal(ctx context.Context, st *oncall.Store, f *Facts, incidentID int64) error {
	roles, err := st.Roles(ctx, incidentID)
	if err != nil {
		return err
	}
	for _, r := range roles {
		f.Roles = append(f.Roles, RolePeriod{IncidentID: r.IncidentID, Member: r.Member, Role: string(r.Role), Start: r.Taken, End: r.Left})
	}
	notes, err := st.RetroNotes(ctx, incidentID)
	if err != nil || len(notes) == 0 {
		return err
	}
	retro := Retro{ID: incidentID, IncidentID: incidentID, At: notes[0].At}
	seen := map[string]bool{}
	for _, n := range notes {
		if n.At.Before(retro.At) {
			retro.At = n.At
		}
		if !seen[n.Author] {
			seen[n.Author] = true
			retro.Authors = append(retro.Authors, n.Author)
		}
	}
	f.Retros = append(f.Retros, retro)
	return nil
}

// loadActionItems reads every action item. The store keeps no closing time
// nor closer: an item done or dropped is taken as closed at its last update,
// by its owner.
func loadActionItems(ctx context.Context, st *oncall.Store, f *Facts) error {
	items, err := st.Actions(ctx, oncall.ActionFilter{})
	if err != nil {
		return err
	}
	for _, a := range items {
		ci := ActionItem{ID: a.ID, IncidentID: a.IncidentID, Title: a.Title, Owner: a.Owner, State: string(a.State), CreatedAt: a.CreatedAt}
		if d, err := time.Parse("2006-01-02", a.Due); err == nil {
			ci.Due = d
		}
		if !a.State.Pending() {
			ci.ClosedAt = a.UpdatedAt
		}
		f.ActionItems = append(f.ActionItems, ci)
	}
	if len(items) > 0 {
		f.Missing = append(f.Missing, "action items: closing time and closer not recorded (last update and owner used)")
	}
	return nil
}
