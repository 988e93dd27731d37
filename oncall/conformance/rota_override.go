package conformance

import (
	"context"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// cover is "covering covers covered over [from, to)", given as local clock
// texts in the rotation's zone (ParseTime resolves DST gaps and repeats).
type cover struct{ covering, covered, from, to string }

type want struct {
	at               string // ParseTime text in the rotation's zone, or RFC 3339
	now, covers      string
	nowStart, nowEnd string
	next             string
	nextStart        string
}

func rotStore(t *testing.T, r oncall.Rotation, covers []cover, open Opener) (oncall.Store, *time.Location) {
	t.Helper()
	ctx := context.Background()
	st, c := openTemp(t, open)
	c.t = utc(2026, 1, 1, 0, 0)
	for _, h := range []string{"a", "b", "c"} {
		mustMember(t, st, h, r.TZ)
	}
	if _, err := st.CreateRotation(ctx, r); err != nil {
		t.Fatal(err)
	}
	loc := zone(t, r.TZ)
	for _, cv := range covers {
		rg, err := oncall.ParseRange("from", cv.from, "to", cv.to, loc, c.t)
		if err != nil {
			t.Fatal(err)
		}
		o, err := st.ProposeOverride(ctx, cv.covering, oncall.OverrideRequest{Rotation: r.Name, Covering: cv.covering, Covered: cv.covered, Start: rg.Start, End: rg.End})
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != oncall.Proposed || !o.CoveringOK.Equal(c.t) || !o.CoveredOK.IsZero() {
			t.Fatalf("proposal %+v", o)
		}
		got, err := st.ConfirmOverride(ctx, cv.covered, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Status != oncall.Confirmed {
			t.Fatalf("confirmed %+v", got)
		}
	}
	return st, loc
}

func mustTime(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	tm, _, err := oncall.ParseTime("t", s, loc, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// Who is on call, with overrides inside, across and around handoffs, in
// zones whose clocks jump by an hour (Paris, Brussels) or 30 minutes (Lord Howe).
func testOnCallWithOverridesAcrossDST(t *testing.T, open Opener) {
	paris := weekly() // a, b, c; Mondays 10:00; a from 23 March, b from 30 March 10:00 CEST
	brussels := oncall.Rotation{Name: "bxl", TZ: "Europe/Brussels", ShiftCount: 1, ShiftUnit: oncall.Days, Handoff: "02:30",
		Start: utc(2026, 10, 24, 0, 30), Participants: []string{"a", "b"}} // b holds the 25-hour 25 October
	parisDaily := oncall.Rotation{Name: "night", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Days, Handoff: "02:30",
		Start: utc(2026, 3, 28, 1, 30), Participants: []string{"a", "b"}} // 29 March 02:30 does not exist: 03:00
	lordHowe := oncall.Rotation{Name: "lh", TZ: "Australia/Lord_Howe", ShiftCount: 1, ShiftUnit: oncall.Days, Handoff: "02:15",
		Start: utc(2026, 10, 2, 15, 45), Participants: []string{"a", "b"}} // 4 Oct 02:15 does not exist: 02:30

	cases := []struct {
		name   string
		r      oncall.Rotation
		covers []cover
		wants  []want
	}{
		{"paris: inside a shift, over the spring-forward night", paris,
			[]cover{{"c", "a", "2026-03-28 21:00", "2026-03-29 22:00"}}, []want{
				{at: "2026-03-28 20:59", now: "a", nowStart: "2026-03-23 10:00", nowEnd: "2026-03-28 21:00", next: "c", nextStart: "2026-03-28 21:00"},
				{at: "2026-03-29 01:30", now: "c", covers: "a", nowStart: "2026-03-28 21:00", nowEnd: "2026-03-29 22:00", next: "a", nextStart: "2026-03-29 22:00"},
				{at: "2026-03-29 03:30", now: "c", covers: "a", nowStart: "2026-03-28 21:00", nowEnd: "2026-03-29 22:00", next: "a"},
				{at: "2026-03-29 22:00", now: "a", nowStart: "2026-03-29 22:00", nowEnd: "2026-03-30 10:00", next: "b", nextStart: "2026-03-30 10:00"},
			}},
		{"paris: across a handoff (two covers in a row)", paris,
			[]cover{{"c", "a", "2026-03-30 08:00", "2026-03-30 10:00"}, {"c", "b", "2026-03-30 10:00", "2026-03-30 12:00"}}, []want{
				{at: "2026-03-30 07:59", now: "a", nowEnd: "2026-03-30 08:00", next: "c", nextStart: "2026-03-30 08:00"},
				{at: "2026-03-30 09:00", now: "c", covers: "a", nowStart: "2026-03-30 08:00", nowEnd: "2026-03-30 12:00", next: "b", nextStart: "2026-03-30 12:00"},
				{at: "2026-03-30 10:00", now: "c", covers: "b", nowStart: "2026-03-30 08:00", nowEnd: "2026-03-30 12:00", next: "b"},
				{at: "2026-03-30 12:00", now: "b", nowStart: "2026-03-30 12:00", nowEnd: "2026-04-06 10:00", next: "c", nextStart: "2026-04-06 10:00"},
			}},
		{"paris: around a handoff (ends at it, then starts at it)", paris,
			[]cover{{"b", "a", "2026-03-30 06:00", "2026-03-30 10:00"}, {"a", "c", "2026-04-06 10:00", "2026-04-06 18:00"}}, []want{
				// b takes a's last hours and keeps the pager through b's own week.
				{at: "2026-03-30 06:00", now: "b", covers: "a", nowStart: "2026-03-30 06:00", nowEnd: "2026-04-06 10:00", next: "a", nextStart: "2026-04-06 10:00"},
				{at: "2026-03-30 10:00", now: "b", nowStart: "2026-03-30 06:00", nowEnd: "2026-04-06 10:00", next: "a"},
				{at: "2026-04-06 10:00", now: "a", covers: "c", nowStart: "2026-04-06 10:00", nowEnd: "2026-04-06 18:00", next: "c", nextStart: "2026-04-06 18:00"},
			}},
		{"paris daily: cover ending at the handoff moved by the gap", parisDaily,
			[]cover{{"b", "a", "2026-03-29 01:00", "2026-03-29 03:00"}}, []want{
				{at: "2026-03-29 01:59", now: "b", covers: "a", nowStart: "2026-03-29 01:00", nowEnd: "2026-03-30 02:30", next: "a", nextStart: "2026-03-30 02:30"},
				{at: "2026-03-29 00:59", now: "a", nowEnd: "2026-03-29 01:00", next: "b"},
			}},
		{"brussels: cover in the repeated hour of fall-back", brussels,
			// 02:45 CEST (first) to 02:15 CET (second): 30 minutes that read backwards.
			[]cover{{"a", "b", "2026-10-25T02:45:00+02:00", "2026-10-25T02:15:00+01:00"}}, []want{
				{at: "2026-10-25T00:50:00Z", now: "a", covers: "b", nowStart: "2026-10-25T02:45:00+02:00", nowEnd: "2026-10-25T02:15:00+01:00", next: "b", nextStart: "2026-10-25T02:15:00+01:00"},
				{at: "2026-10-25T02:20:00+01:00", now: "b", nowStart: "2026-10-25T02:15:00+01:00", nowEnd: "2026-10-26 02:30", next: "a", nextStart: "2026-10-26 02:30"},
				{at: "2026-10-25 02:40", now: "b", nowStart: "2026-10-25 02:30", nowEnd: "2026-10-25T02:45:00+02:00", next: "a"},
			}},
		{"lord howe: cover ending at the handoff inside the 30-minute gap", lordHowe,
			[]cover{{"b", "a", "2026-10-04 01:30", "2026-10-04 02:15"}}, []want{
				// 02:15 does not exist on 4 October: the cover and the handoff both end at 02:30 (+11).
				{at: "2026-10-04 01:45", now: "b", covers: "a", nowStart: "2026-10-04 01:30", nowEnd: "2026-10-05 02:15", next: "a", nextStart: "2026-10-05 02:15"},
				{at: "2026-10-04 01:29", now: "a", nowEnd: "2026-10-04 01:30", next: "b"},
				{at: "2026-10-04 02:30", now: "b", nowStart: "2026-10-04 01:30", nowEnd: "2026-10-05 02:15", next: "a"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, loc := rotStore(t, c.r, c.covers, open)
			for _, w := range c.wants {
				at := mustTime(t, w.at, loc)
				ocs, err := st.OnCallAt(context.Background(), at)
				if err != nil {
					t.Fatal(err)
				}
				if len(ocs) != 1 || !ocs[0].HasNow {
					t.Fatalf("at %s: %+v", w.at, ocs)
				}
				oc := ocs[0]
				if oc.Now.Member != w.now || oc.Now.Covers != w.covers || oc.Next.Member != w.next {
					t.Errorf("at %s: now %s (covers %q), next %s; want %s (covers %q), next %s",
						w.at, oc.Now.Member, oc.Now.Covers, oc.Next.Member, w.now, w.covers, w.next)
				}
				for _, chk := range []struct {
					name string
					got  time.Time
					want string
				}{{"now start", oc.Now.Start, w.nowStart}, {"now end", oc.Now.End, w.nowEnd}, {"next start", oc.Next.Start, w.nextStart}} {
					if chk.want != "" && !chk.got.Equal(mustTime(t, chk.want, loc)) {
						t.Errorf("at %s: %s %v, want %s (%v)", w.at, chk.name, chk.got.In(loc), chk.want, mustTime(t, chk.want, loc).In(loc))
					}
				}
				if !oc.Now.End.Equal(oc.Next.Start) {
					t.Errorf("at %s: now ends %v but next starts %v", w.at, oc.Now.End, oc.Next.Start)
				}
			}
		})
	}
}
