package sources

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// Fixture helpers: raw API objects as the clients decode them.

func nodeStub(id, name, dc, status string, meta map[string]string) *Node {
	return (&wireNode{
		ID: id, Name: name, Datacenter: dc, Status: status,
		SchedulingEligibility: "eligible", Meta: meta,
	}).toNode()
}

func allocStub(id, job, nodeID, client, desired string, restarts ...uint64) *Alloc {
	a := &wireAlloc{
		ID: id, Name: job + ".g[0]", Namespace: "default", JobID: job, TaskGroup: "g",
		NodeID: nodeID, ClientStatus: client, DesiredStatus: desired,
		TaskStates: map[string]*wireTaskState{},
	}
	for i, r := range restarts {
		a.TaskStates[string(rune('a'+i))] = &wireTaskState{Restarts: r}
	}
	return a.toAlloc()
}

func job(id string, dcs ...string) *Job {
	return &Job{ID: id, Name: id, Namespace: "default", Type: "service", Status: "running", Datacenters: dcs}
}

func check(node, checkID, serviceID, service, status string) *consulapi.HealthCheck {
	return &consulapi.HealthCheck{Node: node, CheckID: checkID, ServiceID: serviceID, ServiceName: service, Status: status}
}

func siteNames(s *Snapshot) []string {
	var out []string
	for _, st := range s.Sites {
		out = append(out, st.Name)
	}
	return out
}

func siteOf(t *testing.T, s *Snapshot, name string) Site {
	t.Helper()
	for _, st := range s.Sites {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no site %q in %v", name, siteNames(s))
	return Site{}
}

const (
	alloc1 = "13e0245c-623c-1457-be2b-83a8890edc51"
	alloc2 = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)

func TestBuildSiteGrouping(t *testing.T) {
	nodes := []*Node{
		nodeStub("id1", "n1", "dc1", "ready", map[string]string{"site": "paris", "hosted_by": "alice", "owner": "zoe"}),
		nodeStub("id2", "n2", "dc1", "down", map[string]string{"site": "lyon", "hosted_by": "bob"}),
		nodeStub("id3", "n3", "dc2", "disconnected", nil),
		nodeStub("id4", "n4", "dc2", "initializing", map[string]string{"site": "lyon"}),
	}
	type counts struct{ up, down int }
	tests := []struct {
		name    string
		g       grouping
		sites   []string
		counts  map[string]counts
		hosts   map[string]map[string]string
		nodeSit map[string]string
	}{
		{
			name:   "datacenter by default",
			g:      grouping{HostKey: "hosted_by"},
			sites:  []string{"dc1", "dc2"},
			counts: map[string]counts{"dc1": {1, 1}, "dc2": {0, 1}},
			hosts:  map[string]map[string]string{"dc1": {"n1": "alice", "n2": "bob"}, "dc2": {}},
		},
		{
			name:   "datacenter explicit",
			g:      grouping{SiteKey: "datacenter", HostKey: "hosted_by"},
			sites:  []string{"dc1", "dc2"},
			counts: map[string]counts{"dc1": {1, 1}, "dc2": {0, 1}},
		},
		{
			name:    "node meta, unknown falls in empty site",
			g:       grouping{SiteKey: "meta.site", HostKey: "hosted_by"},
			sites:   []string{"", "lyon", "paris"},
			counts:  map[string]counts{"": {0, 1}, "lyon": {0, 1}, "paris": {1, 0}},
			hosts:   map[string]map[string]string{"paris": {"n1": "alice"}, "lyon": {"n2": "bob"}, "": {}},
			nodeSit: map[string]string{"n1": "paris", "n2": "lyon", "n3": "", "n4": "lyon"},
		},
		{
			name:  "other host key",
			g:     grouping{SiteKey: "meta.site", HostKey: "owner"},
			sites: []string{"", "lyon", "paris"},
			hosts: map[string]map[string]string{"paris": {"n1": "zoe"}, "lyon": {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := buildSnapshot(inputs{Nodes: nodes}, tt.g, time.Now(), nil)
			if got := siteNames(s); !slices.Equal(got, tt.sites) {
				t.Fatalf("sites = %q, want %q", got, tt.sites)
			}
			for name, c := range tt.counts {
				st := siteOf(t, s, name)
				if st.NodesUp != c.up || st.NodesDown != c.down {
					t.Errorf("site %q up/down = %d/%d, want %d/%d", name, st.NodesUp, st.NodesDown, c.up, c.down)
				}
			}
			for name, h := range tt.hosts {
				if st := siteOf(t, s, name); !reflect.DeepEqual(st.Hosts, h) {
					t.Errorf("site %q hosts = %v, want %v", name, st.Hosts, h)
				}
			}
			for _, n := range s.Nomad.Nodes {
				if want, ok := tt.nodeSit[n.Name]; ok && n.Site != want {
					t.Errorf("node %s site = %q, want %q", n.Name, n.Site, want)
				}
			}
		})
	}
}

func TestParseAllocID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"_nomad-task-" + alloc1 + "-group-web-web-paris-http", alloc1},
		{"_nomad-task-" + alloc1 + "-server-garage-s3", alloc1},
		{"_nomad-task-" + alloc1, alloc1},
		{"_nomad-task-" + alloc1 + "x-web", ""},                    // id longer than a UUID
		{"_nomad-task-13e0245c-623c-1457-be2b-83a8890edc5", ""},    // too short
		{"_nomad-task-13e0245c_623c-1457-be2b-83a8890edc51-w", ""}, // bad separator
		{"_nomad-task-13E0245C-623C-1457-BE2B-83A8890EDC51-w", ""}, // Nomad IDs are lower-case hex
		{"_nomad-server-abcdefabcdefabcdefabcdefabcdefab", ""},
		{"_nomad-client-" + alloc1, ""},
		{"web-1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := parseAllocID(tt.in); got != tt.want {
			t.Errorf("parseAllocID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInstanceWorstStatus(t *testing.T) {
	const sid = "web-1"
	tests := []struct {
		name   string
		checks []*consulapi.HealthCheck
		want   string
	}{
		{"all passing", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "passing"), check("c1", "tcp", sid, "web", "passing")}, "passing"},
		{"warning beats passing", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "passing"), check("c1", "tcp", sid, "web", "warning")}, "warning"},
		{"critical beats warning", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "critical"), check("c1", "tcp", sid, "web", "warning")}, "critical"},
		{"service maintenance beats critical", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "critical"), check("c1", "_service_maintenance:"+sid, sid, "web", "critical")}, "maintenance"},
		{"node maintenance applies to the node's instances", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "passing"), check("c1", "_node_maintenance", "", "", "critical")}, "maintenance"},
		{"failing node check fails the instance", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "passing"), check("c1", "serfHealth", "", "", "critical")}, "critical"},
		{"another node's check does not", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "passing"), check("c2", "serfHealth", "", "", "critical")}, "passing"},
		{"unknown status is not healthy", []*consulapi.HealthCheck{
			check("c1", "http", sid, "web", "passing"), check("c1", "tcp", sid, "web", "bogus")}, "warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := buildSnapshot(inputs{Checks: tt.checks}, grouping{}, time.Now(), nil)
			var got []string
			for _, in := range s.Consul.Instances {
				if in.ID == sid {
					got = append(got, in.Status)
				}
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("instance status = %q, want [%q]", got, tt.want)
			}
			if len(s.Consul.Checks) != len(tt.checks) {
				t.Errorf("checks = %d, want %d", len(s.Consul.Checks), len(tt.checks))
			}
		})
	}
}

func TestSameServiceIDOnTwoNodesIsTwoInstances(t *testing.T) {
	s := buildSnapshot(inputs{Checks: []*consulapi.HealthCheck{
		check("a", "c", "web", "web", "passing"), check("b", "c", "web", "web", "critical"),
	}}, grouping{}, time.Now(), nil)
	if len(s.Consul.Instances) != 2 {
		t.Fatalf("instances = %+v", s.Consul.Instances)
	}
	if s.Consul.Instances[0].Node != "a" || s.Consul.Instances[0].Status != "passing" ||
		s.Consul.Instances[1].Node != "b" || s.Consul.Instances[1].Status != "critical" {
		t.Errorf("instances = %+v", s.Consul.Instances)
	}
}

func TestBuildAllocsJobsAndPlacement(t *testing.T) {
	in := inputs{
		Nodes: []*Node{
			nodeStub("id1", "n1", "dc1", "ready", map[string]string{"site": "paris"}),
			nodeStub("id2", "n2", "dc2", "ready", map[string]string{"site": "lyon"}),
		},
		Jobs:  []*Job{job("web", "dc1", "dc2")},
		Evals: []*BlockedEval{{ID: "e1", JobID: "web", Namespace: "default", Queued: 2}, {ID: "e2", JobID: "other", Namespace: "default", Queued: 5}},
		Allocs: []*Alloc{
			allocStub("a1", "web", "id1", "running", "run", 1, 2),
			allocStub("a2", "web", "id1", "pending", "run"),
			allocStub("a3", "web", "id1", "failed", "run"),
			allocStub("a4", "web", "id1", "failed", "stop"),  // replaced: still counted as failed
			allocStub("a5", "web", "id1", "running", "stop"), // on its way out: not running
			allocStub("a6", "web", "id2", "complete", "run"),
			allocStub("a7", "web", "gone", "running", "run"), // node unknown (GC'd)
		},
	}
	in.Allocs[0].JobVersion = 3
	in.Allocs[1].JobVersion = 4
	s := buildSnapshot(in, grouping{SiteKey: "meta.site"}, time.Now(), nil)

	paris := siteOf(t, s, "paris")
	if paris.AllocsRunning != 1 || paris.AllocsPending != 1 || paris.AllocsFailed != 2 {
		t.Errorf("paris running/pending/failed = %d/%d/%d, want 1/1/2", paris.AllocsRunning, paris.AllocsPending, paris.AllocsFailed)
	}
	lyon := siteOf(t, s, "lyon")
	if lyon.AllocsRunning+lyon.AllocsPending+lyon.AllocsFailed != 0 {
		t.Errorf("lyon counts complete allocs: %+v", lyon)
	}
	if unknown := siteOf(t, s, ""); unknown.AllocsRunning != 1 {
		t.Errorf("alloc on unknown node not in site \"\": %+v", unknown)
	}
	a1 := s.Nomad.Allocs[0]
	if a1.ID != "a1" || a1.Datacenter != "dc1" || a1.Site != "paris" || a1.Restarts != 3 {
		t.Errorf("a1 = %+v", a1)
	}
	j := s.Nomad.Jobs[0]
	// Counted from the alloc list (a5 is running though being stopped);
	// Queued from the job's blocked evaluation only.
	if j.Running != 3 || j.Failed != 2 || j.Lost != 0 || j.Queued != 2 || j.Starting != 1 || j.Complete != 1 {
		t.Errorf("job counts = %+v", j)
	}
	if j.Version != 4 {
		t.Errorf("job version = %d, want 4 (highest alloc JobVersion)", j.Version)
	}
}

func TestInstanceSite(t *testing.T) {
	// Port labels may hold dashes: "admin-http" must win over "http".
	garage := allocStub(alloc1, "garage", "id1", "running", "run")
	garage.Ports = []Port{{Label: "http", HostIP: "10.0.0.1", Value: 8080}, {Label: "admin-http", HostIP: "10.0.0.1", Value: 9090}}
	in := inputs{
		Nodes: []*Node{
			nodeStub("id1", "n1", "dc1", "ready", map[string]string{"site": "paris"}),
			nodeStub("id2", "machine-lyon", "dc2", "ready", map[string]string{"site": "lyon"}),
		},
		Allocs: []*Alloc{garage},
		Checks: []*consulapi.HealthCheck{
			check("consul-dev", "c1", "_nomad-task-"+alloc1+"-group-g-garage-admin-http", "garage", "passing"),
			check("consul-dev", "c2", "_nomad-task-"+alloc2+"-group-g-ghost-http", "ghost", "critical"), // alloc GC'd
			check("machine-lyon", "c3", "nginx", "nginx", "warning"),                                    // not Nomad's
			check("consul-dev", "c4", "consul", "consul", "passing"),
		},
	}
	s := buildSnapshot(in, grouping{SiteKey: "meta.site"}, time.Now(), nil)
	want := map[string][2]string{ // service -> alloc, site
		"garage": {alloc1, "paris"}, "ghost": {alloc2, ""}, "nginx": {"", "lyon"}, "consul": {"", ""},
	}
	for _, inst := range s.Consul.Instances {
		if w := want[inst.Service]; inst.AllocID != w[0] || inst.Site != w[1] {
			t.Errorf("%s: alloc %q site %q, want %q %q", inst.Service, inst.AllocID, inst.Site, w[0], w[1])
		}
	}
	for _, inst := range s.Consul.Instances {
		wantAddr := ""
		if inst.Service == "garage" {
			wantAddr = "10.0.0.1:9090"
		}
		if got := fmt.Sprintf("%s:%d", inst.Address, inst.Port); (wantAddr == "" && inst.Address != "") || (wantAddr != "" && got != wantAddr) {
			t.Errorf("%s: address %s, want %q", inst.Service, got, wantAddr)
		}
	}
	if p := siteOf(t, s, "paris"); p.ServicesPassing != 1 || p.ServicesCritical != 0 {
		t.Errorf("paris services: %+v", p)
	}
	if l := siteOf(t, s, "lyon"); l.ServicesWarning != 1 {
		t.Errorf("lyon services: %+v", l)
	}
	if u := siteOf(t, s, ""); u.ServicesCritical != 1 || u.ServicesPassing != 1 {
		t.Errorf("unknown-site services: %+v", u)
	}
}

func sampleInputs() inputs {
	return inputs{
		NomadAddr: "http://n:4646", ConsulAddr: "http://c:8500", Region: "global", Datacenter: "dc1",
		Nodes: []*Node{
			nodeStub("id1", "n1", "paris", "ready", map[string]string{"hosted_by": "alice"}),
			nodeStub("id2", "n2", "lyon", "ready", map[string]string{"hosted_by": "bob"}),
			nodeStub("id3", "n3", "lyon", "down", nil),
		},
		Jobs: []*Job{job("b", "lyon"), job("a", "paris")},
		Allocs: []*Alloc{
			allocStub(alloc2, "b", "id2", "running", "run"),
			allocStub(alloc1, "a", "id1", "failed", "run", 4),
		},
		Checks: []*consulapi.HealthCheck{
			{Node: "c", CheckID: "x", ServiceID: "_nomad-task-" + alloc2 + "-t-b-http", ServiceName: "b", Status: "passing", ServiceTags: []string{"t1"}},
			check("c", "y", "_nomad-task-"+alloc1+"-t-a-http", "a", "critical"),
			check("c", "serfHealth", "", "", "passing"),
		},
	}
}

func TestBuildDeterministicAndDetached(t *testing.T) {
	now := time.Now()
	in := sampleInputs()
	want := buildSnapshot(in, grouping{HostKey: "hosted_by"}, now, nil)
	for range 20 {
		sh := in
		sh.Nodes = slices.Clone(in.Nodes)
		sh.Jobs = slices.Clone(in.Jobs)
		sh.Allocs = slices.Clone(in.Allocs)
		sh.Checks = slices.Clone(in.Checks)
		rand.Shuffle(len(sh.Nodes), func(i, j int) { sh.Nodes[i], sh.Nodes[j] = sh.Nodes[j], sh.Nodes[i] })
		rand.Shuffle(len(sh.Jobs), func(i, j int) { sh.Jobs[i], sh.Jobs[j] = sh.Jobs[j], sh.Jobs[i] })
		rand.Shuffle(len(sh.Allocs), func(i, j int) { sh.Allocs[i], sh.Allocs[j] = sh.Allocs[j], sh.Allocs[i] })
		rand.Shuffle(len(sh.Checks), func(i, j int) { sh.Checks[i], sh.Checks[j] = sh.Checks[j], sh.Checks[i] })
		if got := buildSnapshot(sh, grouping{HostKey: "hosted_by"}, now, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("order-dependent output:\n%+v\nwant\n%+v", got, want)
		}
	}
	if ids := []string{want.Nomad.Jobs[0].ID, want.Nomad.Jobs[1].ID}; !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("jobs not sorted: %v", ids)
	}
	if want.Nomad.Addr != "http://n:4646" || want.Consul.Addr != "http://c:8500" || want.Consul.Datacenter != "dc1" || want.Nomad.Region != "global" {
		t.Errorf("addresses/region/dc not carried: %+v %+v", want.Nomad.Health, want.Consul.Health)
	}

	// The builder must not write to its inputs: the watcher's records
	// are shared by every snapshot built from them.
	if !reflect.DeepEqual(in, sampleInputs()) {
		t.Fatalf("buildSnapshot mutated its inputs")
	}
}

func TestHealthStaleAndAge(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	boom := errors.New("boom")
	tests := []struct {
		name  string
		parts []resHealth
		stale bool
		age   time.Duration
	}{
		{"never fetched", []resHealth{{}}, true, 0},
		{"fresh", []resHealth{{updated: t0}}, false, time.Minute},
		{"error keeps last success", []resHealth{{updated: t0, err: boom}}, true, time.Minute},
		{"oldest part wins", []resHealth{{updated: t0}, {updated: t0.Add(-time.Minute)}, {updated: t0.Add(30 * time.Second)}}, false, 2 * time.Minute},
		{"one part never fetched", []resHealth{{updated: t0}, {}, {updated: t0}}, true, 0},
		{"error in any part", []resHealth{{updated: t0}, {updated: t0, err: boom}}, true, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := combineHealth(tt.parts...)
			if h.Stale() != tt.stale {
				t.Errorf("Stale() = %v, want %v (%+v)", h.Stale(), tt.stale, h)
			}
			if got := h.Age(t0.Add(time.Minute)); got != tt.age {
				t.Errorf("Age = %v, want %v", got, tt.age)
			}
		})
	}
}

func TestUncheckedServices(t *testing.T) {
	in := sampleInputs()
	in.Services = map[string][]string{"a": nil, "b": {"t1"}, "consul": nil, "mirror": {"rsync"}}
	in.Remote = []dcChecks{{Name: "dc2", Services: map[string][]string{"archive": nil}}}
	s := buildSnapshot(in, grouping{}, time.Now(), nil)
	want := []UncheckedService{{Name: "consul", Datacenter: "dc1"}, {Name: "mirror", Datacenter: "dc1", Tags: []string{"rsync"}}, {Name: "archive", Datacenter: "dc2"}}
	if !reflect.DeepEqual(s.Consul.Unchecked, want) {
		t.Errorf("unchecked = %+v, want %+v", s.Consul.Unchecked, want)
	}
}
