package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
)

// tmuxSession runs the real binary in a real terminal (tmux), so keys,
// the alternate screen and resizing go through a terminal emulator.
type tmuxSession struct {
	t    *testing.T
	name string
}

func startTmux(t *testing.T, w, h int, env []string, args ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the end-to-end tests (apt-get install tmux; .ci/run installs it)")
	}
	s := &tmuxSession{t: t, name: fmt.Sprintf("entretien-test-%d", time.Now().UnixNano())}
	cmdline := append([]string{"env"}, env...)
	cmdline = append(cmdline, bin)
	cmdline = append(cmdline, args...)
	tmuxArgs := append([]string{"new-session", "-d", "-s", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)}, cmdline...)
	if out, err := s.tmux(tmuxArgs...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	// Keep the pane after exit so a crash can be read.
	s.tmux("set-option", "-t", s.name, "remain-on-exit", "on").Run()
	t.Cleanup(func() { s.tmux("kill-server").Run() })
	return s
}

// tmux runs a tmux command on the session's own server (-L): tests in
// parallel, or another tmux user on the machine, never share one, so one
// server exiting with its last session cannot take another test's along.
func (s *tmuxSession) tmux(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", s.name}, args...)...)
}

func (s *tmuxSession) capture() string {
	out, err := s.tmux("capture-pane", "-p", "-t", s.name).CombinedOutput()
	if err != nil {
		return "capture-pane: " + err.Error() + ": " + string(out)
	}
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys %v: %v\n%s", keys, err, out)
	}
}

// waitFor polls the pane until every want is on screen.
func (s *tmuxSession) waitFor(timeout time.Duration, wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.capture()
		ok := true
		for _, w := range wants {
			if !strings.Contains(screen, w) {
				ok = false
				break
			}
		}
		if ok {
			return screen
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("timed out after %s waiting for %q; screen:\n%s", timeout, wants, screen)
	return ""
}

func (s *tmuxSession) paneDead() bool {
	out, _ := s.tmux("display-message", "-p", "-t", s.name, "#{pane_dead}").Output()
	return strings.TrimSpace(string(out)) == "1"
}

func TestTUIWithBackendsDown(t *testing.T) {
	db := seededDB(t)
	s := startTmux(t, 120, 32, []string{"NOMAD_ADDR=" + deadNomad, "CONSUL_HTTP_ADDR=" + deadConsul, "ENTRETIEN_DB=" + db})
	s.waitFor(10*time.Second, "nomad unreachable", deadNomad, "consul unreachable", deadConsul, "on call (primary) amelie")
	s.keys("2") // the overview
	s.waitFor(10*time.Second, "now amelie", "guichet")
	s.keys("q")
	deadline := time.Now().Add(5 * time.Second)
	for !s.paneDead() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !s.paneDead() {
		t.Fatalf("q did not quit; screen:\n%s", s.capture())
	}
}

func TestTUIOnTheDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	db := seededDB(t)
	s := startTmux(t, 120, 32, []string{"NOMAD_ADDR=" + c.NomadAddr(), "CONSUL_HTTP_ADDR=" + c.ConsulAddr(), "ENTRETIEN_DB=" + db})
	// The overview follows the cluster live: the seeded checks turn
	// critical and the backup job's allocations fail while we watch.
	s.waitFor(10*time.Second, "1 outages")
	s.keys("2")
	screen := s.waitFor(90*time.Second, "bruxelles", "lyon", "paris", "critical", "failed", "nomad ok", "consul ok", "you: amelie")
	for _, want := range []string{"amelie", "lucas", "chloe", "now amelie"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	s.keys("7")
	s.waitFor(5*time.Second, "coming shifts")
	s.keys("8")
	s.waitFor(5*time.Second, "guichet health check failing in lyon", "observation")
	s.keys("?")
	s.waitFor(5*time.Second, "quit")
	// Two separate sends: ESC followed at once by q reads as alt+q.
	s.keys("Escape")
	s.waitFor(5*time.Second, "observation")
	s.keys("q")
	deadline := time.Now().Add(5 * time.Second)
	for !s.paneDead() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !s.paneDead() {
		t.Fatalf("q did not quit; screen:\n%s", s.capture())
	}
}
