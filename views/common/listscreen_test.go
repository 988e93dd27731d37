package common

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/theme"
)

// An empty list must not read as "nothing is wrong" when the backends
// never answered, and a stale backend is said with its age.
func TestListScreenSaysWhenClusterStateIsUnknown(t *testing.T) {
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	ctx := &Context{Styles: theme.New(true), Now: func() time.Time { return now }, Width: 100, Height: 20}
	s := NewListScreen(ctx, "outages", Col{Title: "WHAT", Flex: true})
	s.Empty = "nothing is down or degraded"
	s.Build = func(*sources.Snapshot) []Row { return nil }

	down := &sources.Snapshot{
		Nomad:  sources.NomadState{Health: sources.Health{Addr: "http://127.0.0.1:9", Err: errors.New("connection refused")}},
		Consul: sources.ConsulState{Health: sources.Health{Addr: "http://127.0.0.1:19", Err: errors.New("connection refused")}},
	}
	s.SetSnapshot(down)
	v := ansi.Strip(s.View())
	for _, want := range []string{"nomad unreachable", "consul unreachable", "state of the cluster is unknown"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "nothing is down") {
		t.Errorf("an unreachable cluster reads as healthy:\n%s", v)
	}

	stale := &sources.Snapshot{
		Nomad:  sources.NomadState{Health: sources.Health{Updated: now.Add(-3 * time.Minute), Err: errors.New("500 Internal Server Error")}},
		Consul: sources.ConsulState{Health: sources.Health{Updated: now}},
	}
	s.SetSnapshot(stale)
	v = ansi.Strip(s.View())
	if !strings.Contains(v, "nomad stale, last data 3m old") || !strings.Contains(v, "nothing is down") {
		t.Errorf("stale view:\n%s", v)
	}

	healthy := &sources.Snapshot{Nomad: sources.NomadState{Health: sources.Health{Updated: now}}, Consul: sources.ConsulState{Health: sources.Health{Updated: now}}}
	s.SetSnapshot(healthy)
	if v := ansi.Strip(s.View()); strings.Contains(v, "unreachable") || strings.Contains(v, "stale") || !strings.Contains(v, "nothing is down") {
		t.Errorf("healthy view:\n%s", v)
	}
}
