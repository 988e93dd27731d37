package sources

import (
	"slices"
	"testing"
	"time"
)

// The same job ID in two namespaces: the namespaced lookups keep them
// apart; a job with nothing placed is in its datacenters' sites.
func TestNamespacedLookups(t *testing.T) {
	opsJob := job("web", "lyon")
	opsJob.Namespace = "ops"
	opsAlloc := allocStub(alloc2, "web", "id2", "running", "run")
	opsAlloc.Namespace = "ops"
	in := inputs{
		Nodes: []*Node{
			nodeStub("id1", "n1", "paris", "ready", nil),
			nodeStub("id2", "n2", "lyon", "ready", nil),
			nodeStub("id3", "n3", "bruxelles", "ready", nil),
		},
		Jobs:        []*Job{job("web", "paris"), opsJob, job("idle", "bruxelles", "nowhere")},
		Allocs:      []*Alloc{allocStub(alloc1, "web", "id1", "failed", "run"), opsAlloc},
		Deployments: []*Deployment{{ID: "d1", JobID: "web", Namespace: "ops", Status: "failed"}},
		Evals:       []*BlockedEval{{ID: "e1", JobID: "web", Namespace: "default", Queued: 2}},
	}
	s := buildSnapshot(in, grouping{}, time.Now(), nil)

	if j, ok := s.JobIn("ops", "web"); !ok || j.Namespace != "ops" || j.Running != 1 || j.Failed != 0 {
		t.Errorf("JobIn(ops, web) = %+v, %v", j, ok)
	}
	if j, ok := s.JobIn("default", "web"); !ok || j.Failed != 1 || j.Queued != 2 {
		t.Errorf("JobIn(default, web) = %+v, %v", j, ok)
	}
	if _, ok := s.JobIn("ops", "idle"); ok {
		t.Error("JobIn(ops, idle) found a job of another namespace")
	}
	if as := s.AllocsOfJobIn("ops", "web"); len(as) != 1 || as[0].ID != alloc2 {
		t.Errorf("AllocsOfJobIn(ops, web) = %+v", as)
	}
	if as := s.AllocsOfJob("web"); len(as) != 2 {
		t.Errorf("AllocsOfJob(web) = %d allocs, want both namespaces'", len(as))
	}
	if ds := s.DeploymentsOfJobIn("default", "web"); len(ds) != 0 {
		t.Errorf("DeploymentsOfJobIn(default, web) = %+v", ds)
	}
	if ds := s.DeploymentsOfJobIn("ops", "web"); len(ds) != 1 || ds[0].ID != "d1" {
		t.Errorf("DeploymentsOfJobIn(ops, web) = %+v", ds)
	}
	if es := s.BlockedEvalsOfJob("default", "web"); len(es) != 1 || es[0].ID != "e1" {
		t.Errorf("BlockedEvalsOfJob(default, web) = %+v", es)
	}
	if es := s.BlockedEvalsOfJob("ops", "web"); len(es) != 0 {
		t.Errorf("BlockedEvalsOfJob(ops, web) = %+v", es)
	}
	for _, c := range []struct {
		ns, id string
		want   []string
	}{
		{"default", "web", []string{"paris"}},
		{"ops", "web", []string{"lyon"}},
		{"default", "idle", []string{"bruxelles"}}, // nothing placed: its datacenters with nodes
		{"default", "none", nil},
	} {
		if got := s.SitesOfJob(c.ns, c.id); !slices.Equal(got, c.want) {
			t.Errorf("SitesOfJob(%s, %s) = %v, want %v", c.ns, c.id, got, c.want)
		}
	}
	// Outages keep the namespaces apart: default's failed alloc in paris,
	// ops' failed deployment in lyon (not default's).
	var outs []string
	for _, o := range s.OutagesOf("job", "web") {
		outs = append(outs, o.Namespace+"/"+o.Site+"/"+o.Status+"/"+o.Detail[:min(10, len(o.Detail))])
	}
	if want := []string{"ops/lyon/failed/deployment", "default/paris/failed/alloc 13e0"}; !slices.Equal(outs, want) {
		t.Errorf("job outages = %q, want %q", outs, want)
	}
	if ns := s.NodesOfSite("lyon"); len(ns) != 1 || ns[0].Name != "n2" {
		t.Errorf("NodesOfSite(lyon) = %+v", ns)
	}
	if got := s.Namespaces(); !slices.Equal(got, []string{"default", "ops"}) {
		t.Errorf("Namespaces() = %v", got)
	}
}

// A snapshot built by hand is indexed at its first lookup, and again once
// its slices changed (a copy given other allocations, an appended node).
func TestHandBuiltSnapshotIndex(t *testing.T) {
	s := &Snapshot{Nomad: NomadState{
		Nodes:  []Node{{ID: "n1", Name: "paris-1"}},
		Allocs: []Alloc{{ID: "a1", JobID: "web", NodeID: "n1"}},
	}, Consul: ConsulState{
		Instances: []ServiceInstance{{ID: "web-1", Service: "web", Node: "paris-1", Datacenter: "dc1"}},
		Checks: []Check{
			{ID: "serfHealth", Node: "paris-1", Datacenter: "dc1", Status: "passing"},
			{ID: "http", Node: "paris-1", ServiceID: "web-1", Datacenter: "dc1", Status: "critical"},
		},
	}}
	if as := s.AllocsOfNode("n1"); len(as) != 1 {
		t.Fatalf("AllocsOfNode = %+v", as)
	}
	c := *s
	c.Nomad.Allocs = []Alloc{{ID: "a2", JobID: "big", NodeID: "n1"}, {ID: "a3", JobID: "big", NodeID: "n1"}}
	if as := c.AllocsOfJobIn("", "big"); len(as) != 2 {
		t.Errorf("copy with new allocs: AllocsOfJobIn(big) = %+v", as)
	}
	if _, ok := c.AllocByID("a1"); ok {
		t.Error("copy still finds the allocation it no longer holds")
	}
	s.Nomad.Nodes = append(s.Nomad.Nodes, Node{ID: "n2", Name: "paris-2"})
	if n, ok := s.NodeByName("paris-2"); !ok || n.ID != "n2" {
		t.Errorf("appended node not found: %+v", n)
	}
	in, ok := s.InstanceByID("web-1")
	if !ok {
		t.Fatal("InstanceByID(web-1) not found")
	}
	if cs := s.NodeChecks(in.Datacenter, in.Node); len(cs) != 1 || cs[0].ID != "serfHealth" {
		t.Errorf("NodeChecks = %+v", cs)
	}
	if cs := s.ChecksOfInstance(in); len(cs) != 1 || cs[0].ID != "http" {
		t.Errorf("ChecksOfInstance = %+v", cs)
	}
}
