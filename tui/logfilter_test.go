package tui

import (
	"strings"
	"testing"

	"codeberg.org/entretien/entretien/internal/fixture"
)

// `/` on the logs screen goes through the root's prompt to the screen's
// SetFilter: only matching lines, new ones included; esc clears, then
// esc goes back.
func TestLogsFilterThroughTheRoot(t *testing.T) {
	tm, cl, _ := newFixtureModel(t, 100, 30)
	tm.wait("service guichet")
	walk(t, tm, []step{
		{"enter", []string{"FAILING CHECK"}},
		{"a", []string{"Recent task events"}},
		{"enter", []string{"› web stdout", "following"}},
	})
	cl.Log(fixture.GuichetAlloc, "web", "stdout", "GET /health 200\nGET /health 404\nerror: disk full\n")
	tm.wait("lines 1-3 of 3")
	walk(t, tm, []step{{"/", []string{"/█"}}})
	press(tm, "E", "r", "r")
	tm.wait("filter: Err · 1 of 3 lines")
	walk(t, tm, []step{{"enter", []string{"filter /Err"}}})
	cl.Log(fixture.GuichetAlloc, "web", "stdout", "GET / 200\nanother ERROR\n")
	frame := tm.wait("2 of 5 lines", "another ERROR")
	if strings.Contains(frame, "GET /health") {
		t.Errorf("non-matching lines shown under the filter:\n%s", frame)
	}
	walk(t, tm, []step{
		{"esc", []string{"lines 1-5 of 5", "GET /health 404"}},
		{"esc", []string{"Recent task events"}},
	})
	// The allocation screen filters its task events the same way.
	walk(t, tm, []step{{"/", []string{"/█"}}})
	press(tm, "s", "e", "t", "u", "p")
	frame = tm.wait("filter: setup · 1 of 3", "Building Task Directory")
	if strings.Contains(frame, "Task received by client") {
		t.Errorf("task events not filtered:\n%s", frame)
	}
}
