package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// TestActOnTheDevCluster drives the real TUI in-process on real Nomad and
// Consul agents with the real watcher as the Actor: n on the backup outage
// opens an incident with its affects prefilled; on the allocation screen
// of a live backup allocation, R (then y) restarts it and ctrl+k (then y)
// stops it; both are action entries of the new incident's timeline, the
// stop with the evaluation Nomad created.
func TestActOnTheDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	w, st, me := seededCluster(t, true)
	p := &probe{Model: New(Options{Source: w, Store: st, Me: me}), t: t}
	p.TestModel = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(140, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	t.Cleanup(func() { p.Quit() })
	if p.ctx.Actor == nil {
		t.Fatal("the watcher is not the root's Actor")
	}
	// waitAny polls (poking the probe to draw) until the frame holds one
	// of wants, and returns it.
	waitAny := func(d time.Duration, wants ...string) string {
		t.Helper()
		deadline := time.Now().Add(d)
		var s string
		for {
			if v := p.last.Load(); v != nil {
				s = *v
			}
			for _, w := range wants {
				if strings.Contains(s, w) {
					return s
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for one of %q; frame:\n%s", wants, s)
			}
			p.Send(pokeMsg{})
			time.Sleep(100 * time.Millisecond)
		}
	}
	wait := func(d time.Duration, wants ...string) {
		t.Helper()
		for _, w := range wants {
			waitAny(d, w)
		}
	}
	filter := func(q string) {
		press(p, "/")
		for _, r := range q {
			p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		press(p, "enter")
	}

	wait(90*time.Second, "job backup", "failed")
	filter("backup")
	wait(5*time.Second, "1/1")
	press(p, "n")
	wait(10*time.Second, "prefilled from the outage: job backup failed", "job backup failed in paris", "job/backup")
	press(p, "enter")
	wait(10*time.Second, "› #", "job backup failed in paris")
	ctx := context.Background()
	var inc oncall.Incident
	ins, err := st.Incidents(ctx, oncall.IncidentFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		if in.Title == "job backup failed in paris" {
			inc = in
		}
	}
	if inc.ID == 0 || len(inc.Affects) != 1 || inc.Affects[0] != "job/backup" || inc.OpenedBy != "amelie" {
		t.Fatalf("the new incident: %+v (open: %+v)", inc, ins)
	}
	press(p, "esc")   // back to the outages
	press(p, "enter") // the backup job's allocations
	wait(10*time.Second, "job backup", "ALLOC")

	// A backup allocation is live for a few seconds between its failures:
	// open the newest live one and restart it; Nomad may refuse when it
	// just failed (that attempt is recorded too), so try again.
	var short string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no restart of a backup allocation was accepted")
		}
		a, ok := liveBackup(w.Snapshot())
		if !ok {
			time.Sleep(300 * time.Millisecond)
			continue
		}
		short = common.ShortID(a.ID)
		filter(short)
		press(p, "enter")
		wait(10*time.Second, a.ID, "Recent task events")
		press(p, "R")
		wait(5*time.Second, "restart allocation "+short+" of backup on paris? type y")
		press(p, "y")
		frame := waitAny(30*time.Second, "restart accepted", "failed:")
		if strings.Contains(frame, "restart accepted") {
			wait(10*time.Second, "timeline")
			break
		}
		press(p, "esc") // the allocation screen
		press(p, "esc") // the filter
		time.Sleep(time.Second)
	}
	// ctrl+k on the same allocation stops it: Nomad answers with an
	// evaluation (it places a replacement).
	p.Send(tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl})
	wait(5*time.Second, "stop allocation "+short+" of backup on paris (Nomad reschedules it)? type y")
	press(p, "y")
	frame := waitAny(30*time.Second, "stop accepted", "failed:")
	if !strings.Contains(frame, "stop accepted") {
		t.Fatalf("stop not accepted:\n%s", frame)
	}
	wait(10*time.Second, "timeline")

	es, err := st.Entries(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	evalRE := regexp.MustCompile(`evaluation [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	var restarted, stopped bool
	for _, e := range es {
		if e.Kind != oncall.KindAction || e.Author != "amelie" {
			continue
		}
		restarted = restarted || strings.HasPrefix(e.Text, "restart allocation "+short+" of backup on paris: restart accepted")
		stopped = stopped || (strings.HasPrefix(e.Text, "stop allocation "+short+" of backup on paris") && evalRE.MatchString(e.Text))
	}
	if !restarted || !stopped {
		t.Fatalf("the timeline of #%d lacks the restart (%v) or the stop with its evaluation (%v): %+v", inc.ID, restarted, stopped, es)
	}
}

// liveBackup is the newest backup allocation not yet terminal.
func liveBackup(s *sources.Snapshot) (sources.Alloc, bool) {
	var best sources.Alloc
	found := false
	for _, a := range s.AllocsOfJobIn("default", "backup") {
		if a.DesiredStatus != "run" || (a.ClientStatus != "running" && a.ClientStatus != "pending") {
			continue
		}
		if !found || a.CreateTime.After(best.CreateTime) {
			best, found = a, true
		}
	}
	return best, found
}

// TestDeniedOnTheSecureDevCluster: with the README's read-only token the
// actions are marked in the help and their keys say why, as Nomad's own
// 403 taught the watcher; nothing is asked, done or recorded.
func TestDeniedOnTheSecureDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c, st, me := secureSeededCluster(t)
	w := memberWatcher(t, c.Env(c.Tokens().Read))
	p := &probe{Model: New(Options{Source: w, Store: st, Me: me}), t: t}
	p.TestModel = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(140, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	t.Cleanup(func() { p.Quit() })
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
			p.Send(pokeMsg{})
			time.Sleep(100 * time.Millisecond)
		}
	}
	wait(90*time.Second, "guichet", "nomad ok")
	press(p, "4")
	wait(10*time.Second, "garage")
	press(p, "/")
	for _, r := range "garage" {
		p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	press(p, "enter", "enter")
	wait(10*time.Second, "job garage", "ALLOC")
	press(p, "enter")
	wait(10*time.Second, "Recent task events")
	press(p, "?")
	wait(15*time.Second, "restart allocation (not allowed)", "stop allocation (not allowed)")
	press(p, "?")
	press(p, "R") // says why, asks nothing
	frame := wait(10*time.Second, "your token cannot")
	if strings.Contains(frame, "type y") {
		t.Fatalf("a denied action asked:\n%s", frame)
	}
	if log, _ := st.ClusterActions(context.Background(), time.Time{}, time.Now().Add(time.Hour)); len(log) != 0 {
		t.Errorf("a denied key recorded %+v", log)
	}
}
