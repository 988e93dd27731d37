package sources

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"

	nomadapi "github.com/hashicorp/nomad/api"
)

// TestIntegrationDevCluster follows real Nomad and Consul agents (built by
// `make agents`; skipped when missing, failed under CI=true) through the
// faults issue 4 lists, with one Watcher from start to end: the seeded
// state and its outages; a new job deployed, then its task killed (check
// critical, restart); a node drained (blocked evaluation); a site going
// dark (node down, allocs lost, site down) and back; the Nomad server and
// Consul stopped (stale, last data kept) and restarted (recovery).
func TestIntegrationDevCluster(t *testing.T) {
	c := integrationCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	nomad, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if err != nil {
		t.Fatal(err)
	}

	w, err := New(Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr(), SiteKey: "meta.site"})
	if err != nil {
		t.Fatal(err)
	}
	tl := collectTransitions(t, w)
	runWatcher(t, ctx, w)

	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, w, 60*time.Second, "seeded state", seededProblem)
	t.Logf("seeded: region %q, dc %q, %d jobs, %d allocs, %d instances, sites %v",
		s.Nomad.Region, s.Consul.Datacenter, len(s.Nomad.Jobs), len(s.Nomad.Allocs), len(s.Consul.Instances), siteNames(s))
	if s.Nomad.Region != "global" || s.Consul.Datacenter == "" || len(s.Consul.Datacenters) != 1 || len(s.Consul.Nodes) == 0 {
		t.Errorf("region %q / datacenter %q / datacenters %+v / %d consul nodes", s.Nomad.Region, s.Consul.Datacenter, s.Consul.Datacenters, len(s.Consul.Nodes))
	}
	for site, host := range map[string]string{"paris": "amelie", "lyon": "lucas", "bruxelles": "chloe"} {
		if st := siteOf(t, s, site); !slices.Contains(mapValues(st.Hosts), host) {
			t.Errorf("site %s hosts = %v, want %s", site, st.Hosts, host)
		}
	}
	checkSeededOutages(t, s)
	// An instance's address comes from its allocation's port; the check's
	// output (once it ran) names the URL Consul probed: both must agree.
	waitFor(t, w, 30*time.Second, "guichet probed at its address", func(s *Snapshot) string {
		for _, in := range s.Consul.Instances {
			if in.Service != "guichet" {
				continue
			}
			url := fmt.Sprintf("http://%s:%d/", in.Address, in.Port)
			if in.Address == "127.0.0.1" && slices.ContainsFunc(s.ChecksOfInstance(in), func(c Check) bool { return strings.Contains(c.Output, url) }) {
				return ""
			}
			return fmt.Sprintf("guichet at %s, checks %+v", url, s.ChecksOfInstance(in))
		}
		return "no guichet instance"
	})

	t.Run("deploy then kill a task", func(t *testing.T) { deployAndKill(t, ctx, nomad, w, tl) })
	t.Run("past deployments come with the history", func(t *testing.T) { pastDeployments(t, ctx, c) })
	t.Run("drain a node", func(t *testing.T) { drainNode(t, nomad, w, tl) })
	t.Run("site goes dark", func(t *testing.T) { siteDark(t, c, w, tl) })
	t.Run("nomad and consul stopped", func(t *testing.T) { backendsDown(t, c, w) })
	t.Logf("transitions seen: %d, dropped: %d", tl.len(), w.DroppedTransitions())
}

// pastDeployments: a watcher started after kiosque's deployment succeeded
// publishes first without it (the first list leaves successful and
// cancelled deployments to the history), then with it, and reports no
// transition for it.
func pastDeployments(t *testing.T, ctx context.Context, c *devcluster.Cluster) {
	w, err := New(Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr(), SiteKey: "meta.site"})
	if err != nil {
		t.Fatal(err)
	}
	tl := collectTransitions(t, w) // before Run: every transition
	runWatcher(t, ctx, w)
	var early *Snapshot
	for early == nil {
		select {
		case <-w.Updates():
			if s := w.Snapshot(); !s.Nomad.Updated.IsZero() {
				early = s
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no snapshot with Nomad's answer")
		}
	}
	for _, d := range early.Nomad.Deployments {
		if d.Status == "successful" || d.Status == "cancelled" {
			t.Errorf("the first snapshot holds a %s deployment (%s of %s): they are history", d.Status, d.ID, d.JobID)
		}
	}
	waitFor(t, w, 30*time.Second, "kiosque's past deployment", func(s *Snapshot) string {
		if d := s.DeploymentsOfJob("kiosque"); len(d) != 1 || d[0].Status != "successful" {
			return fmt.Sprintf("deployments of kiosque: %+v", d)
		}
		return ""
	})
	time.Sleep(500 * time.Millisecond) // transitions reach the log through a channel
	tl.mu.Lock()
	defer tl.mu.Unlock()
	for _, tr := range tl.all {
		if tr.Kind == "deployment" && tr.From == "" && (tr.To == "successful" || tr.To == "cancelled") {
			t.Errorf("a past deployment reported as a transition: %+v", tr)
		}
	}
}

// checkSeededOutages: guichet's critical check is tied to its lyon alloc,
// job and node; backup is a failed job in paris; lookups work both ways.
func checkSeededOutages(t *testing.T, s *Snapshot) {
	t.Helper()
	var guichet *Outage
	for i, o := range s.Outages {
		if o.Kind == "service" && o.Name == "guichet" {
			guichet = &s.Outages[i]
		}
	}
	if guichet == nil {
		t.Fatalf("no guichet outage in %+v", s.Outages)
	}
	a, ok := s.AllocByID(guichet.AllocID)
	n, nok := s.NodeByID(guichet.NodeID)
	if guichet.Site != "lyon" || guichet.Status != StatusCritical || guichet.CheckID == "" || !ok || a.JobID != "guichet" ||
		guichet.JobID != "guichet" || !nok || n.Site != "lyon" || !strings.Contains(guichet.Detail, "guichet") {
		t.Errorf("guichet outage = %+v (alloc %+v)", *guichet, a)
	}
	ins := s.InstancesOfAlloc(guichet.AllocID)
	if len(ins) != 1 || ins[0].Service != "guichet" || len(s.ChecksOfInstance(ins[0])) == 0 {
		t.Fatalf("InstancesOfAlloc(%s) = %+v", guichet.AllocID, ins)
	}

	if !slices.ContainsFunc(s.OutagesOfSite("lyon"), func(o Outage) bool { return o.Kind == "site" && o.Status == SiteDegraded }) {
		t.Errorf("lyon not degraded: %+v", s.OutagesOfSite("lyon"))
	}
	if len(s.OutagesOf("job", "backup")) == 0 || s.OutagesOf("job", "backup")[0].Site != "paris" {
		j, _ := s.JobByID("backup")
		t.Errorf("backup outage = %+v (job %+v, allocs %+v)", s.OutagesOf("job", "backup"), j, s.AllocsOfJob("backup"))
	}
	if st, _ := s.SiteByName("bruxelles"); st.Status != SiteUp {
		t.Errorf("bruxelles = %+v", st)
	}
	if allocs := s.AllocsOfJob("garage"); len(allocs) < 3 || len(allocs[0].Tasks) != 1 || len(allocs[0].Tasks[0].Events) == 0 {
		t.Errorf("garage allocs without task states: %+v", allocs)
	}
}

// deployAndKill registers a new web job in bruxelles, waits for its
// deployment to succeed (seen as a transition), then kills its task's
// process: the check turns critical and Nomad restarts the task, both seen
// through sources within seconds.
func deployAndKill(t *testing.T, ctx context.Context, nomad *nomadapi.Client, w *Watcher, tl *transitionLog) {
	job := webJobSpec("kiosque", "bruxelles")
	if _, _, err := nomad.Jobs().Register(job, nil); err != nil {
		t.Fatal(err)
	}
	tl.wait(t, 90*time.Second, "deployment of kiosque succeeds", func(tr Transition) bool {
		return tr.Kind == "deployment" && tr.Subject == "job/kiosque" && tr.To == "successful"
	})
	s := waitFor(t, w, 30*time.Second, "kiosque passing", func(s *Snapshot) string {
		for _, in := range s.InstancesOfService("kiosque") {
			if in.Status == StatusPassing && in.Site == "bruxelles" {
				return ""
			}
		}
		return "no passing kiosque instance"
	})
	allocs := s.AllocsOfJob("kiosque")
	if len(allocs) != 1 || allocs[0].DeploymentID == "" || allocs[0].DeploymentHealth != "healthy" {
		t.Fatalf("kiosque allocs = %+v", allocs)
	}
	if d := s.DeploymentsOfJob("kiosque"); len(d) != 1 || d[0].Status != "successful" {
		t.Errorf("deployments = %+v", d)
	}
	allocID := allocs[0].ID

	pid := taskPID(t, allocID)
	mark := tl.len()
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	tr := tl.waitFrom(t, mark, 20*time.Second, "kiosque check critical", func(tr Transition) bool {
		return tr.Kind == "check" && tr.Subject == "service/kiosque" && tr.From == StatusPassing && tr.To == StatusCritical
	})
	t.Logf("check critical seen %.1fs after the kill: %+v", time.Since(killed).Seconds(), tr)
	if tr.Site != "bruxelles" || !strings.HasPrefix(tr.Key, "check/") || tr.At.IsZero() {
		t.Errorf("transition = %+v", tr)
	}
	// The restart shows in the alloc's task state and events.
	s = waitFor(t, w, 30*time.Second, "kiosque restart", func(s *Snapshot) string {
		a, _ := s.AllocByID(allocID)
		if len(a.Tasks) == 1 && a.Tasks[0].Restarts >= 1 {
			return ""
		}
		return fmt.Sprintf("tasks %+v", a.Tasks)
	})
	a, _ := s.AllocByID(allocID)
	if !slices.ContainsFunc(a.Tasks[0].Events, func(e TaskEvent) bool { return e.Type == "Terminated" || e.Type == "Restarting" }) {
		t.Errorf("no Terminated/Restarting event: %+v", a.Tasks[0].Events)
	}
	if o := s.OutagesOf("job", "kiosque"); len(o) == 0 || o[0].Status != SiteDegraded {
		t.Errorf("restarting job not degraded: %+v", o)
	}
}

// drainNode drains bruxelles' only node: its allocations cannot move, so
// a blocked evaluation appears; then the node is made eligible again.
func drainNode(t *testing.T, nomad *nomadapi.Client, w *Watcher, tl *transitionLog) {
	s := w.Snapshot()
	var node Node
	for _, n := range s.Nomad.Nodes {
		if n.Site == "bruxelles" {
			node = n
		}
	}
	mark := tl.len()
	if _, err := nomad.Nodes().UpdateDrain(node.ID, &nomadapi.DrainSpec{Deadline: 2 * time.Second}, false, nil); err != nil {
		t.Fatal(err)
	}
	undo := func() {
		nomad.Nodes().UpdateDrain(node.ID, nil, false, nil)
		nomad.Nodes().ToggleEligibility(node.ID, true, nil)
	}
	defer undo() // also when an assertion fails, so later steps run on a whole cluster
	tl.waitFrom(t, mark, 15*time.Second, "node draining", func(tr Transition) bool {
		return tr.Kind == "node" && tr.Subject == "node/"+node.Name && tr.From == "ready" && (tr.To == "draining" || tr.To == "ineligible")
	})
	s = waitFor(t, w, 60*time.Second, "blocked evaluation for garage", func(s *Snapshot) string {
		n, _ := s.NodeByID(node.ID)
		if n.Eligible {
			return "node still eligible"
		}
		for _, e := range s.Nomad.BlockedEvals {
			if e.JobID == "garage" && e.Queued > 0 {
				return ""
			}
		}
		return fmt.Sprintf("blocked evals %+v", s.Nomad.BlockedEvals)
	})
	if o := s.OutagesOf("job", "garage"); !slices.ContainsFunc(o, func(o Outage) bool { return strings.Contains(o.Detail, "queued") }) {
		t.Errorf("garage capacity outage missing: %+v", o)
	}
	undo()
	waitFor(t, w, 60*time.Second, "bruxelles back", func(s *Snapshot) string {
		n, _ := s.NodeByID(node.ID)
		if n.State() != "ready" || len(s.Nomad.BlockedEvals) > 0 {
			return fmt.Sprintf("node %s, blocked %+v", n.State(), s.Nomad.BlockedEvals)
		}
		return ""
	})
}

// siteDark cuts lyon off (its Consul agent killed, its Nomad client
// stopped): its node goes down, its allocations are lost, the site is down,
// and its services turn critical through the node's Consul check, which the
// outage names; then it comes back.
func siteDark(t *testing.T, c *devcluster.Cluster, w *Watcher, tl *transitionLog) {
	mark := tl.len()
	if err := c.CutSite("lyon"); err != nil {
		t.Fatal(err)
	}
	tl.waitFrom(t, mark, 30*time.Second, "lyon node down", func(tr Transition) bool {
		return tr.Kind == "node" && tr.To == "down" && tr.Site == "lyon"
	})
	tl.waitFrom(t, mark, 15*time.Second, "site lyon down", func(tr Transition) bool {
		return tr.Kind == "site" && tr.Subject == "site/lyon" && tr.To == SiteDown
	})
	tl.waitFrom(t, mark, 15*time.Second, "lyon alloc lost", func(tr Transition) bool {
		return tr.Kind == "alloc" && tr.To == "lost" && tr.Site == "lyon" && strings.HasPrefix(tr.Key, "alloc/")
	})
	s := waitFor(t, w, 30*time.Second, "garage in lyon critical by its node's check", func(s *Snapshot) string {
		for _, o := range s.OutagesOf("service", "garage") {
			if o.Site == "lyon" && o.Status == StatusCritical && o.CheckID == "serfHealth" && strings.Contains(o.Detail, "Serf Health") {
				return ""
			}
		}
		return fmt.Sprintf("garage outages %+v", s.OutagesOf("service", "garage"))
	})
	if o := s.OutagesOf("site", "lyon"); len(o) != 1 || o[0].Status != SiteDown || o[0].Since.IsZero() {
		t.Errorf("lyon outage = %+v", o)
	}
	if err := c.RestoreSite("lyon"); err != nil {
		t.Fatal(err)
	}
	tl.waitFrom(t, mark, 60*time.Second, "lyon node ready", func(tr Transition) bool {
		return tr.Kind == "node" && tr.To == "ready" && tr.Site == "lyon"
	})
}

// backendsDown stops the Nomad server, then Consul: each turns stale
// with its last data kept; both recover once restarted, same Watcher.
func backendsDown(t *testing.T, c *devcluster.Cluster, w *Watcher) {
	if err := c.StopNomadServer(); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, w, 60*time.Second, "nomad stale", func(s *Snapshot) string {
		if s.Nomad.Err == nil || !s.Nomad.Stale() {
			return "nomad not reported down"
		}
		return ""
	})
	t.Logf("nomad down: %v", s.Nomad.Err)
	if len(s.Nomad.Jobs) < 4 || len(s.Nomad.Allocs) == 0 || s.Nomad.Updated.IsZero() || s.Consul.Err != nil {
		t.Errorf("last nomad data dropped or consul hurt: %d jobs, consul %v", len(s.Nomad.Jobs), s.Consul.Err)
	}

	if err := c.StopConsul(); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, w, 30*time.Second, "consul stale", func(s *Snapshot) string {
		if s.Consul.Err == nil || !s.Consul.Stale() {
			return "consul not reported down"
		}
		return ""
	})
	t.Logf("consul down: %v", s.Consul.Err)
	if !strings.Contains(s.Consul.Err.Error(), "consul") || strings.Contains(s.Consul.Err.Error(), "nomad") {
		t.Errorf("consul error unclear: %v", s.Consul.Err)
	}
	if len(s.Consul.Instances) == 0 || s.Consul.Updated.IsZero() {
		t.Errorf("last good consul data dropped: %d instances", len(s.Consul.Instances))
	}
	downSince := s.Consul.Updated

	if err := c.StartNomadServer(); err != nil {
		t.Fatal(err)
	}
	if err := c.StartConsul(); err != nil {
		t.Fatal(err)
	}
	// Consul -dev comes back empty: recovered once the Nomad clients
	// registered their services again.
	s = waitFor(t, w, 120*time.Second, "recovered", func(s *Snapshot) string {
		if s.Nomad.Err != nil || s.Nomad.Stale() || s.Consul.Err != nil || s.Consul.Stale() {
			return fmt.Sprintf("still failing: nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
		}
		return seededProblem(s)
	})
	if !s.Consul.Updated.After(downSince) {
		t.Errorf("consul Updated %v not after outage start %v", s.Consul.Updated, downSince)
	}
}

// webJobSpec: a python web server in one site, with an HTTP check.
func webJobSpec(name, site string) *nomadapi.Job {
	g := nomadapi.NewTaskGroup("web", 1)
	g.Constrain(nomadapi.NewConstraint("${node.datacenter}", "=", site))
	g.Networks = []*nomadapi.NetworkResource{{DynamicPorts: []nomadapi.Port{{Label: "http"}}}}
	g.Services = []*nomadapi.Service{{
		Name: name, PortLabel: "http", Provider: "consul",
		Checks: []nomadapi.ServiceCheck{{Type: "http", Path: "/", Interval: 2 * time.Second, Timeout: time.Second}},
	}}
	g.Update = &nomadapi.UpdateStrategy{MinHealthyTime: new(2 * time.Second), HealthyDeadline: new(time.Minute), ProgressDeadline: new(2 * time.Minute)}
	g.RestartPolicy = &nomadapi.RestartPolicy{Attempts: new(5), Interval: new(time.Hour), Delay: new(5 * time.Second), Mode: new("fail")}
	task := nomadapi.NewTask("web", "raw_exec").
		SetConfig("command", "/usr/bin/python3").
		SetConfig("args", []string{"-m", "http.server", "${NOMAD_PORT_http}", "--bind", "${NOMAD_IP_http}", "--directory", "${NOMAD_TASK_DIR}"}).
		Require(&nomadapi.Resources{CPU: new(50), MemoryMB: new(64)})
	j := nomadapi.NewServiceJob(name, name, "global", 50)
	j.Datacenters = []string{site}
	return j.AddTaskGroup(g.AddTask(task))
}

// taskPID finds the python process of an allocation: its --directory
// argument is the alloc's task dir, which holds the alloc ID.
func taskPID(t *testing.T, allocID string) int {
	t.Helper()
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if err == nil && strings.Contains(string(b), "http.server") && strings.Contains(string(b), allocID) {
			return pid
		}
	}
	t.Fatalf("no process for alloc %s", allocID)
	return 0
}

// transitionLog collects a subscriber's transitions for assertions.
type transitionLog struct {
	mu  sync.Mutex
	all []Transition
}

func collectTransitions(t *testing.T, w *Watcher) *transitionLog {
	ch, unsubscribe := w.SubscribeTransitions(4096)
	t.Cleanup(unsubscribe)
	tl := &transitionLog{}
	go func() {
		for tr := range ch {
			tl.mu.Lock()
			tl.all = append(tl.all, tr)
			tl.mu.Unlock()
		}
	}()
	return tl
}

func (tl *transitionLog) len() int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return len(tl.all)
}

func (tl *transitionLog) wait(t *testing.T, d time.Duration, what string, match func(Transition) bool) Transition {
	t.Helper()
	return tl.waitFrom(t, 0, d, what, match)
}

// waitFrom waits for a transition matching, among those after the mark.
func (tl *transitionLog) waitFrom(t *testing.T, mark int, d time.Duration, what string, match func(Transition) bool) Transition {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		tl.mu.Lock()
		seen := slices.Clone(tl.all[mark:])
		tl.mu.Unlock()
		for _, tr := range seen {
			if match(tr) {
				return tr
			}
		}
		if time.Now().After(deadline) {
			var lines []string
			for _, tr := range seen {
				lines = append(lines, fmt.Sprintf("%s %s %s %s->%s", tr.Kind, tr.Subject, tr.Site, tr.From, tr.To))
			}
			t.Fatalf("no transition %q within %v; seen:\n%s", what, d, strings.Join(lines, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// integrationCluster starts a dev cluster (skipped with -short). The
// watcher must use only what a test passes, not the caller's environment.
func integrationCluster(t *testing.T) *devcluster.Cluster {
	if testing.Short() {
		t.Skip("integration: starts real agents")
	}
	for _, k := range []string{"NOMAD_ADDR", "NOMAD_TOKEN", "NOMAD_REGION", "NOMAD_NAMESPACE", "CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN"} {
		t.Setenv(k, "")
	}
	return devclustertest.Require(t, devcluster.Options{})
}

// seededProblem describes what the snapshot still lacks of the seeded
// state ("" when complete).
func seededProblem(s *Snapshot) string {
	if s.Nomad.Err != nil || s.Consul.Err != nil {
		return fmt.Sprintf("errors: nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
	}
	var named []string
	for _, st := range s.Sites {
		if st.Name != "" {
			named = append(named, st.Name)
		}
	}
	if !slices.Equal(named, []string{"bruxelles", "lyon", "paris"}) {
		return fmt.Sprintf("sites %v", named)
	}
	allocs := map[string]Alloc{}
	for _, a := range s.Nomad.Allocs {
		allocs[a.ID] = a
	}
	for _, st := range s.Sites {
		if st.Name == "" {
			continue
		}
		if st.NodesUp < 1 || len(st.Hosts) == 0 {
			return fmt.Sprintf("site %s: %d nodes up, hosts %v", st.Name, st.NodesUp, st.Hosts)
		}
		if !slices.ContainsFunc(s.Consul.Instances, func(in ServiceInstance) bool {
			return in.Service == "garage" && in.Status == StatusPassing && in.Site == st.Name &&
				allocs[in.AllocID].JobID == "garage"
		}) {
			return "no passing garage instance in " + st.Name
		}
	}
	if lyon := siteByName(s, "lyon"); lyon.ServicesCritical < 1 {
		return "lyon: no critical service"
	}
	if !slices.ContainsFunc(s.Consul.Instances, func(in ServiceInstance) bool {
		a := allocs[in.AllocID]
		return in.Service == "guichet" && in.Status == StatusCritical && in.Site == "lyon" && a.JobID == "guichet" && a.Site == "lyon"
	}) {
		return "no critical guichet instance tied to a lyon alloc of job guichet"
	}
	if paris := siteByName(s, "paris"); paris.AllocsFailed < 1 {
		return "paris: no failed alloc"
	}
	if !slices.ContainsFunc(s.Nomad.Allocs, func(a Alloc) bool {
		return a.JobID == "backup" && a.ClientStatus == "failed" && a.Site == "paris" && a.Datacenter == "paris"
	}) {
		return "no failed backup alloc in paris"
	}
	for _, job := range []string{"garage", "guichet", "backup"} {
		if !slices.ContainsFunc(s.Nomad.Jobs, func(j Job) bool { return j.ID == job }) {
			return "missing job " + job
		}
	}
	return ""
}

func siteByName(s *Snapshot, name string) Site {
	for _, st := range s.Sites {
		if st.Name == name {
			return st
		}
	}
	return Site{}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// waitFor waits on Updates (with a periodic re-check) until problem(s) is
// empty, failing with the last problem after d.
func waitFor(t *testing.T, w *Watcher, d time.Duration, what string, problem func(*Snapshot) string) *Snapshot {
	t.Helper()
	deadline := time.After(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s := w.Snapshot()
		p := problem(s)
		if p == "" {
			return s
		}
		select {
		case <-deadline:
			t.Fatalf("waiting for %s: %s", what, p)
		case <-w.Updates():
		case <-tick.C:
		}
	}
}
