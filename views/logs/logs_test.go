package logs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// harness runs a logs screen on the fake cluster: feed writes to the task's
// stdout and hands the chunk to the model through its own read command, as
// the program would.
type harness struct {
	t   *testing.T
	m   *Model
	cl  *fixture.Cluster
	cmd tea.Cmd
}

func newHarness(t *testing.T, height int) *harness {
	t.Helper()
	cl := fixture.NewCluster(fixture.Snapshot())
	ctx := &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 100, Height: height, Cluster: cl}
	m := New(ctx, fixture.GuichetAlloc, "web", "stdout")
	h := &harness{t: t, m: m, cl: cl, cmd: m.Init()}
	t.Cleanup(m.Close)
	return h
}

func (h *harness) feed(data string) {
	h.t.Helper()
	h.cl.Log(fixture.GuichetAlloc, "web", "stdout", data)
	var s common.Screen
	s, h.cmd = h.m.Update(h.cmd())
	if s != h.m || h.cmd == nil {
		h.t.Fatal("the screen must re-arm its read after a chunk")
	}
}

func (h *harness) key(k string) {
	r := []rune(k)[0]
	h.m.Update(tea.KeyPressMsg{Code: r, Text: k})
}

// frame is the screen without styles: the header, then the lines.
func (h *harness) frame() (head string, body []string) {
	lines := strings.Split(ansi.Strip(h.m.View()), "\n")
	return lines[0], lines[1:]
}

func TestFilterShowsMatchingLinesLiveAndClears(t *testing.T) {
	h := newHarness(t, 11) // 10 log lines on screen
	h.feed("GET /health 200\nGET /health 404\nerror: disk full\nGET / 200\nERROR again\npart")
	h.m.SetFilter("  Error ") // as typed: trimmed, case-insensitive
	head, body := h.frame()
	if !strings.Contains(head, "filter: Error · 2 of 6 lines") || !strings.Contains(head, "following") {
		t.Errorf("header %q", head)
	}
	if want := []string{"error: disk full", "ERROR again"}; strings.Join(body, "|") != strings.Join(want, "|") {
		t.Errorf("filtered body %q, want %q", body, want)
	}
	// Lines keep arriving while following: matching ones show, the
	// unfinished line shows once it matches.
	h.feed("ial line\nan error in a partial ")
	h.feed("still coming")
	head, body = h.frame()
	if want := "error: disk full|ERROR again|an error in a partial still coming"; strings.Join(body, "|") != want {
		t.Errorf("body after new lines %q, want %q", body, want)
	}
	if !strings.Contains(head, "3 of 7 lines") {
		t.Errorf("header %q, want 3 of 7 lines", head)
	}
	// No match: say so, and how to get out.
	h.m.SetFilter("nothing like it")
	head, body = h.frame()
	if !strings.Contains(head, "0 of 7 lines") || len(body) != 1 || !strings.Contains(body[0], "esc clears the filter") {
		t.Errorf("no match: %q %q", head, body)
	}
	// "" (what esc sends through the root) shows every line again.
	h.m.SetFilter("")
	head, body = h.frame()
	if strings.Contains(head, "filter") || !strings.Contains(head, "lines 1-7 of 7") || len(body) != 7 {
		t.Errorf("cleared: %q %q", head, body)
	}
	var _ common.Filterable = h.m
}

func TestFilterWithPauseAndScroll(t *testing.T) {
	h := newHarness(t, 4) // 3 log lines on screen
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "line %02d %s\n", i, map[bool]string{true: "WARN", false: "info"}[i%2 == 0])
	}
	h.feed(b.String())
	h.m.SetFilter("warn") // lines 00, 02 … 18: 10 of them
	h.key("p")
	head, body := h.frame()
	if !strings.Contains(head, "paused") || !strings.Contains(head, "10 of 20 lines · showing 8-10") {
		t.Errorf("paused at the end: %q", head)
	}
	h.key("g") // oldest
	h.key("j")
	_, body = h.frame()
	if want := "line 02 WARN|line 04 WARN|line 06 WARN"; strings.Join(body, "|") != want {
		t.Errorf("scrolled filtered view %q, want %q", body, want)
	}
	// Only matching lines count as new while paused; the view stays put.
	h.feed("line 20 WARN\nline 21 info\nline 22 warn\n")
	head, body = h.frame()
	if !strings.Contains(head, "(2 new lines, G follows)") || body[0] != "line 02 WARN" {
		t.Errorf("paused with new lines: %q %q", head, body)
	}
	// Clearing the filter keeps the first line drawn in place (less's &).
	h.m.SetFilter("")
	head, body = h.frame()
	if body[0] != "line 02 WARN" || !strings.Contains(head, "paused") || !strings.Contains(head, "lines 3-5 of 23") {
		t.Errorf("unfiltered while paused: %q %q", head, body)
	}
	if !strings.Contains(head, "(3 new lines") {
		t.Errorf("unfiltered, every line since the pause is new: %q", head)
	}
	// And a narrower filter goes to the next match at or after it.
	h.m.SetFilter("line 1")
	_, body = h.frame()
	if body[0] != "line 10 WARN" {
		t.Errorf("refiltered from line 02: first drawn %q, want line 10 WARN", body[0])
	}
	// Scrolling down to the end follows again.
	for range 20 {
		h.key("j")
	}
	head, body = h.frame()
	if !strings.Contains(head, "following") || body[len(body)-1] != "line 19 info" {
		t.Errorf("scrolled to the end: %q %q", head, body)
	}
}

// Past MaxLines the oldest lines go, and their matches with them.
func TestFilterKeepsUpWithDroppedLines(t *testing.T) {
	h := newHarness(t, 5)
	h.m.SetFilter("x")
	var b strings.Builder
	for i := range MaxLines + 300 {
		if i%3 == 0 {
			fmt.Fprintf(&b, "%d x\n", i)
		} else {
			fmt.Fprintf(&b, "%d y\n", i)
		}
	}
	h.feed(b.String())
	if len(h.m.lines) != MaxLines || h.m.first != 300 {
		t.Fatalf("kept %d lines from %d", len(h.m.lines), h.m.first)
	}
	want := 0
	for i := 300; i < MaxLines+300; i++ {
		if i%3 == 0 {
			want++
		}
	}
	if h.m.shownLen() != want {
		t.Errorf("%d shown, want %d", h.m.shownLen(), want)
	}
	for i := range h.m.shownLen() {
		if l := h.m.shown(i); !strings.HasSuffix(l, " x") {
			t.Fatalf("shown line %d is %q", i, l)
		}
	}
	if first := h.m.shown(0); first != "300 x" {
		t.Errorf("oldest match %q, want 300 x", first)
	}
}

func TestLongLinesScrollSideways(t *testing.T) {
	h := newHarness(t, 5) // width 100
	long := strings.Repeat("a", 90) + "|" + strings.Repeat("b", 60) + "END"
	h.feed("short\n" + long + "\n")
	_, body := h.frame()
	if w := ansi.StringWidth(body[1]); w != 100 || !strings.HasSuffix(body[1], "…") || strings.Contains(body[1], "END") {
		t.Fatalf("long line drawn %q (width %d), want cut at 100 with …", body[1], w)
	}
	h.key("l") // half a screen right
	head, body := h.frame()
	if !strings.Contains(head, "from column 51") || !strings.HasPrefix(body[1], strings.Repeat("a", 40)+"|") || body[0] != "" {
		t.Fatalf("after l: head %q, body %q", head, body)
	}
	h.key("l") // as far as the longest line needs, no further
	h.key("l")
	_, body = h.frame()
	if !strings.HasSuffix(body[1], "END") || strings.HasSuffix(body[1], "…") {
		t.Fatalf("scrolled to the end: %q", body[1])
	}
	h.key("h")
	h.key("0")
	head, body = h.frame()
	if strings.Contains(head, "column") || body[0] != "short" {
		t.Fatalf("after 0: head %q, body %q", head, body)
	}
}
