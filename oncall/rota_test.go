package oncall

import (
	"fmt"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

func TestLocalInstant(t *testing.T) {
	cases := []struct {
		name        string
		tz          string
		y           int
		mo          time.Month
		d, hh, mi   int
		want        time.Time
		wantLocalHM string
	}{
		{"paris winter", "Europe/Paris", 2026, 3, 2, 10, 0, utc(2026, 3, 2, 9, 0), "10:00"},
		{"paris summer", "Europe/Paris", 2026, 7, 6, 10, 0, utc(2026, 7, 6, 8, 0), "10:00"},
		{"paris gap 02:30 -> 03:00 CEST", "Europe/Paris", 2026, 3, 29, 2, 30, utc(2026, 3, 29, 1, 0), "03:00"},
		{"paris gap start 02:00 -> 03:00 CEST", "Europe/Paris", 2026, 3, 29, 2, 0, utc(2026, 3, 29, 1, 0), "03:00"},
		{"paris after gap 03:00", "Europe/Paris", 2026, 3, 29, 3, 0, utc(2026, 3, 29, 1, 0), "03:00"},
		{"paris before gap 01:59", "Europe/Paris", 2026, 3, 29, 1, 59, utc(2026, 3, 29, 0, 59), "01:59"},
		{"paris fall-back 02:30 first (CEST)", "Europe/Paris", 2026, 10, 25, 2, 30, utc(2026, 10, 25, 0, 30), "02:30"},
		{"paris fall-back 02:00 first (CEST)", "Europe/Paris", 2026, 10, 25, 2, 0, utc(2026, 10, 25, 0, 0), "02:00"},
		{"paris after fall-back 03:00 CET", "Europe/Paris", 2026, 10, 25, 3, 0, utc(2026, 10, 25, 2, 0), "03:00"},
		{"brussels gap 02:59 -> 03:00", "Europe/Brussels", 2026, 3, 29, 2, 59, utc(2026, 3, 29, 1, 0), "03:00"},
		{"brussels fall-back 02:45 first", "Europe/Brussels", 2026, 10, 25, 2, 45, utc(2026, 10, 25, 0, 45), "02:45"},
		// Lord Howe: +10:30 standard, +11:00 summer; both changes at 02:00 local, 30 minutes.
		{"lord howe gap 02:15 -> 02:30", "Australia/Lord_Howe", 2026, 10, 4, 2, 15, utc(2026, 10, 3, 15, 30), "02:30"},
		{"lord howe gap start 02:00 -> 02:30", "Australia/Lord_Howe", 2026, 10, 4, 2, 0, utc(2026, 10, 3, 15, 30), "02:30"},
		{"lord howe after gap 02:30", "Australia/Lord_Howe", 2026, 10, 4, 2, 30, utc(2026, 10, 3, 15, 30), "02:30"},
		{"lord howe fall-back 01:45 first (+11)", "Australia/Lord_Howe", 2026, 4, 5, 1, 45, utc(2026, 4, 4, 14, 45), "01:45"},
		{"lord howe fall-back 01:30 first (+11)", "Australia/Lord_Howe", 2026, 4, 5, 1, 30, utc(2026, 4, 4, 14, 30), "01:30"},
		{"lord howe after fall-back 02:00 (+10:30)", "Australia/Lord_Howe", 2026, 4, 5, 2, 0, utc(2026, 4, 4, 15, 30), "02:00"},
		{"lord howe before fall-back 01:29", "Australia/Lord_Howe", 2026, 4, 5, 1, 29, utc(2026, 4, 4, 14, 29), "01:29"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc := zone(t, c.tz)
			got := LocalInstant(c.y, c.mo, c.d, c.hh, c.mi, loc)
			if !got.Equal(c.want) {
				t.Fatalf("got %v (%v), want %v", got.UTC(), got, c.want)
			}
			if hm := got.In(loc).Format("15:04"); hm != c.wantLocalHM {
				t.Fatalf("local clock %s, want %s", hm, c.wantLocalHM)
			}
		})
	}
}

// weekly is the seed's shape: a, b, c hand off on Mondays at 10:00 Paris.
func weekly() Rotation {
	return Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: Weeks, Handoff: "10:00",
		Start: utc(2026, 3, 23, 9, 0), Participants: []string{"a", "b", "c"}}
}

func TestShiftsAcrossDST(t *testing.T) {
	cases := []struct {
		name string
		r    Rotation
		// consecutive handoffs expected from Start onwards
		handoffs []time.Time
	}{
		{"paris weekly into summer time: 167h shift", weekly(), []time.Time{
			utc(2026, 3, 23, 9, 0), utc(2026, 3, 30, 8, 0), utc(2026, 4, 6, 8, 0)}},
		{"paris weekly into winter time: 169h shift", Rotation{Name: "w", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: Weeks,
			Handoff: "10:00", Start: utc(2026, 10, 19, 8, 0), Participants: []string{"a"}}, []time.Time{
			utc(2026, 10, 19, 8, 0), utc(2026, 10, 26, 9, 0), utc(2026, 11, 2, 9, 0)}},
		{"paris daily 02:30 through the gap", Rotation{Name: "d", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: Days,
			Handoff: "02:30", Start: utc(2026, 3, 28, 1, 30), Participants: []string{"a", "b"}}, []time.Time{
			utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)}},
		{"brussels daily 02:30 through fall-back", Rotation{Name: "d", TZ: "Europe/Brussels", ShiftCount: 1, ShiftUnit: Days,
			Handoff: "02:30", Start: utc(2026, 10, 24, 0, 30), Participants: []string{"a", "b"}}, []time.Time{
			utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)}},
		{"brussels 2-day shifts at 09:00", Rotation{Name: "d", TZ: "Europe/Brussels", ShiftCount: 2, ShiftUnit: Days,
			Handoff: "09:00", Start: utc(2026, 3, 27, 8, 0), Participants: []string{"a", "b"}}, []time.Time{
			utc(2026, 3, 27, 8, 0), utc(2026, 3, 29, 7, 0), utc(2026, 3, 31, 7, 0)}},
		{"lord howe daily 02:15 through the 30-minute gap", Rotation{Name: "l", TZ: "Australia/Lord_Howe", ShiftCount: 1,
			ShiftUnit: Days, Handoff: "02:15", Start: utc(2026, 10, 2, 15, 45), Participants: []string{"a", "b"}}, []time.Time{
			utc(2026, 10, 2, 15, 45), utc(2026, 10, 3, 15, 30), utc(2026, 10, 4, 15, 15)}},
		{"lord howe daily 01:45 through the 30-minute fall-back", Rotation{Name: "l", TZ: "Australia/Lord_Howe", ShiftCount: 1,
			ShiftUnit: Days, Handoff: "01:45", Start: utc(2026, 4, 3, 14, 45), Participants: []string{"a", "b"}}, []time.Time{
			utc(2026, 4, 3, 14, 45), utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)}},
		{"hours shifts ignore the clock", Rotation{Name: "h", TZ: "Europe/Paris", ShiftCount: 12, ShiftUnit: Hours,
			Handoff: "", Start: utc(2026, 3, 28, 20, 0), Participants: []string{"a", "b", "c"}}, []time.Time{
			utc(2026, 3, 28, 20, 0), utc(2026, 3, 29, 8, 0), utc(2026, 3, 29, 20, 0)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs := c.handoffs
			got := c.r.Shifts(hs[0], hs[len(hs)-1])
			if len(got) != len(hs)-1 {
				t.Fatalf("Shifts gave %d shifts, want %d: %v", len(got), len(hs)-1, got)
			}
			for i, s := range got {
				if !s.Start.Equal(hs[i]) || !s.End.Equal(hs[i+1]) {
					t.Errorf("shift %d = [%v, %v), want [%v, %v)", i, s.Start.UTC(), s.End.UTC(), hs[i], hs[i+1])
				}
				if want := c.r.Participants[i%len(c.r.Participants)]; s.Member != want {
					t.Errorf("shift %d member %q, want %q", i, s.Member, want)
				}
				// ShiftAt agrees at the first instant, the middle and the last nanosecond.
				for _, at := range []time.Time{s.Start, s.Start.Add(s.End.Sub(s.Start) / 2), s.End.Add(-1)} {
					if got, ok := c.r.ShiftAt(at); !ok || got != s {
						t.Errorf("ShiftAt(%v) = %v %v, want %v", at.UTC(), got, ok, s)
					}
				}
			}
			if _, ok := c.r.ShiftAt(hs[0].Add(-1)); ok {
				t.Error("ShiftAt before Start reported a shift")
			}
		})
	}
}

func TestShiftsWindow(t *testing.T) {
	r := weekly()
	// Mid-shift window of two weeks overlaps three shifts; none outside.
	from, to := utc(2026, 3, 25, 0, 0), utc(2026, 4, 8, 0, 0)
	got := r.Shifts(from, to)
	if len(got) != 3 {
		t.Fatalf("got %d shifts: %v", len(got), got)
	}
	if got[0].Member != "a" || got[1].Member != "b" || got[2].Member != "c" {
		t.Fatalf("members %v", got)
	}
	if got[0].Start.After(from) || !got[2].End.After(to) {
		t.Fatalf("window not covered: %v", got)
	}
	// A window ending exactly at a handoff excludes the shift starting there.
	if got := r.Shifts(utc(2026, 3, 23, 9, 0), utc(2026, 3, 30, 8, 0)); len(got) != 1 {
		t.Fatalf("half-open window: %v", got)
	}
	// Before Start: starts at shift 0; entirely before: nothing.
	if got := r.Shifts(utc(2026, 3, 1, 0, 0), utc(2026, 3, 24, 0, 0)); len(got) != 1 || got[0].Member != "a" {
		t.Fatalf("window straddling Start: %v", got)
	}
	if got := r.Shifts(utc(2026, 3, 1, 0, 0), utc(2026, 3, 2, 0, 0)); len(got) != 0 {
		t.Fatalf("window before Start: %v", got)
	}
	if got := r.Shifts(to, from); got != nil {
		t.Fatalf("reversed window: %v", got)
	}
	// Far in the future: the 100th shift belongs to participant 100 mod 3 = b.
	s, ok := r.ShiftAt(utc(2026, 3, 23, 9, 0).AddDate(0, 0, 7*100).Add(time.Hour))
	if !ok || s.Member != "b" {
		t.Fatalf("shift 100 = %v %v", s, ok)
	}
}

// Over two years, in each zone, handoffs of a daily rotation are contiguous
// and always at the handoff clock time except on a gap day.
func TestDailyHandoffsKeepLocalTime(t *testing.T) {
	for _, tz := range []string{"Europe/Paris", "Europe/Brussels", "Australia/Lord_Howe", "America/Montreal", "Asia/Tokyo"} {
		for _, hm := range []string{"00:00", "01:45", "02:15", "02:30", "10:00", "23:59"} {
			t.Run(fmt.Sprintf("%s/%s", tz, hm), func(t *testing.T) {
				loc := zone(t, tz)
				r := Rotation{Name: "d", TZ: tz, ShiftCount: 1, ShiftUnit: Days, Handoff: hm,
					Start: time.Date(2026, 1, 1, 12, 0, 0, 0, loc), Participants: []string{"a", "b", "c"}}
				shifts := r.Shifts(utc(2025, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0))
				if len(shifts) < 720 {
					t.Fatalf("only %d shifts", len(shifts))
				}
				day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				for i, s := range shifts {
					if i > 0 && !shifts[i-1].End.Equal(s.Start) {
						t.Fatalf("gap between shifts %d and %d", i-1, i)
					}
					if d := s.End.Sub(s.Start); d < 23*time.Hour || d > 25*time.Hour {
						t.Fatalf("shift %d lasts %v", i, d)
					}
					y, m, dd := s.Start.In(loc).Date()
					if want := day.AddDate(0, 0, i); y != want.Year() || m != want.Month() || dd != want.Day() {
						t.Fatalf("shift %d starts on %v, want %v", i, s.Start.In(loc), want.Format("2006-01-02"))
					}
					if got := s.Start.In(loc).Format("15:04"); got != hm {
						// Only allowed when hm does not exist that day: the
						// instant is then a zone transition.
						if start, _ := s.Start.ZoneBounds(); !start.Equal(s.Start) {
							t.Fatalf("shift %d starts at %s local, want %s", i, got, hm)
						}
					}
				}
			})
		}
	}
}

func TestShiftAtInvalidRotation(t *testing.T) {
	for _, r := range []Rotation{
		{Name: "x", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: Weeks, Handoff: "10:00", Start: t0},
		{Name: "x", TZ: "Nowhere", ShiftCount: 1, ShiftUnit: Weeks, Handoff: "10:00", Start: t0, Participants: []string{"a"}},
		{Name: "x", TZ: "Europe/Paris", ShiftCount: 0, ShiftUnit: Weeks, Handoff: "10:00", Start: t0, Participants: []string{"a"}},
		{Name: "x", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: "months", Handoff: "10:00", Start: t0, Participants: []string{"a"}},
		{Name: "x", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: Days, Handoff: "25:00", Start: t0, Participants: []string{"a"}},
	} {
		if s, ok := r.ShiftAt(t0.Add(time.Hour)); ok {
			t.Errorf("invalid rotation %+v gave shift %v", r, s)
		}
		if s := r.Shifts(t0, t0.Add(24*time.Hour)); s != nil {
			t.Errorf("invalid rotation gave shifts %v", s)
		}
	}
}
