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

// TestActOnTheSecureDevCluster is TestActOnTheDevCluster on agents with TLS
// and default-deny ACLs, the watcher configured only by the member's
// variables with the operator token: n opens an incident with its affects,
// R+y restarts a live backup allocation, ctrl+k+y stops it, both in the
// timeline.
func TestActOnTheSecureDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	o := operatorTUI(t)
	p, st, w, wait, waitAny, filter, noSecret := o.p, o.st, o.w, o.wait, o.waitAny, o.filter, o.noSecret
	wait(90*time.Second, "job backup", "failed", "nomad ok", "consul ok")
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

	// As on the plain cluster: a backup allocation is live a few seconds
	// between failures; a restart Nomad refuses because it just failed is
	// retried. A 403 here would be the operator policy's fault: fail at once.
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
		frame := waitAny(30*time.Second, "restart accepted", "failed:", "refused:")
		if strings.Contains(frame, "refused:") {
			t.Fatalf("the operator token was refused a restart:\n%s", frame)
		}
		if strings.Contains(frame, "restart accepted") {
			wait(10*time.Second, "timeline")
			break
		}
		press(p, "esc") // the allocation screen
		press(p, "esc") // the filter
		time.Sleep(time.Second)
	}
	p.Send(tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl})
	wait(5*time.Second, "stop allocation "+short+" of backup on paris (Nomad reschedules it)? type y")
	press(p, "y")
	frame := waitAny(30*time.Second, "stop accepted", "failed:", "refused:")
	if !strings.Contains(frame, "stop accepted") {
		t.Fatalf("stop not accepted:\n%s", frame)
	}
	noSecret(wait(10*time.Second, "timeline"))

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

// TestExecRefusedOnTheSecureDevCluster: x in garage's web task (raw_exec)
// with the operator token, which has alloc-exec but not alloc-node-exec
// (left out of deploy/policies/nomad-operator.hcl on purpose): it is asked
// and confirmed, Nomad's client refuses it, the refusal is on screen and in
// the action log, with Nomad's own words.
func TestExecRefusedOnTheSecureDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	o := operatorTUI(t)
	p, st, wait, waitAny, typeText, filter, noSecret := o.p, o.st, o.wait, o.waitAny, o.typeText, o.filter, o.noSecret
	ctx := context.Background()
	wait(90*time.Second, "guichet", "nomad ok", "consul ok")
	// Exec needs the task running in the watcher's snapshot.
	for deadline := time.Now().Add(90 * time.Second); !garageRunning(o.w.Snapshot()); {
		if time.Now().After(deadline) {
			t.Fatal("garage's web task never ran in the watcher's snapshot")
		}
		time.Sleep(200 * time.Millisecond)
	}
	press(p, "4")
	wait(10*time.Second, "garage")
	filter("garage")
	press(p, "enter")
	wait(10*time.Second, "job garage", "ALLOC")
	press(p, "enter")
	wait(30*time.Second, "Recent task events", "web", "Tasks are running")
	press(p, "x")
	wait(5*time.Second, "command to run in task web", "/bin/sh")
	p.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	typeText("echo hello-from-exec")
	press(p, "enter")
	wait(5*time.Second, "exec echo hello-from-exec in task web of allocation", "type y")
	press(p, "y")
	frame := waitAny(30*time.Second, "refused:", "exit code", "failed:")
	if !strings.Contains(frame, "refused: your token cannot run commands in tasks") || !strings.Contains(frame, "alloc-node-exec for tasks without isolation") {
		t.Fatalf("x was not refused with Nomad's reason:\n%s", frame)
	}
	noSecret(frame)
	log, err := st.ClusterActions(ctx, time.Time{}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var refused bool
	for _, a := range log {
		if strings.HasPrefix(a.What, "exec echo hello-from-exec in task web") {
			if a.OK || !strings.Contains(a.Outcome, "Permission denied") {
				t.Errorf("the exec's record: %+v", a)
			}
			refused = true
		}
	}
	if !refused {
		t.Errorf("the refused exec is not in the action log: %+v", log)
	}
}

// garageRunning: every garage allocation meant to run has its web task running.
func garageRunning(s *sources.Snapshot) bool {
	n := 0
	for _, a := range s.AllocsOfJobIn("default", "garage") {
		if a.DesiredStatus != "run" {
			continue
		}
		running := false
		for _, ts := range a.Tasks {
			running = running || (ts.Name == "web" && ts.State == "running")
		}
		if !running {
			return false
		}
		n++
	}
	return n > 0
}

// opTUI is the real TUI in-process on the secure dev cluster, its watcher
// built from the member's variables with the operator token alone.
type opTUI struct {
	t       *testing.T
	p       *probe
	st      oncall.Store
	w       *sources.Watcher
	secrets []string
}

func operatorTUI(t *testing.T) *opTUI {
	t.Helper()
	c, st, me := secureSeededCluster(t)
	tokens := c.Tokens()
	w := memberWatcher(t, c.Env(tokens.Operator))
	p := &probe{Model: New(Options{Source: w, Store: st, Me: me}), t: t}
	p.TestModel = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(140, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	t.Cleanup(func() { p.Quit() })
	if p.ctx.Actor == nil {
		t.Fatal("the watcher is not the root's Actor")
	}
	return &opTUI{t: t, p: p, st: st, w: w, secrets: []string{tokens.Read.Nomad, tokens.Read.Consul,
		tokens.Operator.Nomad, tokens.Operator.Consul, tokens.Management.Nomad, tokens.Management.Consul}}
}

// waitAny polls (poking the probe to draw) until the frame holds one of
// wants, and returns it.
func (o *opTUI) waitAny(d time.Duration, wants ...string) string {
	o.t.Helper()
	deadline := time.Now().Add(d)
	var s string
	for {
		if v := o.p.last.Load(); v != nil {
			s = *v
		}
		for _, w := range wants {
			if strings.Contains(s, w) {
				return s
			}
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("timed out waiting for one of %q; frame:\n%s", wants, s)
		}
		o.p.Send(pokeMsg{})
		time.Sleep(100 * time.Millisecond)
	}
}

// wait waits for each of wants in turn and returns the last frame.
func (o *opTUI) wait(d time.Duration, wants ...string) string {
	o.t.Helper()
	var s string
	for _, w := range wants {
		s = o.waitAny(d, w)
	}
	return s
}

func (o *opTUI) typeText(q string) {
	for _, r := range q {
		o.p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (o *opTUI) filter(q string) {
	press(o.p, "/")
	o.typeText(q)
	press(o.p, "enter")
}

// noSecret fails when a token is in frame.
func (o *opTUI) noSecret(frame string) {
	o.t.Helper()
	for _, s := range o.secrets {
		if s != "" && strings.Contains(frame, s) {
			o.t.Fatalf("a token is on screen:\n%s", frame)
		}
	}
}
