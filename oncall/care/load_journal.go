package care

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// loadJournals reads the entries, roles and retro notes of incs, in their
// order. A retro is credited to every member who wrote at least one of its
// notes, at the first note.
func loadJournals(ctx context.Context, st oncall.Store, f *Facts, incs []oncall.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	ids := make([]int64, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	entries, err := st.EntriesOf(ctx, ids)
	if err != nil {
		return err
	}
	roles, err := st.RolesOf(ctx, ids)
	if err != nil {
		return err
	}
	notes, err := st.RetroNotesOf(ctx, ids)
	if err != nil {
		return err
	}
	n := 0
	for _, es := range entries {
		n += len(es)
	}
	f.Entries = slices.Grow(f.Entries, n)
	for _, id := range ids {
		for _, e := range entries[id] {
			f.Entries = append(f.Entries, Entry{ID: e.ID, IncidentID: e.IncidentID, At: e.At, Author: e.Author, Kind: e.Kind, From: e.From, To: e.To})
		}
		for _, r := range roles[id] {
			f.Roles = append(f.Roles, RolePeriod{IncidentID: r.IncidentID, Member: r.Member, Role: string(r.Role), Start: r.Taken, End: r.Left})
		}
		if ns := notes[id]; len(ns) > 0 {
			f.Retros = append(f.Retros, retroOf(id, ns))
		}
	}
	return nil
}

func retroOf(incidentID int64, notes []oncall.RetroNote) Retro {
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
	return retro
}

// maxNamed is how many legacy items the note names.
const maxNamed = 5

// loadActionItems reads every action item with who closed it and when.
// Items closed before the store recorded that (no closer) fall back to
// their last update and their owner; Missing says so only when such an
// item may fall in [from, to): its real closing is at or before its last
// update, so one last updated before from closed before the window too.
func loadActionItems(ctx context.Context, st oncall.Store, f *Facts, from, to time.Time) error {
	items, err := st.Actions(ctx, oncall.ActionFilter{})
	if err != nil {
		return err
	}
	var guessed []string
	for _, a := range items {
		ci := ActionItem{ID: a.ID, IncidentID: a.IncidentID, Title: a.Title, Owner: a.Owner, State: string(a.State), CreatedAt: a.CreatedAt}
		if d, err := time.Parse("2006-01-02", a.Due); err == nil {
			ci.Due = d
		}
		switch {
		case a.State.Pending():
		case a.ClosedBy != "":
			ci.ClosedAt, ci.ClosedBy = a.ClosedAt, a.ClosedBy
		default:
			ci.ClosedAt = a.UpdatedAt
			if a.CreatedAt.Before(to) && !a.UpdatedAt.Before(from) {
				guessed = append(guessed, "#"+strconv.FormatInt(a.ID, 10))
			}
		}
		f.ActionItems = append(f.ActionItems, ci)
	}
	if len(guessed) > 0 {
		// A note line, not a list: an old store may hold many such items.
		named := strings.Join(guessed[:min(len(guessed), maxNamed)], ", ")
		if len(guessed) > maxNamed {
			named += fmt.Sprintf(" and %d more", len(guessed)-maxNamed)
		}
		f.Missing = append(f.Missing, "action items "+named+
			": closed before the store recorded the closer (last update and owner used)")
	}
	return nil
}
