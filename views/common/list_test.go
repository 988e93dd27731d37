package common

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"entretien/views/theme"
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
