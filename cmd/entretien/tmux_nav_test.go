package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
)

// TestTUINavigationOnTheDevCluster runs the real binary in tmux on the
// seeded dev cluster and walks what a member does when something breaks:
// the outages screen, drill into the critical service (guichet), open its
// allocation, read its task's logs live, pause, go back, quit.
func TestTUINavigationOnTheDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	db := seededDB(t)
	s := startTmux(t, 120, 32, []string{"NOMAD_ADDR=" + c.NomadAddr(), "CONSUL_HTTP_ADDR=" + c.ConsulAddr(), "ENTRETIEN_DB=" + db})

	// The outages screen is the default; the seeded incident is about
	// guichet, and who is on call is on top.
	s.waitFor(90*time.Second, "1 outages", "service guichet", "critical", "#1 open", "on call (primary) amelie")
	// Filter live to guichet, then drill down.
	s.keys("/")
	s.keys("g", "u", "i", "c", "h")
	s.waitFor(5*time.Second, "/guich")
	s.keys("Enter")
	s.keys("Enter")
	s.waitFor(10*time.Second, "outages › service guichet", "FAILING CHECK", "lyon")
	// a: the allocation behind the instance, its tasks and events.
	s.keys("a")
	// The TUI now gets here within seconds of the seed: guichet's check is
	// critical as soon as Consul has it, while its allocation may still be
	// starting; the screen follows it from pending to running.
	s.waitFor(60*time.Second, "› alloc ", "Recent task events", "web", "running", "Started")
	// e: the task's stderr, where python's http.server logs the health
	// checks that fail, followed live.
	s.keys("e")
	s.waitFor(30*time.Second, "web stderr", "following", "GET /does-not-exist")
	s.keys("p")
	s.waitFor(5*time.Second, "paused")
	s.keys("Escape")
	s.waitFor(5*time.Second, "Recent task events")
	// Command mode: :nodes shows who hosts each machine.
	s.keys(":")
	s.keys("n", "o", "d", "e", "s", "Enter")
	s.waitFor(5*time.Second, "HOSTED BY", "amelie", "lucas", "chloe")
	s.keys(":")
	s.keys("q", "Enter")
	deadline := time.Now().Add(5 * time.Second)
	for !s.paneDead() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !s.paneDead() {
		t.Fatalf(":q did not quit; screen:\n%s", s.capture())
	}
}

// colourSGR matches an SGR sequence that sets a foreground or background
// colour (30-38, 40-48, 90-97, 100-107), as tmux reports them.
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9]+;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]+)*m`)

// TestNoColorKeepsStatusWords checks that NO_COLOR reaches the renderer
// (colorprofile reads it) and that the screens still say every state in
// words; without NO_COLOR the same screen is coloured (so the check can
// fail).
func TestNoColorKeepsStatusWords(t *testing.T) {
	db := seededDB(t)
	capture := func(noColor bool) string {
		env := []string{"TERM=xterm-256color", "COLORTERM=truecolor", "NOMAD_ADDR=" + deadNomad, "CONSUL_HTTP_ADDR=" + deadConsul, "ENTRETIEN_DB=" + db}
		if noColor {
			env = append(env, "NO_COLOR=1")
		}
		s := startTmux(t, 120, 32, env)
		s.waitFor(10*time.Second, "nomad unreachable", "consul unreachable", "on call (primary) amelie")
		out, err := s.tmux("capture-pane", "-e", "-p", "-t", s.name).CombinedOutput()
		if err != nil {
			t.Fatalf("capture-pane -e: %v\n%s", err, out)
		}
		return string(out)
	}
	plain := capture(true)
	if m := colourSGR.FindString(plain); m != "" {
		t.Errorf("NO_COLOR=1 but the screen has colour %q:\n%q", m, plain)
	}
	for _, want := range []string{"unreachable", "outages"} {
		if !strings.Contains(plain, want) {
			t.Errorf("NO_COLOR screen lacks %q", want)
		}
	}
	if coloured := capture(false); !colourSGR.MatchString(coloured) {
		t.Errorf("without NO_COLOR the screen should be coloured:\n%q", coloured)
	}
}
