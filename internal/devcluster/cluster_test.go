package devcluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// require starts a cluster for this package's own tests, which cannot use
// devclustertest.Require (it imports this package): a skip without agents
// (a failure under CI=true), Stop at cleanup.
func require(t *testing.T, o Options) *Cluster {
	t.Helper()
	if err := CheckAgents(AgentsDir()); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("devcluster: %v (CI=true: integration tests must run)", err)
		}
		t.Skip(ErrAgentsMissing.Error())
	}
	if o.Log == nil {
		o.Log = t.Output()
	}
	c, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("devcluster: stop: %v", err)
		}
	})
	return c
}

// pollUntil polls cond every 100 ms until it holds or timeout passes.
func pollUntil(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) time.Duration {
	t.Helper()
	t0 := time.Now()
	var state string
	for {
		var ok bool
		if ok, state = cond(); ok {
			d := time.Since(t0)
			t.Logf("timing: %s after %.1fs", what, d.Seconds())
			return d
		}
		if time.Since(t0) > timeout {
			t.Fatalf("%s: not after %s (last state: %s)", what, timeout, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func clients(t *testing.T, c *Cluster) (*nomadapi.Client, *consulapi.Client) {
	t.Helper()
	// Built from the public addresses only, as the TUI's sources do.
	nc, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr(), HttpClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := consulapi.NewClient(&consulapi.Config{Address: c.ConsulAddr()})
	if err != nil {
		t.Fatal(err)
	}
	return nc, cc
}

// garagePassing: every garage instance passing, want of them, each on the
// Consul node of its site.
func garagePassing(cc *consulapi.Client, want int) func() (bool, string) {
	return func() (bool, string) {
		all, _, err := cc.Health().Service("garage", "", false, nil)
		if err != nil {
			return false, err.Error()
		}
		var states []string
		passing := 0
		for _, e := range all {
			st := e.Checks.AggregatedStatus()
			states = append(states, e.Node.Node+":"+st)
			if st == consulapi.HealthPassing && e.Node.Meta["site"] == e.Node.Node {
				passing++
			}
		}
		return passing == want && len(all) == want, fmt.Sprintf("garage instances %v", states)
	}
}

func nodeBySite(t *testing.T, nc *nomadapi.Client, site string) *nomadapi.NodeListStub {
	nodes, _, err := nc.Nodes().List(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.Datacenter == site {
			return n
		}
	}
	return nil
}

func TestCluster(t *testing.T) {
	t0 := time.Now()
	c := require(t, Options{})
	t.Logf("timing: Start %.1fs", time.Since(t0).Seconds())
	dataDir := c.dataDir
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	nc, cc := clients(t, c)

	if !strings.HasPrefix(c.NomadAddr(), "http://127.0.0.1:") || strings.HasPrefix(c.ConsulAddr(), "http") {
		t.Errorf("addresses: nomad %q consul %q", c.NomadAddr(), c.ConsulAddr())
	}

	t1 := time.Now()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("timing: SeedJobs+WaitSeeded %.1fs", time.Since(t1).Seconds())

	t.Run("nodes", func(t *testing.T) {
		nodes, _, err := nc.Nodes().List(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) != 3 {
			t.Fatalf("%d nodes, want 3", len(nodes))
		}
		for _, stub := range nodes {
			n, _, err := nc.Nodes().Info(stub.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := defaultHosts[n.Datacenter]
			if !ok {
				t.Errorf("node %s in unexpected datacenter %q", n.Name, n.Datacenter)
				continue
			}
			if n.Status != "ready" || n.Meta["site"] != n.Datacenter || n.Meta["hosted_by"] != want {
				t.Errorf("node %s: status %q meta site=%q hosted_by=%q, want ready %q %q",
					n.Name, n.Status, n.Meta["site"], n.Meta["hosted_by"], n.Datacenter, want)
			}
			if n.HTTPAddr == "" || !strings.HasPrefix(n.HTTPAddr, "127.0.0.1:") {
				t.Errorf("node %s: HTTPAddr %q not on 127.0.0.1", n.Name, n.HTTPAddr)
			}
		}
	})

	t.Run("garage one healthy instance per site", func(t *testing.T) {
		entries, _, err := cc.Health().Service("garage", "", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 {
			t.Fatalf("%d passing garage instances, want 3", len(entries))
		}
		sites := map[string]bool{}
		for _, e := range entries {
			if e.Service.Address != "127.0.0.1" {
				t.Errorf("garage at %q, want 127.0.0.1 (network_interface lo)", e.Service.Address)
			}
			// Each instance's port lies in its own client's dynamic range.
			for i, cp := range c.ports.Clients {
				if e.Service.Port >= cp.DynMin && e.Service.Port <= cp.DynMax {
					sites[c.o.Sites[i]] = true
				}
			}
			resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(e.Service.Port) + "/")
			if err != nil {
				t.Errorf("GET garage: %v", err)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET garage: %s", resp.Status)
			}
		}
		if len(sites) != 3 {
			t.Errorf("garage ports fall in the ranges of %v, want all three sites", sites)
		}
	})

	t.Run("guichet critical", func(t *testing.T) {
		checks, _, err := cc.Health().Checks("guichet", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) == 0 || checks.AggregatedStatus() != consulapi.HealthCritical {
			t.Fatalf("guichet checks %d, status %q, want critical", len(checks), checks.AggregatedStatus())
		}
		allocs, _, err := nc.Jobs().Allocations("guichet", false, nil)
		if err != nil {
			t.Fatal(err)
		}
		lyon := nodeBySite(t, nc, "lyon")
		if len(allocs) != 1 || allocs[0].NodeID != lyon.ID || allocs[0].ClientStatus != "running" {
			t.Errorf("guichet allocs: want 1 running on lyon, got %d", len(allocs))
		}
	})

	t.Run("backup fails", func(t *testing.T) {
		allocs, _, err := nc.Jobs().Allocations("backup", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		paris := nodeBySite(t, nc, "paris")
		failed := 0
		for _, a := range allocs {
			if a.NodeID != paris.ID {
				t.Errorf("backup alloc on node %s, want paris", a.NodeName)
			}
			if a.ClientStatus == "failed" {
				failed++
				if ts := a.TaskStates["backup"]; ts == nil || !ts.Failed || ts.Restarts != 2 {
					t.Errorf("failed backup alloc task state: %+v, want failed after 2 restarts", ts)
				}
			}
		}
		if failed < 1 {
			t.Fatalf("no failed backup alloc among %d", len(allocs))
		}
	})

	t.Run("lyon goes dark and comes back", func(t *testing.T) {
		if err := c.StopClient("lyon"); err != nil {
			t.Fatal(err)
		}
		pollUntil(t, "lyon node down", 30*time.Second, func() (bool, string) {
			n := nodeBySite(t, nc, "lyon")
			return n != nil && n.Status == "down", n.Status
		})
		if err := c.StartClient("lyon"); err != nil {
			t.Fatal(err)
		}
		pollUntil(t, "lyon node ready again", 30*time.Second, func() (bool, string) {
			n := nodeBySite(t, nc, "lyon")
			return n != nil && n.Status == "ready", n.Status
		})
		if err := c.StartClient("lyon"); err == nil {
			t.Error("StartClient on a running client: want an error")
		}
		if err := c.StopClient("nowhere"); err == nil {
			t.Error("StopClient(unknown site): want an error")
		}
	})

	t.Run("nomad server down and back", func(t *testing.T) {
		if err := c.StopNomadServer(); err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Status().Leader(); err == nil {
			t.Fatal("nomad answers with its server stopped")
		}
		if err := c.StartNomadServer(); err != nil {
			t.Fatal(err)
		}
		// State kept: the seeded jobs are still registered.
		jobs, _, err := nc.Jobs().List(nil)
		if err != nil || len(jobs) != 3 {
			t.Fatalf("after restart: %d jobs, err %v; want 3", len(jobs), err)
		}
	})

	t.Run("consul down and back", func(t *testing.T) {
		if err := c.StopConsul(); err != nil {
			t.Fatal(err)
		}
		if _, err := cc.Status().Leader(); err == nil {
			t.Fatal("consul answers while stopped")
		}
		if err := c.StartConsul(); err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Status().Leader(); err != nil {
			t.Errorf("nomad after consul restart: %v", err)
		}
		// consul -dev starts empty; the site agents, joined again, sync
		// their services back into its catalog.
		pollUntil(t, "garage passing in every site after consul restart", 60*time.Second, garagePassing(cc, 3))
	})

	t.Run("services stay registered past nomad's probation", func(t *testing.T) {
		// After a minute a Nomad client deregisters, from its Consul agent,
		// the Nomad services it does not know: with one agent shared by all
		// clients they would remove each other's services every 30 s.
		// Registration is what must hold every second (a check may still
		// miss a beat on a loaded machine); passing again at the end.
		until := t0.Add(100 * time.Second)
		for time.Now().Before(until) {
			all, _, err := cc.Health().Service("garage", "", false, nil)
			if err != nil || len(all) != 3 {
				t.Fatalf("%.0fs after start: %d garage instances registered (want 3), %v", time.Since(t0).Seconds(), len(all), err)
			}
			time.Sleep(time.Second)
		}
		pollUntil(t, "garage passing in every site", 30*time.Second, garagePassing(cc, 3))
		members, err := cc.Agent().Members(false)
		if err != nil {
			t.Fatal(err)
		}
		sites := map[string]string{}
		for _, m := range members {
			sites[m.Name] = m.Tags["site"]
		}
		for _, s := range defaultSites {
			if _, ok := sites[s]; !ok {
				t.Errorf("no consul agent for site %s among members %v", s, sites)
			}
		}
	})

	t.Run("stop leaves nothing", func(t *testing.T) {
		var pids []int
		var tasks []procID
		for _, a := range slices.Concat([]*agent{c.consul, c.server}, slices.Collect(maps.Values(c.agents)), slices.Collect(maps.Values(c.clients))) {
			pids = append(pids, a.pid())
			tasks = append(tasks, a.children()...)
		}
		if len(tasks) == 0 {
			t.Error("no task processes under the clients before Stop (test would prove nothing)")
		}
		// A client stopped for good leaves its tasks running, re-parented to
		// PID 1: Stop must find them by the data dir, not only by ancestry.
		bx := c.clients["bruxelles"]
		bxTasks := bx.children()
		if err := c.StopClient("bruxelles"); err != nil {
			t.Fatal(err)
		}
		refs := map[int]bool{}
		for _, p := range procsReferencing(dataDir) {
			refs[p.pid] = true
		}
		orphaned := 0
		for _, p := range bxTasks {
			if !p.alive() {
				continue
			}
			orphaned++
			if !refs[p.pid] {
				t.Errorf("orphaned bruxelles task %d not found by the /proc scan: %s", p.pid, cmdline(p.pid))
			}
		}
		if orphaned == 0 {
			t.Error("no bruxelles task outlived its client (test would prove nothing)")
		}
		mounts, _ := mountsUnder(dataDir)
		t.Logf("before Stop: %d task processes, %d mounts under the data dir", len(tasks), len(mounts))

		t2 := time.Now()
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}
		t.Logf("timing: Stop %.1fs", time.Since(t2).Seconds())
		if err := c.Stop(); err != nil {
			t.Errorf("second Stop: %v", err)
		}
		for _, p := range pids {
			if _, ok := readStat(p); ok {
				t.Errorf("agent pid %d still exists: %s", p, cmdline(p))
			}
		}
		for _, p := range tasks {
			if p.alive() {
				t.Errorf("task pid %d still alive: %s", p.pid, cmdline(p.pid))
			}
		}
		if ps := procsReferencing(dataDir); len(ps) > 0 {
			t.Errorf("%d processes still reference %s, e.g. %s", len(ps), dataDir, cmdline(ps[0].pid))
		}
		if ms, err := mountsUnder(dataDir); err != nil || len(ms) > 0 {
			t.Errorf("mounts left under data dir: %v (err %v)", ms, err)
		}
		if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("data dir %s still there (stat err %v)", dataDir, err)
		}
		if err := c.StartClient("lyon"); err == nil {
			t.Error("StartClient after Stop: want an error")
		}
	})
	t.Logf("timing: whole test %.1fs", time.Since(t0).Seconds())
}

// TestStartFailureCleansUp: a Nomad binary that dies at once makes Start
// fail with its log tail, after tearing down the Consul it had started.
func TestStartFailureCleansUp(t *testing.T) {
	real := AgentsDir()
	if _, _, err := agentBinaries(real); err != nil {
		require(t, Options{}) // skips, or fails under CI
	}
	fake := t.TempDir()
	if err := os.Symlink(filepath.Join(real, "consul"), filepath.Join(fake, "consul")); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho \"fake nomad: boom ($*)\" >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(fake, "nomad"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "dc")
	var log strings.Builder
	c, err := Start(context.Background(), Options{AgentsDir: fake, DataDir: dataDir, Log: &log})
	if err == nil {
		c.Stop()
		t.Fatal("Start succeeded with a broken nomad")
	}
	t.Logf("Start error:\n%v", err)
	if !strings.Contains(err.Error(), "fake nomad: boom") || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("error lacks the agent's exit status and log tail: %v", err)
	}
	if !strings.Contains(log.String(), "consul: leader elected") {
		t.Errorf("consul never came up, test proves nothing; log:\n%s", log.String())
	}
	resolved, _ := filepath.EvalSymlinks(dataDir)
	if ps := procsReferencing(resolved); len(ps) > 0 {
		t.Errorf("processes left after failed Start: %s", cmdline(ps[0].pid))
	}
	if _, err := os.Stat(filepath.Join(dataDir, "consul.log")); err != nil {
		t.Errorf("a caller's DataDir keeps the agents' logs: %v", err)
	}
}
