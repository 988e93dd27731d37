package oncall

import (
	"strconv"
	"strings"
	"time"
)

// Range is a half-open interval [Start, End).
type Range struct{ Start, End time.Time }

// Overlaps reports whether r and o share an instant.
func (r Range) Overlaps(o Range) bool { return r.Start.Before(o.End) && o.Start.Before(r.End) }

// Contains reports whether t is in r.
func (r Range) Contains(t time.Time) bool { return !t.Before(r.Start) && t.Before(r.End) }

var (
	relRE   = lazyRegexp(`^([+-])([0-9]{1,5})([mhdw])$`)
	dateRE  = lazyRegexp(`^([0-9]{4})-([0-9]{2})-([0-9]{2})$`)
	clockRE = lazyRegexp(`^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})$`)
)

// ParseTime reads the times people type in the CLI and the rota forms:
//
//	now, today, tomorrow            (today/tomorrow: 00:00 in loc)
//	+3d, -12h, +2w, +90m            (relative to now; days and weeks are civil, in loc)
//	2026-03-23                      (00:00 in loc)
//	2026-03-23 10:00, 2026-03-23T10:00   (clock time in loc)
//	2026-03-23T10:00:00+02:00       (RFC 3339, any offset)
//
// A clock time skipped by a DST change reads as the first instant after the
// gap, a repeated one as its first occurrence (as rotation handoffs do).
// dateOnly says the text named a whole day, so an end can include that day.
// Errors are *ValidationError on field.
func ParseTime(field, s string, loc *time.Location, now time.Time) (t time.Time, dateOnly bool, err error) {
	t, dateOnly, err = parseTime(field, s, loc, now)
	if err == nil && (t.UTC().Year() < minYear-1 || t.UTC().Year() > maxYear+1) {
		return time.Time{}, false, Invalid(field, strings.TrimSpace(s), "out of range (years 1970 to 2999)")
	}
	return t, dateOnly, err
}

func parseTime(field, s string, loc *time.Location, now time.Time) (t time.Time, dateOnly bool, err error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	bad := func(reason string) (time.Time, bool, error) {
		return time.Time{}, false, Invalid(field, s, reason)
	}
	switch s {
	case "":
		return bad("must not be empty")
	case "now":
		return now, false, nil
	case "today", "tomorrow":
		y, m, d := now.In(loc).Date()
		if s == "tomorrow" {
			d++
		}
		return LocalInstant(y, m, d, 0, 0, loc), true, nil
	}
	if m := relRE().FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "-" {
			n = -n
		}
		switch m[3] {
		case "m":
			return now.Add(time.Duration(n) * time.Minute), false, nil
		case "h":
			return now.Add(time.Duration(n) * time.Hour), false, nil
		case "w":
			n *= 7
		}
		l := now.In(loc)
		return LocalInstant(l.Year(), l.Month(), l.Day()+n, l.Hour(), l.Minute(), loc).Add(time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())), false, nil
	}
	if m := dateRE().FindStringSubmatch(s); m != nil {
		y, mo, d, ok := civilDate(m[1], m[2], m[3])
		if !ok {
			return bad("not a calendar date (years 1970 to 2999)")
		}
		return LocalInstant(y, mo, d, 0, 0, loc), true, nil
	}
	if m := clockRE().FindStringSubmatch(s); m != nil {
		y, mo, d, ok := civilDate(m[1], m[2], m[3])
		hh, _ := strconv.Atoi(m[4])
		mi, _ := strconv.Atoi(m[5])
		if !ok || hh > 23 || mi > 59 {
			return bad("not a calendar date and time (HH:MM from 00:00 to 23:59)")
		}
		return LocalInstant(y, mo, d, hh, mi, loc), false, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	return bad("want now, today, tomorrow, +3d/-12h, YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339")
}

// Years a rota can name: far enough for any schedule, near enough that
// every instant formats and parses back.
const minYear, maxYear = 1970, 2999

// civilDate checks that the digits name a real date (no 31 April), which
// time.Date would silently normalise.
func civilDate(ys, ms, ds string) (int, time.Month, int, bool) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 {
		return 0, 0, 0, false
	}
	if t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC); t.Day() != d {
		return 0, 0, 0, false
	}
	return y, time.Month(m), d, true
}

// ParseRange reads a [from, to) pair. A date-only "to" includes that day
// (leave "2026-04-01".."2026-04-08" ends at midnight starting 9 April). A
// relative "to" counts from an absolute "from" ("2026-12-03 18:00".."+1d"
// is one day); when "from" is now or itself relative, both count from now,
// so "+6h".."+5h" is refused rather than read as eleven hours. An empty or
// inverted range is refused on "to".
func ParseRange(fromField, from, toField, to string, loc *time.Location, now time.Time) (Range, error) {
	if loc == nil {
		loc = time.UTC
	}
	start, _, err := ParseTime(fromField, from, loc, now)
	if err != nil {
		return Range{}, err
	}
	base := now
	if relRE().MatchString(strings.TrimSpace(to)) && !isNowRelative(from) {
		base = start
	}
	end, dateOnly, err := ParseTime(toField, to, loc, base)
	if err != nil {
		return Range{}, err
	}
	if dateOnly {
		l := end.In(loc)
		end = LocalInstant(l.Year(), l.Month(), l.Day()+1, 0, 0, loc)
	}
	if !start.Before(end) {
		return Range{}, Invalid(toField, strings.TrimSpace(to), "must be after "+fromField+" ("+start.In(loc).Format("2006-01-02 15:04 MST")+")")
	}
	return Range{Start: start, End: end}, nil
}

// isNowRelative reports whether a time text counts from now ("now", "+3d").
func isNowRelative(s string) bool {
	s = strings.TrimSpace(s)
	return s == "now" || relRE().MatchString(s)
}

// ParseRangeText reads "FROM..TO" (e.g. "2026-04-01..2026-04-08",
// "now..+12h"), the one-field form of ParseRange.
func ParseRangeText(field, s string, loc *time.Location, now time.Time) (Range, error) {
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		return Range{}, Invalid(field, s, "want FROM..TO, e.g. 2026-04-01..2026-04-08 or now..+12h")
	}
	return ParseRange(field, from, field, to, loc, now)
}
