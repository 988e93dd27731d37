package sqlstore

import (
	"context"
	"io"
	"sort"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// ICal writes the feed of [from, to): every rotation's shifts (overrides
// applied), or only member's when member is not empty.
func (s *Store) ICal(ctx context.Context, w io.Writer, member string, from, to time.Time) error {
	name := "entretien on-call"
	if member != "" {
		if _, err := s.Member(ctx, member); err != nil {
			return err
		}
		name += " (" + member + ")"
	}
	sch, err := s.Schedule(ctx, from, to)
	if err != nil {
		return err
	}
	var shifts []oncall.Shift
	for _, r := range sch {
		for _, sh := range r.Shifts {
			if member == "" || sh.Member == member {
				shifts = append(shifts, sh)
			}
		}
	}
	sort.SliceStable(shifts, func(i, j int) bool { return shifts[i].Start.Before(shifts[j].Start) })
	return oncall.WriteICal(w, name, shifts, s.now())
}
