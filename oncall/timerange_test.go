package oncall

import (
	"testing"
	"time"
)

func TestRotaParseTime(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	now := time.Date(2026, 3, 28, 15, 30, 0, 0, paris)
	cases := []struct {
		in       string
		want     time.Time
		dateOnly bool
	}{
		{"now", now, false},
		{"today", time.Date(2026, 3, 28, 0, 0, 0, 0, paris), true},
		{"tomorrow", time.Date(2026, 3, 29, 0, 0, 0, 0, paris), true},
		{"+1d", time.Date(2026, 3, 29, 15, 30, 0, 0, paris), false}, // civil day: 23 hours across the change
		{"+24h", time.Date(2026, 3, 29, 16, 30, 0, 0, paris), false},
		{"-2w", time.Date(2026, 3, 14, 15, 30, 0, 0, paris), false},
		{"+90m", now.Add(90 * time.Minute), false},
		{"2026-03-29", time.Date(2026, 3, 29, 0, 0, 0, 0, paris), true},
		{"2026-03-29 02:30", utc(2026, 3, 29, 1, 0), false}, // skipped: first instant after the gap
		{"2026-10-25T02:30", utc(2026, 10, 25, 0, 30), false},
		{" 2026-03-29T10:00:00Z ", utc(2026, 3, 29, 10, 0), false},
	}
	for _, c := range cases {
		got, d, err := ParseTime("from", c.in, paris, now)
		if err != nil || !got.Equal(c.want) || d != c.dateOnly {
			t.Errorf("ParseTime(%q) = %v %v %v, want %v %v", c.in, got, d, err, c.want, c.dateOnly)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-02-30", "2026-13-01", "2026-03-29 24:00", "2026-03-29 9:00", "+3y", "+99999999d", "29/03/2026"} {
		_, _, err := ParseTime("from", bad, paris, now)
		wantValidation(t, err, "from")
	}
}

func TestRotaParseRange(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	now := time.Date(2026, 3, 28, 15, 30, 0, 0, paris)
	r, err := ParseRangeText("leave", "2026-04-01..2026-04-03", paris, now)
	if err != nil || !r.Start.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, paris)) || !r.End.Equal(time.Date(2026, 4, 4, 0, 0, 0, 0, paris)) {
		t.Fatalf("inclusive dates: %+v %v", r, err)
	}
	r, err = ParseRange("from", "now", "to", "+12h", paris, now)
	if err != nil || r.End.Sub(r.Start) != 12*time.Hour {
		t.Fatalf("now..+12h: %+v %v", r, err)
	}
	// Same day is one day; an inverted or empty range names "to".
	if r, err := ParseRangeText("x", "2026-04-01..2026-04-01", paris, now); err != nil || r.End.Sub(r.Start) != 24*time.Hour {
		t.Fatalf("one day: %+v %v", r, err)
	}
	for _, bad := range []string{"2026-04-03..2026-04-01", "now..now", "+1h..now", "2026-04-01", "2026-04-01..", "..2026-04-01"} {
		_, err := ParseRangeText("leave", bad, paris, now)
		wantValidation(t, err, "leave")
	}
	_, err = ParseRange("from", "2026-04-03 10:00", "to", "2026-04-03 09:00", paris, now)
	wantValidation(t, err, "to")
}

// FuzzRotaTimeRange: no input panics; an accepted range is never empty or
// inverted, and both ends survive an RFC 3339 round trip.
func FuzzRotaTimeRange(f *testing.F) {
	for _, s := range []string{"2026-04-01..2026-04-08", "now..+12h", "today..tomorrow", "2026-03-29 02:30..2026-03-29 03:00",
		"2026-10-25T02:30..2026-10-25 02:59", "-3d..+2w", "2026-03-29T10:00:00Z..2026-03-29T10:00:01+02:00", "..", "+99999w..+1m",
		"2026-02-29..2027-02-28", "1970-01-01..2999-12-31", "1969-12-31..now"} {
		f.Add(s, "Australia/Lord_Howe")
		f.Add(s, "Europe/Brussels")
	}
	now := time.Date(2026, 3, 28, 15, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s, tz string) {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			loc = time.UTC
		}
		r, err := ParseRangeText("range", s, loc, now)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if !r.Start.Before(r.End) {
			t.Fatalf("%q gave an empty or inverted range %v..%v", s, r.Start, r.End)
		}
		for _, e := range []time.Time{r.Start, r.End} {
			back, _, err := ParseTime("t", e.UTC().Format(time.RFC3339Nano), loc, now)
			if err != nil || !back.Equal(e) {
				t.Fatalf("%v does not round-trip: %v %v", e, back, err)
			}
		}
	})
}

// A relative --to counts from an absolute --from: `override add --from
// "2026-12-03 18:00" --to +1d` is that day, not a day from now (which would
// end before it starts). From now or a relative --from, both count from now.
func TestRotaParseRangeRelativeToFrom(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, paris)
	for _, c := range []struct {
		from, to   string
		start, end time.Time
	}{
		{"2026-12-03 18:00", "+1d", time.Date(2026, 12, 3, 18, 0, 0, 0, paris), time.Date(2026, 12, 4, 18, 0, 0, 0, paris)},
		{"2026-12-03 18:00", "+90m", time.Date(2026, 12, 3, 18, 0, 0, 0, paris), time.Date(2026, 12, 3, 19, 30, 0, 0, paris)},
		{"2026-12-03", "+2w", time.Date(2026, 12, 3, 0, 0, 0, 0, paris), time.Date(2026, 12, 17, 0, 0, 0, 0, paris)},
		{"tomorrow", "+12h", time.Date(2026, 12, 2, 0, 0, 0, 0, paris), time.Date(2026, 12, 2, 12, 0, 0, 0, paris)},
		{"now", "+1d", now, time.Date(2026, 12, 2, 9, 0, 0, 0, paris)},
		{"+1h", "+3h", now.Add(time.Hour), now.Add(3 * time.Hour)},
		{"2026-12-03 18:00", "2026-12-04", time.Date(2026, 12, 3, 18, 0, 0, 0, paris), time.Date(2026, 12, 5, 0, 0, 0, 0, paris)},
	} {
		rg, err := ParseRange("--from", c.from, "--to", c.to, paris, now)
		if err != nil || !rg.Start.Equal(c.start) || !rg.End.Equal(c.end) {
			t.Errorf("ParseRange(%q, %q) = %v..%v %v, want %v..%v", c.from, c.to, rg.Start, rg.End, err, c.start, c.end)
		}
	}
	// Both relative to now: still refused when inverted, and a negative
	// --to from an absolute --from goes before it.
	for _, c := range [][2]string{{"+6h", "+5h"}, {"2026-12-03 18:00", "-1h"}} {
		_, err := ParseRange("--from", c[0], "--to", c[1], paris, now)
		wantValidation(t, err, "--to")
	}
}
