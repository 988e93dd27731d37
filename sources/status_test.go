package sources

import (
	"slices"
	"testing"
)

// One ordering for every screen: critical > warning > maintenance >
// unknown > healthy > none.
func TestStatusRank(t *testing.T) {
	for _, c := range []struct {
		status string
		want   int
	}{
		{"", RankNone},
		{"passing", RankOK}, {"running", RankOK}, {"ready", RankOK}, {"up", RankOK}, {"ok", RankOK},
		{"complete", RankOK}, {"successful", RankOK}, {"stopped", RankOK},
		{"unknown", RankUnknown}, {"stale", RankUnknown}, {"unchecked", RankUnknown}, {"bogus", RankUnknown}, {"dead", RankUnknown},
		{"maintenance", RankMaintenance},
		{"warning", RankWarning}, {"degraded", RankWarning}, {"pending", RankWarning}, {"queued", RankWarning},
		{"blocked", RankWarning}, {"draining", RankWarning}, {"ineligible", RankWarning}, {"paused", RankWarning},
		{"critical", RankCritical}, {"down", RankCritical}, {"failed", RankCritical}, {"lost", RankCritical},
		{"disconnected", RankCritical}, {"unhealthy", RankCritical},
	} {
		if got := StatusRank(c.status); got != c.want {
			t.Errorf("StatusRank(%q) = %d, want %d", c.status, got, c.want)
		}
	}
	words := []string{"passing", "maintenance", "", "critical", "unknown", "warning"}
	slices.SortStableFunc(words, func(a, b string) int { return StatusRank(b) - StatusRank(a) })
	if want := []string{"critical", "warning", "maintenance", "unknown", "passing", ""}; !slices.Equal(words, want) {
		t.Errorf("worst first = %q, want %q", words, want)
	}
	for _, c := range [][3]string{
		{"passing", "warning", "warning"}, {"critical", "warning", "critical"}, {"maintenance", "unknown", "maintenance"},
		{"down", "failed", "down"}, {"", "passing", "passing"},
	} {
		if got := WorseStatus(c[0], c[1]); got != c[2] {
			t.Errorf("WorseStatus(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
