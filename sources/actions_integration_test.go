package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"

	nomadapi "github.com/hashicorp/nomad/api"
)

// periodicJob is a periodic batch job in site (its cron never fires on its
// own in a test: 03:00 on January 1st), for force-periodic.
func periodicJob(name, site string) *nomadapi.Job {
	j := nomadapi.NewBatchJob(name, name, "global", 50)
	j.Datacenters = []string{site}
	j.Periodic = &nomadapi.PeriodicConfig{Enabled: new(true), Spec: new("0 3 1 1 *"), SpecType: new("cron"), ProhibitOverlap: new(true)}
	t := nomadapi.NewTask("clean", "raw_exec").
		SetConfig("command", "/bin/sh").
		SetConfig("args", []string{"-c", "echo cleaned"}).
		Require(&nomadapi.Resources{CPU: new(20), MemoryMB: new(16)})
	return j.AddTaskGroup(nomadapi.NewTaskGroup("clean", 1).AddTask(t))
}

// runningAlloc finds a running allocation of job in site whose task is running.
func runningAlloc(s *Snapshot, job, site, task string) (Alloc, bool) {
	for _, a := range s.Nomad.Allocs {
		if a.JobID != job || a.Site != site || a.ClientStatus != "running" || a.DesiredStatus != "run" {
			continue
		}
		if t, ok := taskOf(a, task); ok && t.State == "running" {
			return a, true
		}
	}
	return Alloc{}, false
}

func waitRunning(t *testing.T, w *Watcher, job, site, task string) Alloc {
	t.Helper()
	var a Alloc
	waitFor(t, w, 60*time.Second, fmt.Sprintf("%s running in %s", job, site), func(s *Snapshot) string {
		var ok bool
		if a, ok = runningAlloc(s, job, site, task); !ok {
			return "no running allocation"
		}
		return ""
	})
	return a
}

func nodeOfSite(t *testing.T, s *Snapshot, site string) Node {
	t.Helper()
	ns := s.NodesOfSite(site)
	if len(ns) != 1 {
		t.Fatalf("site %s: nodes %+v", site, ns)
	}
	return ns[0]
}

// hasEvent reports whether a task of the allocation (read afresh) has an
// event whose message contains msg.
func hasEvent(ctx context.Context, w *Watcher, allocID, msg string) (bool, error) {
	d, err := w.AllocDetail(ctx, allocID)
	if err != nil {
		return false, err
	}
	for _, t := range d.Tasks {
		for _, e := range t.Events {
			if strings.Contains(e.Message, msg) {
				return true, nil
			}
		}
	}
	return false, nil
}

// TestIntegrationActions does every action on a real cluster (no ACLs) and
// sees it happen in the watcher's own snapshots: a task restarted (its
// restart count and events), the failing backup allocation in paris
// restarted, exec (output, exit codes, a TTY resized), an allocation
// stopped and replaced, a node marked ineligible and back, drained with a
// deadline and back, a periodic job forced; Permission allows everything.
func TestIntegrationActions(t *testing.T) {
	c := integrationCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	nomad, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := nomad.Jobs().Register(periodicJob("nettoyage", "paris"), nil); err != nil {
		t.Fatal(err)
	}
	w := startWatcher(t, ctx, Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr(), SiteKey: "meta.site"})
	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, w, 60*time.Second, "seeded state", seededProblem)

	// No ACLs: the probes get past every check.
	for _, k := range []ActionKind{RestartAlloc, RestartTask, StopAlloc, DrainNode, UndrainNode, NodeIneligible, NodeEligible, ForcePeriodic, ExecTask} {
		if ok, why, err := w.Permission(ctx, k, "default"); !ok || why != "" || err != nil {
			t.Errorf("Permission(%s) without ACLs = %v, %q, %v", k, ok, why, err)
		}
	}

	// restart-task: the web task of garage in lyon restarts once.
	web := waitRunning(t, w, "garage", "lyon", "web")
	before, _ := taskOf(web, "web")
	res, err := w.Act(ctx, Action{Kind: RestartTask, AllocID: web.ID, Task: "web"})
	if err != nil || res.Message != "restart of task web accepted" {
		t.Fatalf("restart-task: %+v, %v", res, err)
	}
	waitFor(t, w, 60*time.Second, "garage's web task restarted", func(s *Snapshot) string {
		a, _ := s.AllocByID(web.ID)
		if tk, _ := taskOf(a, "web"); tk.Restarts <= before.Restarts || tk.State != "running" {
			return fmt.Sprintf("task %+v (restarts before %d)", tk, before.Restarts)
		}
		return ""
	})
	if ok, err := hasEvent(ctx, w, web.ID, "User requested task to restart"); !ok || err != nil {
		t.Errorf("garage's events: no restart requested by a user (%v)", err)
	}

	// restart-alloc on the failing backup in paris: its task runs a second
	// in every four, so the snapshot may say running when it just stopped:
	// try until Nomad signals the restart.
	restarted := false
	for try := 0; try < 8 && !restarted; try++ {
		b := waitRunning(t, w, "backup", "paris", "backup")
		res, err := w.Act(ctx, Action{Kind: RestartAlloc, AllocID: b.ID})
		var ie *InputError
		switch {
		case errors.As(err, &ie):
			continue // it stopped between the snapshot and the check
		case err != nil:
			var ae *ActionError
			if errors.As(err, &ae) && ae.Status == 500 {
				t.Logf("backup restart refused by the client (its task had just ended): %v", err)
				continue
			}
			t.Fatalf("restart-alloc backup: %v", err)
		case res.Message != "restart accepted":
			t.Fatalf("restart-alloc backup: %+v", res)
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) && !restarted {
			restarted, err = hasEvent(ctx, w, b.ID, "User requested all tasks to restart")
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	if !restarted {
		t.Errorf("the backup allocation in paris never showed the restart asked for")
	}

	// exec in garage's web task in paris.
	pw := waitRunning(t, w, "garage", "paris", "web")
	var out, errOut bytes.Buffer
	code, err := w.Exec(ctx, pw.ID, "web", []string{"echo", "hello"}, false, nil, &out, &errOut, nil)
	if err != nil || code != 0 || out.String() != "hello\n" {
		t.Errorf("exec echo hello = %d, %v, stdout %q stderr %q", code, err, out.String(), errOut.String())
	}
	// A watcher whose snapshot has not caught up (here: one never started,
	// its snapshot empty) asks Nomad, which knows the task runs.
	lagging, err := New(Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr()})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	code, err = lagging.Exec(ctx, pw.ID, "web", []string{"echo", "hello"}, false, nil, &out, nil, nil)
	if err != nil || code != 0 || out.String() != "hello\n" {
		t.Errorf("exec by a watcher without the allocation in its snapshot = %d, %v, stdout %q", code, err, out.String())
	}
	if _, err := lagging.Exec(ctx, pw.ID, "db", []string{"true"}, false, nil, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "has no task db") {
		t.Errorf("exec into a task Nomad does not have either: %v", err)
	}
	code, err = w.Exec(ctx, pw.ID, "web", []string{"sh", "-c", "exit 3"}, false, nil, nil, nil, nil)
	if err != nil || code != 3 {
		t.Errorf("exec sh -c 'exit 3' = %d, %v, want 3", code, err)
	}
	out.Reset()
	resize := make(chan TerminalSize, 1)
	resize <- TerminalSize{Width: 100, Height: 40}
	code, err = w.Exec(ctx, pw.ID, "web", []string{"sh", "-c", "sleep 1; stty size"}, true, nil, &out, nil, resize)
	if err != nil || code != 0 || !strings.Contains(out.String(), "40 100") {
		t.Errorf("exec stty size in a 100x40 TTY = %d, %v, output %q", code, err, out.String())
	}

	// stop-alloc: guichet in lyon is stopped and Nomad places another.
	g := waitRunning(t, w, "guichet", "lyon", "web")
	res, err = w.Act(ctx, Action{Kind: StopAlloc, AllocID: g.ID})
	if err != nil || res.EvalID == "" {
		t.Fatalf("stop-alloc: %+v, %v", res, err)
	}
	waitFor(t, w, 60*time.Second, "guichet replaced", func(s *Snapshot) string {
		old, _ := s.AllocByID(g.ID)
		if old.DesiredStatus != "stop" {
			return "old allocation desired " + old.DesiredStatus
		}
		if !slices.ContainsFunc(s.AllocsOfJob("guichet"), func(a Alloc) bool { return a.ID != g.ID && a.CreateIndex > g.CreateIndex }) {
			return "no replacement"
		}
		return ""
	})

	// node-ineligible, node-eligible: lyon's node.
	lyon := nodeOfSite(t, s, "lyon")
	nodeState := func(id, want string) {
		t.Helper()
		waitFor(t, w, 30*time.Second, "node "+want, func(s *Snapshot) string {
			if n, _ := s.NodeByID(id); n.State() != want {
				return n.State()
			}
			return ""
		})
	}
	if res, err := w.Act(ctx, Action{Kind: NodeIneligible, NodeID: lyon.ID}); err != nil || !strings.Contains(res.Message, "ineligible") {
		t.Fatalf("node-ineligible: %+v, %v", res, err)
	}
	nodeState(lyon.ID, "ineligible")
	if res, err := w.Act(ctx, Action{Kind: NodeEligible, NodeID: lyon.ID}); err != nil || !strings.Contains(res.Message, "eligible") {
		t.Fatalf("node-eligible: %+v, %v", res, err)
	}
	nodeState(lyon.ID, "ready")

	// force-periodic: nettoyage launches a child job now.
	waitFor(t, w, 30*time.Second, "nettoyage listed", func(s *Snapshot) string {
		if _, ok := s.JobIn("default", "nettoyage"); !ok {
			return "absent"
		}
		return ""
	})
	res, err = w.Act(ctx, Action{Kind: ForcePeriodic, JobID: "nettoyage"})
	if err != nil || res.EvalID == "" {
		t.Fatalf("force-periodic: %+v, %v", res, err)
	}
	waitFor(t, w, 30*time.Second, "a forced run of nettoyage", func(s *Snapshot) string {
		if !slices.ContainsFunc(s.Nomad.Jobs, func(j Job) bool { return strings.HasPrefix(j.ID, "nettoyage/periodic-") }) {
			return "no child job"
		}
		return ""
	})

	// drain-node with a deadline, then undrain: bruxelles.
	bx := nodeOfSite(t, s, "bruxelles")
	res, err = w.Act(ctx, Action{Kind: DrainNode, NodeID: bx.ID, Deadline: time.Hour})
	if err != nil || res.Message != "drain started, deadline 1h0m0s" {
		t.Fatalf("drain-node: %+v, %v", res, err)
	}
	nodeState(bx.ID, "draining")
	if _, err := w.Act(ctx, Action{Kind: DrainNode, NodeID: bx.ID, Deadline: -5 * time.Minute}); !errors.As(err, new(*InputError)) {
		t.Errorf("drain -5m: %v", err)
	}
	res, err = w.Act(ctx, Action{Kind: UndrainNode, NodeID: bx.ID})
	if err != nil || !strings.Contains(res.Message, "drain cancelled") {
		t.Fatalf("undrain-node: %+v, %v", res, err)
	}
	nodeState(bx.ID, "ready")
}

// TestIntegrationActionsSecure asks for every action on a cluster with TLS
// and default-deny ACLs (devcluster Secure, the deploy/policies tokens): the
// read-only token is refused each, with a reason naming the capability and
// namespace, in Permission's probes and in real attempts, and nothing
// happens; the operator token is allowed each, and its exec into a raw_exec
// task is refused (the operator policy leaves alloc-node-exec out), which
// Permission then knows.
func TestIntegrationActionsSecure(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts real agents")
	}
	setMemberEnv(t, nil)
	c := devclustertest.Require(t, devcluster.Options{Secure: true})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	tok := c.Tokens()
	mgmt := c.Env(tok.Management)
	nomad, err := nomadapi.NewClient(&nomadapi.Config{Address: mgmt["NOMAD_ADDR"], SecretID: mgmt["NOMAD_TOKEN"],
		TLSConfig: &nomadapi.TLSConfig{CACert: mgmt["NOMAD_CACERT"], ClientCert: mgmt["NOMAD_CLIENT_CERT"], ClientKey: mgmt["NOMAD_CLIENT_KEY"]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := nomad.Jobs().Register(periodicJob("nettoyage", "paris"), nil); err != nil {
		t.Fatal(err)
	}
	setMemberEnv(t, c.Env(tok.Read))
	read := startWatcher(t, ctx, Config{SiteKey: "meta.site"})
	op := startWatcher(t, ctx, Config{SiteKey: "meta.site", NomadToken: tok.Operator.Nomad, ConsulToken: tok.Operator.Consul})
	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, read, 60*time.Second, "seeded state (read token)", seededProblem)
	waitFor(t, op, 60*time.Second, "seeded state (operator token)", seededProblem)
	waitFor(t, read, 30*time.Second, "nettoyage listed", func(s *Snapshot) string {
		if _, ok := s.JobIn("default", "nettoyage"); !ok {
			return "absent"
		}
		return ""
	})
	noToken := func(s string) {
		t.Helper()
		for _, secret := range []string{tok.Read.Nomad, tok.Operator.Nomad, tok.Management.Nomad} {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%q holds a token", s)
			}
		}
	}

	needs := map[ActionKind]string{
		RestartAlloc: "alloc-lifecycle", RestartTask: "alloc-lifecycle", StopAlloc: "alloc-lifecycle",
		DrainNode: "node:write", UndrainNode: "node:write", NodeIneligible: "node:write", NodeEligible: "node:write",
		ForcePeriodic: "submit-job", ExecTask: "alloc-exec",
	}
	kinds := []ActionKind{RestartAlloc, RestartTask, StopAlloc, DrainNode, UndrainNode, NodeIneligible, NodeEligible, ForcePeriodic, ExecTask}
	for _, k := range kinds {
		ok, why, err := read.Permission(ctx, k, "default")
		_, namespaced := capability(k)
		if ok || err != nil || !strings.Contains(why, needs[k]) || !strings.HasPrefix(why, "your token cannot") ||
			namespaced != strings.Contains(why, "in namespace default") {
			t.Errorf("read token: Permission(%s) = %v, %q, %v; want refused, naming %s", k, ok, why, err, needs[k])
		}
		noToken(why)
		if ok, why, err := op.Permission(ctx, k, "default"); !ok || why != "" || err != nil {
			t.Errorf("operator token: Permission(%s) = %v, %q, %v; want allowed", k, ok, why, err)
		}
	}

	// Real attempts with the read token: each refused, nothing done.
	s := read.Snapshot()
	web := waitRunning(t, read, "garage", "lyon", "web")
	lyon := nodeOfSite(t, s, "lyon")
	for _, a := range []Action{
		{Kind: RestartTask, AllocID: web.ID, Task: "web"},
		{Kind: RestartAlloc, AllocID: web.ID},
		{Kind: StopAlloc, AllocID: web.ID},
		{Kind: NodeIneligible, NodeID: lyon.ID},
		{Kind: DrainNode, NodeID: lyon.ID, Deadline: time.Hour},
		{Kind: ForcePeriodic, JobID: "nettoyage"},
	} {
		res, err := read.Act(ctx, a)
		var d *DeniedError
		if !errors.As(err, &d) || d.Kind != a.Kind || !strings.Contains(d.Reason, needs[a.Kind]) || d.NomadSaid != "Permission denied" || res != (ActionResult{}) {
			t.Errorf("read token: Act(%s) = %+v, %v; want a *DeniedError naming %s", a.Kind, res, err, needs[a.Kind])
			continue
		}
		noToken(err.Error())
	}
	code, err := read.Exec(ctx, web.ID, "web", []string{"echo", "hello"}, false, nil, nil, nil, nil)
	var d *DeniedError
	if !errors.As(err, &d) || code != -1 || !strings.Contains(d.Reason, "alloc-exec") {
		t.Errorf("read token: exec = %d, %v; want a *DeniedError", code, err)
	}
	time.Sleep(time.Second) // a wrongly accepted action would show by now
	s = read.Snapshot()
	if n, _ := s.NodeByID(lyon.ID); n.State() != "ready" {
		t.Errorf("lyon's node is %s after refused actions", n.State())
	}
	if a, _ := s.AllocByID(web.ID); a.DesiredStatus != "run" || a.Restarts != web.Restarts {
		t.Errorf("garage in lyon after refused actions: desired %s, restarts %d (was %d)", a.DesiredStatus, a.Restarts, web.Restarts)
	}
	if slices.ContainsFunc(s.Nomad.Jobs, func(j Job) bool { return strings.HasPrefix(j.ID, "nettoyage/") }) {
		t.Errorf("nettoyage was forced with the read token")
	}

	// The operator token: accepted.
	res, err := op.Act(ctx, Action{Kind: RestartTask, AllocID: web.ID, Task: "web"})
	if err != nil || res.Message == "" {
		t.Errorf("operator: restart-task: %+v, %v", res, err)
	}
	if _, err := op.Act(ctx, Action{Kind: NodeIneligible, NodeID: lyon.ID}); err != nil {
		t.Errorf("operator: node-ineligible: %v", err)
	}
	if _, err := op.Act(ctx, Action{Kind: NodeEligible, NodeID: lyon.ID}); err != nil {
		t.Errorf("operator: node-eligible: %v", err)
	}
	if res, err := op.Act(ctx, Action{Kind: ForcePeriodic, JobID: "nettoyage"}); err != nil || res.EvalID == "" {
		t.Errorf("operator: force-periodic: %+v, %v", res, err)
	}
	// raw_exec has no isolation: the client wants alloc-node-exec too.
	pw := waitRunning(t, op, "garage", "paris", "web")
	code, err = op.Exec(ctx, pw.ID, "web", []string{"echo", "hello"}, false, nil, nil, nil, nil)
	if !errors.As(err, &d) || code != -1 || !strings.Contains(d.Reason, "alloc-node-exec") {
		t.Errorf("operator: exec into raw_exec = %d, %v; want refused for alloc-node-exec", code, err)
	} else {
		noToken(err.Error())
	}
	if ok, why, err := op.Permission(ctx, ExecTask, "default"); ok || err != nil || !strings.Contains(why, "alloc-node-exec") {
		t.Errorf("operator: Permission(exec) after a refused exec = %v, %q, %v", ok, why, err)
	}
}
