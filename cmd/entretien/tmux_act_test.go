package main

import (
	"context"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
)

// TestTUIActsOnTheDevCluster runs the real binary in tmux on the seeded dev
// cluster: outage → n → the incident → restart a live backup allocation
// (confirmed with y) → the action entry in the incident's timeline; then x
// runs echo in a garage task, the TUI suspended while it runs and restored
// after it.
func TestTUIActsOnTheDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	nc, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if err != nil {
		t.Fatal(err)
	}
	db := seededDB(t)
	s := startTmux(t, 150, 40, []string{"NOMAD_ADDR=" + c.NomadAddr(), "CONSUL_HTTP_ADDR=" + c.ConsulAddr(), "ENTRETIEN_DB=" + db})
	typeText := func(text string) {
		for _, r := range text {
			s.keys("-l", string(r))
		}
	}
	filter := func(q string) {
		s.keys("/")
		typeText(q)
		s.waitFor(5*time.Second, "/"+q)
		s.keys("Enter")
	}

	s.waitFor(90*time.Second, "job backup", "failed", "nomad ok")
	filter("backup")
	s.keys("n")
	s.waitFor(10*time.Second, "prefilled from the outage: job backup failed", "job/backup")
	s.keys("Enter")
	s.waitFor(10*time.Second, "› #", "job backup failed in paris")
	s.keys("Escape")
	s.waitFor(5*time.Second, "1/1")
	s.keys("Enter") // the backup job's allocations
	s.waitFor(10*time.Second, "job backup", "ALLOC")

	// Restart the newest live backup allocation; it is live only a few
	// seconds between failures, so an attempt Nomad refuses is retried.
	var short string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no restart accepted; screen:\n%s", s.capture())
		}
		id, ok := liveAlloc(nc, "backup")
		if !ok {
			time.Sleep(300 * time.Millisecond)
			continue
		}
		short = id[:8]
		filter(short)
		s.keys("Enter")
		if !seen(s, 10*time.Second, id, "Recent task events") {
			// The allocation failed and went while it opened (it lives a
			// few seconds): try the next one.
			t.Logf("allocation %s did not open; screen:\n%s", short, s.capture())
			s.keys("Escape")
			time.Sleep(time.Second)
			continue
		}
		s.keys("R")
		s.waitFor(5*time.Second, "restart allocation "+short+" of backup on paris? type y")
		s.keys("y")
		screen := waitAny(t, s, 30*time.Second, "restart accepted", "failed:")
		if strings.Contains(screen, "restart accepted") {
			s.waitFor(10*time.Second, "timeline")
			break
		}
		s.keys("Escape")
		time.Sleep(200 * time.Millisecond)
		s.keys("Escape")
		time.Sleep(time.Second)
	}
	// The journal: the new incident's timeline has the action entry.
	s.keys("8")
	filter("job backup failed")
	s.keys("Enter")
	s.waitFor(10*time.Second, "restart allocation "+short+" of backup on paris: restart accepted")

	// x in a garage task: echo runs while the TUI is suspended, which comes
	// back with the exit code.
	s.keys("4")
	filter("garage")
	s.keys("Enter")
	s.waitFor(10*time.Second, "job garage", "ALLOC")
	s.keys("Enter")
	s.waitFor(10*time.Second, "Recent task events", "web")
	s.keys("x")
	s.waitFor(5*time.Second, "command to run in task web", "/bin/sh")
	s.keys("C-u")
	typeText("echo hello-from-exec")
	s.keys("Enter")
	s.waitFor(5*time.Second, "exec echo hello-from-exec in task web of allocation", "type y")
	s.keys("y")
	s.waitFor(30*time.Second, "exit code 0", "Recent task events", "you: amelie")
	// One q quits: the first key after the exec is read (a read of the
	// terminal left in flight by the exec's stdin, then a restarted renderer
	// that drew nothing more, made it look lost; views/common's
	// TestFirstKeyAfterExecIsRead and third_party/bubbletea's
	// TestRendererDrawsAfterExec test them).
	s.keys("q")
	for end := time.Now().Add(5 * time.Second); !s.paneDead() && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
	}
	if !s.paneDead() {
		t.Fatalf("q did not quit after exec; screen:\n%s", s.capture())
	}
	// What echo wrote went to the terminal's main screen, under the TUI.
	out, _ := s.tmux("capture-pane", "-p", "-S", "-200", "-t", s.name).Output()
	if !strings.Contains(string(out), "hello-from-exec") {
		t.Errorf("echo's output is not in the terminal:\n%s", out)
	}
}

// waitAny polls the pane until it holds one of wants.
// seen reports whether every want shows on screen within d.
func seen(s *tmuxSession, d time.Duration, wants ...string) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		screen, all := s.capture(), true
		for _, w := range wants {
			all = all && strings.Contains(screen, w)
		}
		if all {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

func waitAny(t *testing.T, s *tmuxSession, d time.Duration, wants ...string) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		screen := s.capture()
		for _, w := range wants {
			if strings.Contains(screen, w) {
				return screen
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for one of %q; screen:\n%s", wants, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// liveAlloc is the newest allocation of job that is running or pending.
func liveAlloc(nc *nomadapi.Client, job string) (string, bool) {
	as, _, err := nc.Jobs().Allocations(job, false, nil)
	if err != nil {
		return "", false
	}
	var id string
	var newest int64
	for _, a := range as {
		if a.DesiredStatus == "run" && (a.ClientStatus == "running" || a.ClientStatus == "pending") && a.CreateTime > newest {
			id, newest = a.ID, a.CreateTime
		}
	}
	return id, id != ""
}
