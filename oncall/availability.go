package oncall

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Window is a weekly stretch when a member can be reached, on the clock of
// the member's own zone: on the Days of the week, from Start to End
// ("HH:MM"). End <= Start crosses midnight; Start == End is the whole day.
// A member with no windows is always available.
type Window struct {
	Days       uint8 // bit i = time.Weekday(i): Sunday is bit 0
	Start, End string
}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

var dayAliases = map[string]uint8{"daily": 0x7f, "weekdays": 0x3e, "weekends": 0x41}

// ParseWindow reads "DAYS [HH:MM-HH:MM]": DAYS is daily, weekdays, weekends,
// a day (mon), a span (mon-fri, fri-mon) or a comma list of those; no clock
// means all day. "Not nights" is "daily 08:00-22:00", "weekends only" is
// "weekends".
func ParseWindow(s string) (Window, error) {
	const field = "member.availability"
	fields := strings.Fields(strings.ToLower(s))
	if len(fields) == 0 || len(fields) > 2 {
		return Window{}, Invalid(field, s, "want DAYS [HH:MM-HH:MM], e.g. \"daily 08:00-22:00\" or \"weekends\"")
	}
	var w Window
	for _, part := range strings.Split(fields[0], ",") {
		if m, ok := dayAliases[part]; ok {
			w.Days |= m
			continue
		}
		a, b, span := strings.Cut(part, "-")
		da, db := dayIndex(a), dayIndex(b)
		if da < 0 || (span && db < 0) {
			return Window{}, Invalid(field, s, fmt.Sprintf("unknown days %q (want daily, weekdays, weekends, mon..sun, mon-fri)", part))
		}
		if !span {
			db = da
		}
		for d := da; ; d = (d + 1) % 7 {
			w.Days |= 1 << d
			if d == db {
				break
			}
		}
	}
	w.Start, w.End = "00:00", "00:00"
	if len(fields) == 2 {
		a, b, ok := strings.Cut(fields[1], "-")
		if !ok || !handoffRE().MatchString(a) || !handoffRE().MatchString(b) {
			return Window{}, Invalid(field, s, "clock must be HH:MM-HH:MM (00:00 to 23:59)")
		}
		w.Start, w.End = a, b
	}
	return w, nil
}

// ParseWindows reads windows separated by ";" (the TUI's one-line form of
// them); blank text is no window: always available.
func ParseWindows(s string) ([]Window, error) {
	var ws []Window
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		w, err := ParseWindow(part)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// WindowsText is the ParseWindows text of ws ("" for always available).
func WindowsText(ws []Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return strings.Join(parts, "; ")
}

func dayIndex(s string) int {
	for i, n := range dayNames {
		if s == n {
			return i
		}
	}
	return -1
}

// String is the canonical ParseWindow text.
func (w Window) String() string {
	var days string
	switch w.Days {
	case 0x7f:
		days = "daily"
	case 0x3e:
		days = "weekdays"
	case 0x41:
		days = "weekends"
	default:
		var ds []string
		for i, n := range dayNames {
			if w.Days&(1<<i) != 0 {
				ds = append(ds, n)
			}
		}
		days = strings.Join(ds, ",")
	}
	if w.Start == w.End && w.Start == "00:00" {
		return days
	}
	return days + " " + w.Start + "-" + w.End
}

func (w Window) Validate() error {
	if w.Days == 0 || w.Days > 0x7f {
		return Invalid("member.availability", strconv.Itoa(int(w.Days)), "no days")
	}
	if !handoffRE().MatchString(w.Start) || !handoffRE().MatchString(w.End) {
		return Invalid("member.availability", w.Start+"-"+w.End, "clock must be HH:MM-HH:MM")
	}
	return nil
}

func hm(s string) (int, int) {
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	return h, m
}

// Unavailable is the part of [from, to) outside every window, on loc's
// clock; nil when ws is empty (always available).
func Unavailable(ws []Window, loc *time.Location, from, to time.Time) []Range {
	if len(ws) == 0 || !from.Before(to) {
		return nil
	}
	// Windows that start the day before may run into from.
	var avail []Range
	l := from.In(loc)
	y, mo, d := l.Date()
	for day := -1; ; day++ {
		dayStart := LocalInstant(y, mo, d+day, 0, 0, loc)
		if !dayStart.Before(to) {
			break
		}
		wd := time.Date(y, mo, d+day, 12, 0, 0, 0, time.UTC).Weekday()
		for _, w := range ws {
			if w.Days&(1<<uint(wd)) == 0 {
				continue
			}
			sh, sm := hm(w.Start)
			eh, em := hm(w.End)
			a := LocalInstant(y, mo, d+day, sh, sm, loc)
			ed := d + day
			if w.End <= w.Start {
				ed++
			}
			avail = append(avail, Range{Start: a, End: LocalInstant(y, mo, ed, eh, em, loc)})
		}
	}
	sort.Slice(avail, func(i, j int) bool { return avail[i].Start.Before(avail[j].Start) })
	var out []Range
	t := from
	for _, a := range avail {
		if !a.End.After(t) {
			continue
		}
		if !a.Start.Before(to) {
			break
		}
		if a.Start.After(t) {
			out = append(out, Range{Start: t, End: a.Start})
		}
		t = a.End
		if !t.Before(to) {
			break
		}
	}
	if t.Before(to) {
		out = append(out, Range{Start: t, End: to})
	}
	return out
}
