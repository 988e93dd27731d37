package tui

import "testing"

// S reaches the list through the root and flips the arrow in the header.
func TestSortReverseThroughTheRoot(t *testing.T) {
	tm, _, _ := newFixtureModel(t, 100, 30)
	tm.wait("service guichet")
	walk(t, tm, []step{
		{"5", []string{"HEALTH"}},
		{"s", []string{"SERVICE▲"}},
		{"S", []string{"SERVICE▼"}},
		{"s", []string{"STATUS▼"}},
		{"S", []string{"STATUS▲"}},
	})
}
