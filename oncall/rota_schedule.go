package oncall

import (
	"sort"
	"time"
)

// shiftsAround lists base shifts from index lo (clamped to 0) for n shifts.
func (sc *schedule) shiftsFrom(lo int64, n int) []Shift {
	if lo < 0 {
		lo = 0
	}
	out := make([]Shift, 0, n)
	for k := lo; k < lo+int64(n); k++ {
		out = append(out, sc.shift(k))
	}
	return out
}

// applyOverrides cuts the base shifts (in order, contiguous) with the
// confirmed overrides of the same rotation: each covered stretch becomes a
// segment held by the covering member, with Covers naming whoever the base
// schedule had there. Overrides never overlap (the store refuses it); if old
// data did, the earlier-starting one wins.
func applyOverrides(base []Shift, ovs []Override) []Shift {
	if len(ovs) == 0 {
		return base
	}
	ovs = append([]Override(nil), ovs...)
	sort.Slice(ovs, func(i, j int) bool { return ovs[i].Start.Before(ovs[j].Start) })
	var out []Shift
	for _, s := range base {
		t := s.Start
		for _, o := range ovs {
			if o.Rotation != s.Rotation {
				continue
			}
			cs, ce := Later(o.Start, t), Earlier(o.End, s.End)
			if !cs.Before(ce) {
				continue
			}
			if t.Before(cs) {
				out = append(out, Shift{Rotation: s.Rotation, Member: s.Member, Start: t, End: cs})
			}
			seg := Shift{Rotation: s.Rotation, Member: o.Covering, Start: cs, End: ce}
			if o.Covering != s.Member {
				seg.Covers, seg.OverrideID = s.Member, o.ID
			}
			out = append(out, seg)
			t = ce
		}
		if t.Before(s.End) {
			out = append(out, Shift{Rotation: s.Rotation, Member: s.Member, Start: t, End: s.End})
		}
	}
	return out
}

func Later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func Earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// heldRun is segment i extended over its neighbours held by the same member
// when an override is involved: the pager only changes hands at the ends of
// the run. Two base shifts of a one-person rotation stay apart (a handoff to
// oneself is still a handoff, with its notes).
func heldRun(segs []Shift, i int) (run Shift, first, last int) {
	run, first, last = segs[i], i, i
	joins := func(a, b Shift) bool {
		return a.Member == b.Member && a.End.Equal(b.Start) && (a.Covers != "" || b.Covers != "")
	}
	for first > 0 && joins(segs[first-1], segs[first]) {
		first--
	}
	for last+1 < len(segs) && joins(segs[last], segs[last+1]) {
		last++
	}
	run.Start, run.End = segs[first].Start, segs[last].End
	return run, first, last
}

// OnCallWith is the OnCall of r at t with the confirmed overrides ovs
// applied. Now is the run of the holder at t (see heldRun), keeping the
// Covers of the segment at t; Next is the run after it.
func (r Rotation) OnCallWith(t time.Time, ovs []Override) (OnCall, error) {
	sc, err := r.schedule()
	if err != nil {
		return OnCall{}, err
	}
	k := sc.index(t)
	// Overrides can merge or split a few shifts around t: take enough of
	// them that the runs at t and after are complete.
	n := len(r.Participants) + len(ovs) + 4
	segs := applyOverrides(sc.shiftsFrom(k-2, n), ovs)
	oc := OnCall{Rotation: r}
	i := sort.Search(len(segs), func(i int) bool { return segs[i].End.After(t) })
	if i == len(segs) { // cannot happen: segs reach far beyond t
		return oc, nil
	}
	if !segs[i].Start.After(t) {
		run, _, last := heldRun(segs, i)
		oc.Now, oc.HasNow = segs[i], true
		oc.Now.Start, oc.Now.End = run.Start, run.End
		i = last + 1
	}
	if i < len(segs) {
		run, _, _ := heldRun(segs, i)
		oc.Next = segs[i]
		oc.Next.Start, oc.Next.End = run.Start, run.End
	}
	return oc, nil
}

// EffectiveShifts is the schedule of r over [from, to) with ovs applied:
// every segment overlapping the range, unclipped.
func (r Rotation) EffectiveShifts(from, to time.Time, ovs []Override) []Shift {
	var out []Shift
	for _, s := range applyOverrides(r.Shifts(from, to), ovs) {
		if s.Start.Before(to) && s.End.After(from) {
			out = append(out, s)
		}
	}
	return out
}
