package sources

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"

	nomadapi "github.com/hashicorp/nomad/api"
)

// TestIntegrationNamespaces follows a real cluster with two namespaces
// (veille in default and in ops, relais in ops) under each way of choosing
// one: nothing set follows default only, NOMAD_NAMESPACE=ops ops only, the
// flag beats the variable, "*" every namespace. A job registered in ops
// afterwards reaches only the watchers following ops (the event stream
// honours the namespace), and the on-demand reads (allocation detail,
// logs) work on what each watcher shows.
func TestIntegrationNamespaces(t *testing.T) {
	c := integrationCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.SeedNamespaces(ctx); err != nil {
		t.Fatal(err)
	}
	ops, veille, relais := devcluster.NamespaceOps, devcluster.JobVeille, devcluster.JobRelais
	cases := []struct {
		name, env, flag string
		want            []string // namespace/job
	}{
		{"nothing set", "", "", []string{"default/" + veille}},
		{"NOMAD_NAMESPACE=ops", ops, "", []string{ops + "/" + relais, ops + "/" + veille}},
		{"flag over variable", ops, "default", []string{"default/" + veille}},
		{"every namespace", "", "*", []string{"default/" + veille, ops + "/" + relais, ops + "/" + veille}},
	}
	ws := make([]*Watcher, len(cases))
	for i, tc := range cases {
		t.Setenv("NOMAD_NAMESPACE", tc.env)
		w, err := New(Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr(), NomadNamespace: tc.flag})
		if err != nil {
			t.Fatal(err)
		}
		ws[i] = w
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(runCtx); close(done) }()
		t.Cleanup(func() { stop(); <-done })
	}
	t.Setenv("NOMAD_NAMESPACE", "")

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := ws[i]
			s := waitFor(t, w, 90*time.Second, "jobs running", func(s *Snapshot) string { return runningJobs(s, tc.want) })
			if got := jobKeys(s); !slices.Equal(got, tc.want) {
				t.Errorf("namespace %q: jobs %v, want %v", w.Namespace(), got, tc.want)
			}
			for _, a := range s.Nomad.Allocs {
				if !slices.Contains(tc.want, a.Namespace+"/"+a.JobID) {
					t.Errorf("namespace %q: alloc %s of %s/%s", w.Namespace(), a.ID, a.Namespace, a.JobID)
				}
			}
			// Each job's allocation, its detail and its log, by namespace.
			for _, k := range tc.want {
				ns, id, _ := strings.Cut(k, "/")
				as := s.AllocsOfJobIn(ns, id)
				if len(as) != 1 || as[0].Namespace != ns {
					t.Fatalf("AllocsOfJobIn(%s, %s) = %+v", ns, id, as)
				}
				if j, ok := s.JobIn(ns, id); !ok || j.Namespace != ns || j.Running != 1 {
					t.Errorf("JobIn(%s, %s) = %+v, %v", ns, id, j, ok)
				}
				d, err := w.AllocDetail(ctx, as[0].ID)
				if err != nil || d.Namespace != ns || d.JobID != id {
					t.Errorf("AllocDetail(%s/%s) = %+v, %v", ns, id, d, err)
				}
				if got := firstLog(t, ctx, w, as[0].ID); got != id+" in "+ns {
					t.Errorf("log of %s/%s = %q", ns, id, got)
				}
			}
		})
	}

	// entretien doctor tells a mistyped namespace from an empty one.
	for ns, want := range map[string]string{ops: "namespace ops", "*": "namespace *", "opz": `no namespace "opz"`} {
		r, err := Probe(ctx, Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr(), NomadNamespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		got := r.Nomad.Detail
		if r.Nomad.Err != nil {
			got = r.Nomad.Err.Error()
		}
		if !strings.Contains(got, want) || (ns != "opz") != (r.Nomad.Err == nil) {
			t.Errorf("Probe, namespace %q: %q (err %v), want %q", ns, got, r.Nomad.Err, want)
		}
	}

	// A job registered now in ops comes through the event stream to the
	// watchers following ops, and to no other.
	nomad, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if err != nil {
		t.Fatal(err)
	}
	sonde := devcluster.SleepJob("sonde", ops, "paris")
	if _, _, err := nomad.Jobs().Register(sonde, nil); err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		if !slices.Contains(tc.want, ops+"/"+relais) {
			continue
		}
		waitFor(t, ws[i], 60*time.Second, tc.name+": sonde running", func(s *Snapshot) string {
			return runningJobs(s, append(slices.Clone(tc.want), ops+"/sonde"))
		})
	}
	time.Sleep(2 * time.Second) // the same events, had they been sent, would be in by now
	for i, tc := range cases {
		if slices.Contains(tc.want, ops+"/"+relais) {
			continue
		}
		s := ws[i].Snapshot()
		if got := jobKeys(s); !slices.Equal(got, tc.want) || len(s.AllocsOfJob("sonde")) > 0 {
			t.Errorf("%s: after sonde was registered in ops: jobs %v, sonde allocs %d", tc.name, got, len(s.AllocsOfJob("sonde")))
		}
	}

	// Every node has the address it advertises, from the list and still
	// after an event replaced it (a full node, which has no Address field).
	w := ws[0]
	s := w.Snapshot()
	for _, n := range s.Nomad.Nodes {
		if n.Address == "" {
			t.Errorf("node %s: no address", n.Name)
		}
	}
	node := s.Nomad.Nodes[0]
	t.Logf("node %s at %s", node.Name, node.Address)
	if _, err := nomad.Nodes().ToggleEligibility(node.ID, false, nil); err != nil {
		t.Fatal(err)
	}
	// Node events carry no namespace: every watcher gets them.
	for i, tc := range cases {
		waitFor(t, ws[i], 30*time.Second, tc.name+": node ineligible, address kept", func(s *Snapshot) string {
			n, _ := s.NodeByID(node.ID)
			if n.Eligible || n.Address != node.Address {
				return fmt.Sprintf("node %+v", n)
			}
			return ""
		})
	}
	if _, err := nomad.Nodes().ToggleEligibility(node.ID, true, nil); err != nil {
		t.Fatal(err)
	}
}

// jobKeys is the snapshot's jobs as namespace/ID, sorted.
func jobKeys(s *Snapshot) []string {
	var out []string
	for _, j := range s.Nomad.Jobs {
		out = append(out, j.Namespace+"/"+j.ID)
	}
	slices.Sort(out)
	return out
}

// runningJobs is "" once every wanted job has a running allocation.
func runningJobs(s *Snapshot, want []string) string {
	if s.Nomad.Err != nil {
		return "nomad: " + s.Nomad.Err.Error()
	}
	running := map[string]bool{}
	for _, a := range s.Nomad.Allocs {
		if a.ClientStatus == "running" {
			running[a.Namespace+"/"+a.JobID] = true
		}
	}
	for _, k := range want {
		if !running[k] {
			return fmt.Sprintf("%s not running (running: %v)", k, slices.Sorted(maps.Keys(running)))
		}
	}
	return ""
}

// firstLog is the first line of the task's stdout.
func firstLog(t *testing.T, ctx context.Context, w *Watcher, allocID string) string {
	t.Helper()
	lctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var got []byte
	for c := range w.FollowLogs(lctx, allocID, "sleep", "stdout", 1024) {
		if c.Err != nil {
			t.Errorf("logs of %s: %v", allocID, c.Err)
			return ""
		}
		got = append(got, c.Data...)
		if line, _, ok := strings.Cut(string(got), "\n"); ok {
			return line
		}
	}
	return string(got)
}
