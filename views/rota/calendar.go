package rota

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// Calendar cells, one per day; the words in the legend carry the meaning,
// colour only reinforces it.
const (
	cellOff      = "·"
	cellOnCall   = "#"
	cellCover    = "+" // on call for someone else
	cellLeave    = "L"
	cellConflict = "!" // on call while on leave or unavailable
	cellGap      = "!"
)

// calendar draws, for the coming weeks, one row per member and one gap row
// per rotation, a cell per day in the viewer's zone.
func (m *Model) calendar(loc *time.Location) []string {
	st := m.ctx.Styles
	d := m.data
	n := days
	if w := m.ctx.Width; w > 0 {
		n = min(n, max((w-16)*7/8, 7))
	}
	day := func(i int) (time.Time, time.Time) {
		y, mo, dd := d.from.In(loc).Date()
		return time.Date(y, mo, dd+i, 0, 0, 0, 0, loc), time.Date(y, mo, dd+i+1, 0, 0, 0, 0, loc)
	}
	overlaps := func(a, b, s, e time.Time) bool { return a.Before(e) && s.Before(b) }
	lines := []string{st.Section.Render("Calendar") + st.Muted.Render("  coming shifts per member, days in "+loc.String())}
	// Header: the date at each week's start.
	var hdr strings.Builder
	hdr.WriteString(padRight("", 14))
	for i := 0; i < n; i += 7 {
		a, _ := day(i)
		hdr.WriteString(padRight(a.Format("02 Jan"), 8))
	}
	lines = append(lines, st.Muted.Render(strings.TrimRight(hdr.String(), " ")))
	row := func(label string, cell func(a, b time.Time) (string, lipgloss.Style)) string {
		var b strings.Builder
		b.WriteString(padRight(sanitize.Line(label), 14))
		for i := 0; i < n; i++ {
			if i > 0 && i%7 == 0 {
				b.WriteString(" ")
			}
			a, e := day(i)
			c, s := cell(a, e)
			b.WriteString(s.Render(c))
		}
		return b.String()
	}
	for _, mem := range d.members {
		h := mem.Handle
		lines = append(lines, row(h, func(a, b time.Time) (string, lipgloss.Style) {
			onCall, cover, conflict, leave := false, false, false, false
			for _, rs := range d.sched {
				for _, sh := range rs.Shifts {
					if sh.Member == h && overlaps(a, b, sh.Start, sh.End) {
						onCall, cover = true, cover || sh.Covers != ""
					}
				}
				for _, c := range rs.Conflicts {
					if c.Member == h && overlaps(a, b, c.Start, c.End) && c.Kind == oncall.ConflictLeave {
						conflict = true
					}
				}
			}
			for _, l := range d.leaves {
				if l.Member == h && overlaps(a, b, l.Start, l.End) {
					leave = true
				}
			}
			switch {
			case conflict:
				return cellConflict, st.Crit
			case leave:
				return cellLeave, st.Warn
			case cover:
				return cellCover, st.Info
			case onCall:
				return cellOnCall, st.OK
			}
			return cellOff, st.Muted
		}))
	}
	for _, rs := range d.sched {
		rs := rs
		lines = append(lines, row("gaps "+rs.Rotation.Name, func(a, b time.Time) (string, lipgloss.Style) {
			for _, g := range rs.Gaps {
				if overlaps(a, b, g.Start, g.End) {
					return cellGap, st.Crit
				}
			}
			return " ", st.Muted
		}))
	}
	lines = append(lines, st.Muted.Render("# on call  + covering  L leave  ! on call while on leave / uncovered gap  · off"))
	return lines
}
