package common

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/views/theme"
)

func rows(n int) []Row {
	out := make([]Row, n)
	for i := range out {
		site := []string{"lyon", "paris"}[i%2]
		out[i] = Row{ID: fmt.Sprint(i), Sites: Sites(site), Cells: []Spec{{Text: fmt.Sprintf("name-%04d", n-i)}, {Text: site, Kind: Muted}}}
	}
	return out
}

func TestListFilterSiteSortAndCursor(t *testing.T) {
	l := NewList(Col{Title: "NAME"}, Col{Title: "SITE", Flex: true})
	l.SetRows(rows(100))
	l.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	if r, _ := l.Selected(); r.ID != "99" {
		t.Fatalf("G: cursor on %q, want 99", r.ID)
	}
	// The cursor stays on its row through a filter that keeps it.
	l.SetFilter("NAME-000")
	if l.Len() != 9 {
		t.Errorf("filter name-000: %d rows, want 9", l.Len())
	}
	if r, _ := l.Selected(); r.ID != "99" {
		t.Errorf("cursor moved to %q through the filter", r.ID)
	}
	l.SetFilter("")
	l.SetSite("lyon")
	if l.Len() != 50 {
		t.Errorf("site lyon: %d rows, want 50", l.Len())
	}
	l.SetSite("")
	l.CycleSort() // by NAME ascending: the last row first
	l.Update(tea.KeyPressMsg{Code: 'g', Text: "g"})
	if r, _ := l.Selected(); r.ID != "99" {
		t.Errorf("sorted by name, first row is %q, want 99", r.ID)
	}
	l.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if r, _ := l.Selected(); r.ID != "96" {
		t.Errorf("wheel down: on %q, want 96 (3 rows down)", r.ID)
	}
}

func TestListDrawsOnlyWhatFitsAndNeverWraps(t *testing.T) {
	st := theme.New(true)
	l := NewList(Col{Title: "NAME", Min: 4}, Col{Title: "SITE", Flex: true})
	rs := rows(10000)
	rs[0].Cells[0].Text = strings.Repeat("very-long-name-", 20) + "\x1b]0;pwned\x07"
	l.SetRows(rs)
	out := ansi.Strip(l.View(st, 40, 10))
	lines := strings.Split(out, "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines for height 10", len(lines))
	}
	for _, line := range lines {
		if ansi.StringWidth(line) > 40 {
			t.Errorf("line wider than 40: %q", line)
		}
	}
	if !strings.Contains(out, "…") || strings.Contains(out, "pwned") {
		t.Errorf("long name must be truncated with an ellipsis and sanitised:\n%s", out)
	}
	// pgdown moves by the rows on screen.
	l.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	if r, _ := l.Selected(); r.ID != "8" {
		t.Errorf("pgdown: on %q, want 8", r.ID)
	}
}

// s picks the column, S flips the direction; the header shows which.
func TestListSortDirection(t *testing.T) {
	st := theme.New(true)
	l := NewList(Col{Title: "NAME"}, Col{Title: "SITE", Flex: true})
	rs := rows(6) // names 0006 (ID 0) down to 0001 (ID 5), sites alternate
	l.SetRows(rs)
	order := func() string {
		var ids []string
		for i := range l.Len() {
			l.cursor = i
			r, _ := l.Selected()
			ids = append(ids, r.ID)
		}
		l.cursor = 0
		return strings.Join(ids, ",")
	}
	header := func() string { return strings.Split(ansi.Strip(l.View(st, 60, 10)), "\n")[0] }
	shift := func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

	// S in the screen's order starts a descending sort by the first column.
	if !l.Update(shift('S')) {
		t.Fatal("S not handled by the list")
	}
	if c, d := l.Sort(); c != 0 || !d {
		t.Fatalf("after S: sort (%d, %v), want (0, true)", c, d)
	}
	if got := order(); got != "0,1,2,3,4,5" {
		t.Errorf("NAME descending: %s", got)
	}
	if h := header(); !strings.Contains(h, "NAME▼") || strings.Contains(h, "▲") {
		t.Errorf("header %q, want NAME▼", h)
	}
	l.Update(shift('S'))
	if got := order(); got != "5,4,3,2,1,0" {
		t.Errorf("NAME ascending: %s", got)
	}
	if h := header(); !strings.Contains(h, "NAME▲") {
		t.Errorf("header %q, want NAME▲", h)
	}
	// The direction stays when s moves to the next column; ties keep the
	// screen's order in both directions (stable).
	l.Update(shift('S'))
	l.Update(shift('s'))
	if got := order(); got != "1,3,5,0,2,4" {
		t.Errorf("SITE descending (paris first, ties in screen order): %s", got)
	}
	if h := header(); !strings.Contains(h, "SITE▼") || strings.Contains(h, "NAME▼") {
		t.Errorf("header %q, want SITE▼ only", h)
	}
	l.Update(shift('S'))
	if got := order(); got != "0,2,4,1,3,5" {
		t.Errorf("SITE ascending: %s", got)
	}
	// The cursor follows its row through a reversal.
	l.Update(shift('G'))
	r, _ := l.Selected()
	l.Update(shift('S'))
	if r2, _ := l.Selected(); r2.ID != r.ID {
		t.Errorf("cursor moved from %s to %s on reverse", r.ID, r2.ID)
	}
	// Past the last column: the screen's order, no arrow.
	l.Update(shift('s'))
	if got := order(); got != "0,1,2,3,4,5" {
		t.Errorf("screen order: %s", got)
	}
	if h := header(); strings.ContainsAny(h, "▲▼") {
		t.Errorf("header %q has an arrow in the screen's order", h)
	}
}

func TestListSortsNumbersAsNumbers(t *testing.T) {
	l := NewList(Col{Title: "NAME"}, Col{Title: "RESTARTS", Flex: true})
	var rs []Row
	for i, n := range []string{"10", "2", "0", "33", "—"} {
		rs = append(rs, Row{ID: fmt.Sprint(i), Cells: []Spec{{Text: fmt.Sprint("job", i)}, {Text: n}}})
	}
	l.SetRows(rs)
	l.CycleSort() // NAME
	l.CycleSort() // RESTARTS
	var got []string
	for _, ri := range l.view {
		got = append(got, l.rows[ri].Cells[1].Text)
	}
	if strings.Join(got, " ") != "0 2 10 33 —" {
		t.Errorf("sorted by RESTARTS: %v, want 0 2 10 33 —", got)
	}
}
