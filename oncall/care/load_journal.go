package care

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// loadJournal reads an incident's roles and retro notes. A retro is credited
// to every member who wrote at least one of its notes, at the first note.
func loadJournal(ctx context.Context, st oncall.Store, f *Facts, incidentID int64) error {
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
