package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestEveryScreenOnTheSeededDevCluster walks every cluster screen on real
// Nomad and Consul agents. Data varies (IDs, ages), so it asserts content:
// the seeded faults where they belong, task events and live logs from the
// real fs API, then a filter and a resize to 80x24.
// pokeMsg means nothing to any screen; it only makes the probe render.
type pokeMsg struct{}

func TestEveryScreenOnTheSeededDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	w, st, me := seededCluster(t, true)
	p := &probe{Model: New(Options{Source: w, Store: st, Me: me}), t: t}
	p.TestModel = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(130, 34),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	wait := func(d time.Duration, wants ...string) string {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			var s string
			if v := p.last.Load(); v != nil {
				s = *v
			}
			ok := true
			for _, w := range wants {
				ok = ok && strings.Contains(s, w)
			}
			if ok {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %q; frame:\n%s", wants, s)
			}
			// The probe renders on messages: poke it so it sees the
			// latest snapshot even when nothing else happens.
			p.Send(pokeMsg{})
			time.Sleep(100 * time.Millisecond)
		}
	}
	command := func(cmd string) {
		press(p, ":")
		for _, r := range cmd {
			p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		press(p, "enter")
	}

	// Services → guichet → its instance (checks with output, node, alloc).
	command("services")
	wait(30*time.Second, "garage", "guichet", "critical", "passing")
	press(p, "/")
	for _, r := range "guich" {
		p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	press(p, "enter")
	wait(5*time.Second, "filter /guich", "1/1 (of ")
	press(p, "enter")
	wait(30*time.Second, "services › service guichet", "lyon", "404", "127.0.0.1:")
	press(p, "enter")
	wait(5*time.Second, "check", "critical", "allocation", "node", "hosted by lucas")
	press(p, "esc")
	// Its allocation: task events from Nomad, then the live logs. The
	// health check hits python's http.server, which logs to stderr.
	press(p, "a")
	wait(10*time.Second, "Recent task events", "Started", "web", "running")
	press(p, "e")
	wait(30*time.Second, "web stderr", "following", "does-not-exist")
	press(p, "p")
	wait(5*time.Second, "paused")
	press(p, "esc")
	wait(5*time.Second, "Recent task events")

	// Nodes, with who hosts each machine, and one node's detail.
	command("nodes")
	wait(5*time.Second, "bruxelles", "lyon", "paris", "ready", "amelie", "lucas", "chloe")
	press(p, "enter")
	wait(5*time.Second, "hosted by", "meta ", "hosted_by=")
	// Jobs → backup → its failed allocations.
	command("jobs")
	wait(5*time.Second, "garage", "guichet", "backup", "failed")
	press(p, "/")
	p.Type("backup")
	press(p, "enter", "enter")
	wait(5*time.Second, "jobs › job backup", "failed", "RESTARTS")
	// Deployments of the service jobs.
	command("deploys")
	wait(10*time.Second, "deploy v0", "garage", "guichet", "healthy")
	// The outages screen: the seeded faults, with the on-call member and
	// the seeded incident about guichet.
	command("outages")
	wait(60*time.Second, "service guichet", "critical", "job backup", "on call (primary) amelie", "#1")
	// 80x24: every screen stays inside.
	p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	wait(5*time.Second, "1 outages  2 3")
	fm := p.final()
	for i := range fm.tabs {
		fm.active = i
		checkFrame(t, stripView(fm), 80, 24)
	}
}
