package care

import "time"

// Band is a part of the week as the member's own clock reads it. The bands
// are defined here and only here:
//
//	day            Monday to Friday, 07:00 to 18:00
//	evening-weekend Monday to Friday 18:00 to 22:00, Saturday and Sunday 07:00 to 22:00
//	night          every day, 22:00 to 07:00
//
// Hours are real elapsed hours: the night a clock springs forward holds
// 8 hours of night, the night it falls back 10.
type Band int

const (
	Day Band = iota
	EveningWeekend
	Night
	NumBands
)

func (b Band) String() string {
	return [...]string{"day", "evening-weekend", "night"}[b]
}

// Band boundaries on the local clock, in hours.
const (
	dayStart   = 7
	eveningAt  = 18
	nightStart = 22
)

// BandAt is the band the instant t falls in on loc's clock.
func BandAt(t time.Time, loc *time.Location) Band {
	l := t.In(loc)
	return bandOf(l.Weekday(), l.Hour())
}

func bandOf(wd time.Weekday, hour int) Band {
	switch {
	case hour < dayStart || hour >= nightStart:
		return Night
	case wd == time.Saturday || wd == time.Sunday || hour >= eveningAt:
		return EveningWeekend
	}
	return Day
}

// SplitBands is how much of [start, end) falls in each band on loc's clock.
func SplitBands(start, end time.Time, loc *time.Location) [NumBands]time.Duration {
	var out [NumBands]time.Duration
	for t := start; t.Before(end); {
		next := nextBoundary(t, loc)
		if next.After(end) {
			next = end
		}
		out[BandAt(t, loc)] += next.Sub(t)
		t = next
	}
	return out
}

// nextBoundary is the first instant after t at which the band may change:
// 07:00, 18:00, 22:00 or midnight (the weekday changes) on loc's clock.
func nextBoundary(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	for _, h := range []int{dayStart, eveningAt, nightStart, 24} {
		if b := time.Date(y, m, d, h, 0, 0, 0, loc); b.After(t) {
			return b
		}
	}
	// A zone whose midnight is skipped can land here; step an hour.
	return t.Add(time.Hour)
}
