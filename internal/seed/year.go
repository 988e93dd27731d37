package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// The past year is a plan of dated steps, played in time order on the
// seed's own store with its clock set to each step's time, so that every
// write goes through the Store's rules as it would have then: an override
// is proposed before its start, leave before it ends, a retro after its
// incident. The plan is laid out in weeks of the rota, counted back from
// this week's handoff: the same now always gives the same store.

// weeksBack is how far back the rota starts: a little over a year, so the
// 365-day care window is full.
const weeksBack = 53

// joinWeek is the week kenji joins the rotation (re-planned with five).
const joinWeek = 14

// babyWeek is the week from which lucas takes amelie's weeknights.
const babyWeek = 8

type step struct {
	at time.Time
	do func() error
}

// cover is a confirmed override the plan made: who holds the pager then.
type cover struct {
	covering, covered string
	start, end        time.Time
}

type year struct {
	ctx   context.Context
	w     oncall.Store
	rng   *rand.Rand
	paris *time.Location
	now   time.Time
	// weeks is the base schedule, oldest first: weeks[i] is week i.
	weeks  []oncall.Shift
	covers []cover
	steps  []step
	seq    time.Duration // orders steps planned at the same instant
}

func pastYear(ctx context.Context, w oncall.Store, clock *time.Time, now time.Time) error {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	this, err := mondayOnOrBefore(now, "Europe/Paris", 10)
	if err != nil {
		return err
	}
	y := &year{ctx: ctx, w: w, rng: rand.New(rand.NewPCG(2025, 12)), paris: paris, now: now}
	first := y.day(this, -7*weeksBack, 10, 0)
	join := y.day(first, 7*joinWeek, 10, 0)
	before := primary(first, "lucas", "chloe", "dara", "amelie")
	after := primary(join, "kenji", "amelie", "lucas", "chloe", "dara")
	y.weeks = append(before.Shifts(first, join), after.Shifts(join, this)...)

	// Re-plans: each records the history held so far, then changes the
	// schedule (a re-plan at a handoff keeps every week held).
	y.apply(first.AddDate(0, 0, -10), before)
	y.apply(join.Add(time.Minute), after)
	y.apply(now, primary(this, "amelie", "lucas", "chloe", "dara", "kenji"))

	y.rota()
	if err := y.incidents(); err != nil {
		return err
	}
	sort.SliceStable(y.steps, func(i, j int) bool { return y.steps[i].at.Before(y.steps[j].at) })
	for _, s := range y.steps {
		if s.at.After(now) {
			return fmt.Errorf("a step planned at %s, after now", s.at.UTC().Format(time.RFC3339))
		}
		*clock = s.at
		if err := s.do(); err != nil {
			return fmt.Errorf("at %s: %w", s.at.UTC().Format(time.RFC3339), err)
		}
	}
	return nil
}

// add plans do at t. Steps at the same instant keep the order they were
// planned in (the sort is stable).
func (y *year) add(t time.Time, do func() error) {
	y.steps = append(y.steps, step{t, do})
}

// day is t's Paris calendar day moved by days, at hh:mm Paris time.
func (y *year) day(t time.Time, days, hh, mm int) time.Time {
	l := t.In(y.paris)
	return time.Date(l.Year(), l.Month(), l.Day()+days, hh, mm, 0, 0, y.paris)
}

func (y *year) apply(t time.Time, r oncall.Rotation) {
	y.add(t, func() error {
		_, err := y.w.ApplyRotations(y.ctx, []oncall.Rotation{r})
		return err
	})
}

// weekOf is the first week from i on that member holds (base schedule).
func (y *year) weekOf(member string, i int) int {
	for ; i < len(y.weeks); i++ {
		if y.weeks[i].Member == member {
			return i
		}
	}
	panic("seed: no week of " + member + " left in the plan")
}

// holder is who holds the pager at t, the plan's overrides applied.
func (y *year) holder(t time.Time) string {
	for _, c := range y.covers {
		if !t.Before(c.start) && t.Before(c.end) {
			return c.covering
		}
	}
	for _, w := range y.weeks {
		if !t.Before(w.Start) && t.Before(w.End) {
			return w.Member
		}
	}
	return ""
}

// override plans a cover proposed by a party at propose, answered by the
// other party at answer: accepted, or declined.
func (y *year) override(by, covering, covered string, start, end, propose, answer time.Time, accept bool, note string) {
	other := covering
	if by == covering {
		other = covered
	}
	var id int64
	y.add(propose, func() error {
		o, err := y.w.ProposeOverride(y.ctx, by, oncall.OverrideRequest{Rotation: "primary", Covering: covering, Covered: covered,
			Start: start, End: end, Note: note})
		id = o.ID
		return err
	})
	y.add(answer, func() error {
		var err error
		if accept {
			_, err = y.w.ConfirmOverride(y.ctx, other, id)
		} else {
			_, err = y.w.WithdrawOverride(y.ctx, other, id)
		}
		return err
	})
	if accept {
		y.covers = append(y.covers, cover{covering, covered, start, end})
	}
}

// swap plans a trade of whole weeks a and b, proposed by a's holder.
func (y *year) swap(a, b int, propose, answer time.Time, note string) {
	wa, wb := y.weeks[a], y.weeks[b]
	var id int64
	y.add(propose, func() error {
		halves, err := y.w.ProposeSwap(y.ctx, wa.Member, oncall.SwapRequest{Rotation: "primary", With: wb.Member,
			Mine: wa.Start.Add(time.Hour), Theirs: wb.Start.Add(time.Hour), Note: note})
		if err == nil {
			id = halves[0].ID
		}
		return err
	})
	y.add(answer, func() error {
		_, err := y.w.ConfirmOverride(y.ctx, wb.Member, id)
		return err
	})
	y.covers = append(y.covers, cover{wb.Member, wa.Member, wa.Start, wa.End}, cover{wa.Member, wb.Member, wb.Start, wb.End})
}

func (y *year) leave(at time.Time, by, member string, start, end time.Time, reason string) {
	y.add(at, func() error {
		_, err := y.w.AddLeave(y.ctx, by, oncall.Leave{Member: member, Start: start, End: end, Reason: reason})
		return err
	})
}

// rota plans the year's overrides, swaps and leave. The work is uneven on
// purpose, as in a real collective: from babyWeek on, lucas takes the
// nights of amelie's weeks but Saturday's (she has a newborn), on top of
// his own.
func (y *year) rota() {
	// amelie's summer week away: dara covers it whole, so no nights then.
	away := y.weekOf("amelie", 30)
	wa := y.weeks[away]
	y.leave(y.day(wa.Start, -30, 20, 15), "amelie", "amelie", y.day(wa.Start, -2, 0, 0), y.day(wa.Start, 9, 0, 0), "holidays in Brittany")
	y.override("amelie", "dara", "amelie", wa.Start, wa.End, y.day(wa.Start, -21, 9, 40), y.day(wa.Start, -20, 19, 5), true,
		"my holiday week, I owe you one")

	for i, w := range y.weeks {
		if w.Member != "amelie" || i < babyWeek || i == away {
			continue
		}
		propose := y.day(w.Start, -2, 11, 30)
		for _, d := range []int{0, 1, 2, 3, 4, 6} { // every night but Saturday's
			y.override("amelie", "lucas", "amelie", y.day(w.Start, d, 22, 0), y.day(w.Start, d+1, 7, 0),
				propose, propose.Add(5*time.Hour+time.Duration(d)*time.Minute), true, "weeknights, as agreed")
		}
	}

	// dara's end-of-year holidays: a week traded with lucas.
	d1 := y.weekOf("dara", 2)
	l1 := y.weekOf("lucas", d1+1)
	y.leave(y.day(y.weeks[d1].Start, -20, 18, 0), "dara", "dara", y.day(y.weeks[d1].Start, -1, 0, 0), y.day(y.weeks[d1].Start, 12, 0, 0), "family in Montréal")
	y.swap(d1, l1, y.day(y.weeks[d1].Start, -18, 15, 20), y.day(y.weeks[d1].Start, -17, 8, 45), "holidays; I take your week in January")

	// A swap between kenji and chloe once kenji is in.
	k1 := y.weekOf("kenji", joinWeek+5)
	c1 := y.weekOf("chloe", k1+1)
	y.swap(k1, c1, y.day(y.weeks[k1].Start, -9, 13, 0), y.day(y.weeks[k1].Start, -8, 21, 30), "conference in Osaka that week")

	// kenji's leave, off his weeks: nothing to cover.
	kl := y.weekOf("dara", joinWeek+8)
	y.leave(y.day(y.weeks[kl].Start, -25, 3, 0), "kenji", "kenji", y.weeks[kl].Start, y.weeks[kl].End, "Golden Week")

	// chloe's summer leave: her week traded with dara.
	c2 := y.weekOf("chloe", 36)
	d2 := y.weekOf("dara", c2+2) // the week after hers, she is still away
	y.leave(y.day(y.weeks[c2].Start, -40, 21, 0), "chloe", "chloe", y.day(y.weeks[c2].Start, -3, 0, 0), y.day(y.weeks[c2].Start, 11, 0, 0), "summer")
	y.swap(c2, d2, y.day(y.weeks[c2].Start, -35, 10, 10), y.day(y.weeks[c2].Start, -34, 22, 40), "summer leave")

	// dara falls ill during her week: chloe marks it, kenji takes the rest.
	d3 := y.weekOf("dara", 44)
	sick := y.day(y.weeks[d3].Start, 2, 8, 30)
	y.leave(sick, "chloe", "dara", sick, y.weeks[d3].End, "ill")
	y.override("kenji", "kenji", "dara", sick.Add(20*time.Minute), y.weeks[d3].End, sick.Add(15*time.Minute), sick.Add(50*time.Minute), true,
		"get well, I have it")

	// lucas away a week that is not his.
	lw := y.weekOf("kenji", 44)
	y.leave(y.day(y.weeks[lw].Start, -15, 22, 0), "lucas", "lucas", y.weeks[lw].Start, y.weeks[lw].End, "")

	// Asked and declined: chloe's Saturday in week 24, dara cannot.
	c3 := y.weekOf("chloe", 24)
	sat := y.day(y.weeks[c3].Start, 5, 8, 0)
	y.override("chloe", "dara", "chloe", sat, sat.Add(14*time.Hour), y.day(sat, -6, 12, 0), y.day(sat, -5, 17, 30), false, "a wedding")
}
