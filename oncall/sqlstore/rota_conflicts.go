package sqlstore

import (
	"context"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Schedule is every rotation (by name) over [from, to): who holds the pager
// with confirmed overrides applied, leave and availability conflicts, the
// uncovered gaps, and the proposals still waiting for consent.
func (s *Store) Schedule(ctx context.Context, from, to time.Time) ([]oncall.RotationSchedule, error) {
	if !from.Before(to) {
		return nil, oncall.Invalid("range.to", to.UTC().Format(time.RFC3339), "must be after range.from")
	}
	rs, err := s.Rotations(ctx)
	if err != nil {
		return nil, err
	}
	ovs, err := s.Overrides(ctx, from.Add(-maxShiftSpan), to.Add(maxShiftSpan), oncall.Proposed, oncall.Confirmed)
	if err != nil {
		return nil, err
	}
	leaves, err := s.Leaves(ctx, from, to)
	if err != nil {
		return nil, err
	}
	avail, err := s.Availability(ctx)
	if err != nil {
		return nil, err
	}
	members, err := s.Members(ctx)
	if err != nil {
		return nil, err
	}
	tz := map[string]string{}
	for _, m := range members {
		tz[m.Handle] = m.TZ
	}
	confirmed, pending := map[string][]oncall.Override{}, map[string][]oncall.Override{}
	for _, o := range ovs {
		if o.Status == oncall.Confirmed {
			confirmed[o.Rotation] = append(confirmed[o.Rotation], o)
		} else if o.Start.Before(to) && o.End.After(from) {
			pending[o.Rotation] = append(pending[o.Rotation], o)
		}
	}
	out := make([]oncall.RotationSchedule, 0, len(rs))
	for _, r := range rs {
		rsch := oncall.RotationSchedule{Rotation: r, Pending: pending[r.Name]}
		rsch.Shifts = r.EffectiveShifts(from, to, confirmed[r.Name])
		rsch.Conflicts = oncall.Conflicts(rsch.Shifts, leaves, avail, tz, from, to)
		rsch.Gaps = oncall.Gaps(r, rsch.Shifts, rsch.Conflicts, from, to)
		out = append(out, rsch)
	}
	return out, nil
}

// maxShiftSpan bounds how far an override overlapping a shift of the range
// can reach outside it (overrides never span more than a few shifts).
const maxShiftSpan = 400 * 24 * time.Hour
