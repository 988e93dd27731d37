package care

import (
	"context"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// loadShifts reads who really held each pager over [from, to): the store's
// on-call history, overrides and swaps applied, clipped to now.
func loadShifts(ctx context.Context, st oncall.Store, f *Facts, from, to time.Time) error {
	hs, err := st.OnCallHistory(ctx, from, to)
	if err != nil {
		return err
	}
	for _, h := range hs {
		f.Shifts = append(f.Shifts, HeldShift{Member: h.Member, Rotation: h.Rotation, Start: h.Start, End: h.End,
			Covering: h.CoverFor, InProgress: !h.Recorded})
	}
	return nil
}
