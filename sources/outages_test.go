package sources

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// correlated: a critical check on an instance registered by alloc1 (job
// web, node n1 in paris), a down node in lyon, a failed alloc of job db.
func correlated() inputs {
	in := sampleInputs()
	in.Nomad.Updated, in.Consul.Updated = time.Unix(100, 0), time.Unix(100, 0)
	in.Nodes = []*Node{
		nodeStub("id1", "n1", "paris", "ready", nil),
		nodeStub("id2", "n2", "lyon", "down", nil),
	}
	in.Jobs = []*Job{job("web", "paris"), job("db", "lyon")}
	failed := allocStub(alloc2, "db", "id2", "failed", "run")
	failed.ModifyTime = time.Unix(50, 0)
	in.Allocs = []*Alloc{allocStub(alloc1, "web", "id1", "running", "run"), failed}
	in.Checks = consulapi.HealthChecks{
		{Node: "c", CheckID: "http", Name: "web http", ServiceID: "_nomad-task-" + alloc1 + "-group-g-web-http", ServiceName: "web",
			Status: "critical", Output: "HTTP GET: 503\nmore", ModifyIndex: 7},
	}
	return in
}

func TestOutageCorrelation(t *testing.T) {
	now := time.Unix(200, 0)
	s := buildSnapshot(correlated(), grouping{}, now, nil)
	svc := s.OutagesOf("service", "web")
	if len(svc) != 1 {
		t.Fatalf("service outages = %+v", s.Outages)
	}
	o := svc[0]
	if o.Site != "paris" || o.Status != StatusCritical || o.AllocID != alloc1 || o.JobID != "web" || o.NodeID != "id1" ||
		o.CheckID != "http" || o.Detail != "web http: HTTP GET: 503" {
		t.Errorf("service outage = %+v", o)
	}
	// Reverse: from the alloc to its instances and checks.
	ins := s.InstancesOfAlloc(alloc1)
	if len(ins) != 1 || len(s.ChecksOfInstance(ins[0])) != 1 {
		t.Errorf("InstancesOfAlloc = %+v", ins)
	}
	if a, ok := s.AllocOfInstance(ins[0]); !ok || a.JobID != "web" {
		t.Errorf("AllocOfInstance = %+v", a)
	}
	if n := s.OutagesOf("node", "n2"); len(n) != 1 || n[0].Site != "lyon" || n[0].Status != SiteDown {
		t.Errorf("node outage = %+v", n)
	}
	if j := s.OutagesOf("job", "db"); len(j) != 1 || j[0].Status != "failed" || j[0].AllocID != alloc2 || j[0].Since != time.Unix(50, 0) {
		t.Errorf("job outage = %+v", j)
	}
	if st, _ := s.SiteByName("lyon"); st.Status != SiteDown {
		t.Errorf("lyon = %+v", st)
	}
	if st, _ := s.SiteByName("paris"); st.Status != SiteDegraded {
		t.Errorf("paris = %+v", st)
	}
	if got := s.OutagesOfSite("lyon"); len(got) != 3 || got[0].Kind != "site" {
		t.Errorf("lyon outages = %+v", got)
	}
	// A site degraded from the first snapshot on has been so at least
	// since the oldest outage in it (the failed db alloc).
	if got := s.OutagesOf("site", "lyon"); len(got) != 1 || !got[0].Since.Equal(time.Unix(50, 0)) {
		t.Errorf("lyon site outage since = %+v, want %v", got, time.Unix(50, 0))
	}
	// Without a previous snapshot, the service outage has no known start.
	if !o.Since.IsZero() {
		t.Errorf("since = %v, want zero (unknown)", o.Since)
	}

	// Since is the transition time for an outage that appears, and is
	// kept while it lasts.
	healthy := correlated()
	healthy.Checks = consulapi.HealthChecks{{Node: "c", CheckID: "http", ServiceID: healthy.Checks[0].ServiceID, ServiceName: "web", Status: "passing", ModifyIndex: 6}}
	p := buildSnapshot(healthy, grouping{}, time.Unix(150, 0), nil)
	s = buildSnapshot(correlated(), grouping{}, now, p)
	if o := s.OutagesOf("service", "web"); len(o) != 1 || !o[0].Since.Equal(now) {
		t.Errorf("new outage since = %+v, want %v", o, now)
	}
	later := buildSnapshot(correlated(), grouping{}, now.Add(time.Minute), s)
	if o := later.OutagesOf("service", "web"); len(o) != 1 || !o[0].Since.Equal(now) {
		t.Errorf("lasting outage since = %+v, want %v", o, now)
	}
}

func TestDiffTransitions(t *testing.T) {
	healthy := correlated()
	healthy.Checks = consulapi.HealthChecks{{Node: "c", CheckID: "http", ServiceID: healthy.Checks[0].ServiceID, ServiceName: "web", Status: "passing", ModifyIndex: 6}}
	healthy.Nodes = []*Node{nodeStub("id1", "n1", "paris", "ready", nil), nodeStub("id2", "n2", "lyon", "ready", nil)}
	healthy.Allocs = []*Alloc{allocStub(alloc1, "web", "id1", "running", "run"), allocStub(alloc2, "db", "id2", "running", "run")}
	prev := buildSnapshot(healthy, grouping{}, time.Unix(150, 0), nil)
	next := buildSnapshot(correlated(), grouping{}, time.Unix(200, 0), prev)
	ts := Diff(prev, next)
	got := map[string]Transition{}
	for _, tr := range ts {
		got[tr.Kind+" "+tr.Subject] = tr
		if !tr.At.Equal(time.Unix(200, 0)) || tr.Key == "" {
			t.Errorf("transition without time or key: %+v", tr)
		}
	}
	want := map[string][3]string{ // from, to, key
		"check service/web": {"passing", "critical", "check/dc1/c/http/critical/7"},
		"alloc job/db":      {"running", "failed", "alloc/" + alloc2 + "/failed"},
		"node node/n2":      {"ready", "down", "node/id2/down/0"},
		"site site/lyon":    {"up", "down", "site/lyon/down/0"},
		"site site/paris":   {"up", "degraded", "site/paris/degraded/0"},
	}
	for k, w := range want {
		tr, ok := got[k]
		if !ok || tr.From != w[0] || tr.To != w[1] || tr.Key != w[2] {
			t.Errorf("%s = %+v, want %v", k, tr, w)
		}
	}
	if len(ts) != len(want) {
		t.Errorf("transitions = %+v", ts)
	}
	if tr := got["check service/web"]; tr.Site != "paris" || !strings.Contains(tr.Detail, "503") {
		t.Errorf("check transition = %+v", tr)
	}
	// Same state again: nothing.
	if again := Diff(next, buildSnapshot(correlated(), grouping{}, time.Unix(210, 0), next)); len(again) != 0 {
		t.Errorf("no change, transitions %+v", again)
	}
	// The first data (prev without Nomad/Consul data) yields nothing.
	if first := Diff(buildSnapshot(inputs{}, grouping{}, time.Unix(1, 0), nil), next); len(first) != 0 {
		t.Errorf("initial load reported %d transitions", len(first))
	}
}

// TestEventPayloadsDecode: payloads shaped as Nomad 1.6 sends them (field
// names of its structs) become records; unknown fields are ignored.
func TestEventPayloadsDecode(t *testing.T) {
	frame := `{"Index":42,"Events":[
	 {"Topic":"Allocation","Type":"AllocationUpdated","Key":"` + alloc1 + `","Index":42,"Payload":{"Allocation":{
	   "ID":"` + alloc1 + `","Name":"web.g[0]","Namespace":"default","JobID":"web","TaskGroup":"g","NodeID":"id1","NodeName":"n1",
	   "DesiredStatus":"run","ClientStatus":"running","DeploymentID":"d1","DeploymentStatus":{"Healthy":true,"Canary":false},
	   "AllocatedResources":{"Shared":{"DiskMB":300}},"Job":null,
	   "TaskStates":{"web":{"State":"running","Failed":false,"Restarts":2,"LastRestart":"2026-11-25T13:00:00Z","StartedAt":"2026-11-25T13:00:01Z",
	     "FinishedAt":"0001-01-01T00:00:00Z","Events":[{"Type":"Restarting","Time":1764075600000000000,"DisplayMessage":"Task restarting in 5s","Details":{"a":"b"}}]}},
	   "CreateIndex":10,"ModifyIndex":42,"CreateTime":1,"ModifyTime":2}}},
	 {"Topic":"Node","Type":"NodeDrain","Key":"id1","Index":42,"Payload":{"Node":{"ID":"id1","Name":"n1","Datacenter":"paris",
	   "Status":"ready","SchedulingEligibility":"ineligible","DrainStrategy":{"Deadline":1000},"Meta":{"site":"paris"},"ModifyIndex":42,
	   "HTTPAddr":"192.168.1.20:4646","Attributes":{"unique.network.ip-address":"192.168.1.20","os.name":"debian"}}}},
	 {"Topic":"Evaluation","Type":"EvaluationUpdated","Key":"e1","Index":42,"Payload":{"Evaluation":{"ID":"e1","Namespace":"default","JobID":"web",
	   "Status":"blocked","FailedTGAllocs":{"g":{"NodesEvaluated":3,"NodesFiltered":3,"CoalescedFailures":1,"ConstraintFiltered":{"${node.datacenter} = x":3}}},"ModifyIndex":42}}}
	]}`
	var f wireFrame
	if err := json.Unmarshal([]byte(frame), &f); err != nil {
		t.Fatal(err)
	}
	w := &Watcher{nodeMeta: map[string]*Node{}}
	w.nstate = nomadState{jobs: map[string]*Job{}, allocs: map[string]*Alloc{}, nodes: map[string]*Node{}, deps: map[string]*Deployment{}, evals: map[string]*BlockedEval{}}
	w.applyLocked(f.Events)
	a := w.nstate.allocs[alloc1]
	if a == nil || a.DeploymentID != "d1" || a.DeploymentHealth != "healthy" || a.Restarts != 2 || len(a.Tasks) != 1 ||
		a.Tasks[0].Events[0].Message != "Task restarting in 5s" || a.Tasks[0].LastRestart.IsZero() {
		t.Errorf("alloc = %+v", a)
	}
	n := w.nstate.nodes["id1"]
	if n == nil || !n.Drain || n.Eligible || n.Meta["site"] != "paris" || n.State() != "draining" || n.Address != "192.168.1.20" {
		t.Errorf("node = %+v", n)
	}
	e := w.nstate.evals["e1"]
	if e == nil || e.Queued != 2 || !strings.Contains(e.Reason, "${node.datacenter} = x") {
		t.Errorf("eval = %+v", e)
	}
	// An older version of the alloc does not overwrite a newer one.
	old := strings.Replace(frame, `"CreateIndex":10,"ModifyIndex":42`, `"CreateIndex":10,"ModifyIndex":41`, 1)
	old = strings.Replace(old, `"ClientStatus":"running"`, `"ClientStatus":"pending"`, 1)
	json.Unmarshal([]byte(old), &f)
	w.applyLocked(f.Events[:1])
	if w.nstate.allocs[alloc1].ClientStatus != "running" {
		t.Error("an older event overwrote a newer alloc")
	}
	// A purged job takes its allocs and evaluations with it.
	w.nstate.jobs[jobKey("default", "web")] = job("web")
	w.applyLocked([]wireEvent{{Topic: "Job", Type: "JobDeregistered", Payload: wirePayload{Job: &wireJob{ID: "web", Namespace: "default"}}}})
	if len(w.nstate.jobs)+len(w.nstate.allocs)+len(w.nstate.evals) != 0 {
		t.Errorf("purged job left %+v", w.nstate)
	}
}

// A service whose own check passes is still critical when its node's agent
// is unreachable: the outage names the node's check.
func TestOutageNamesTheNodeCheck(t *testing.T) {
	in := correlated()
	in.Checks = consulapi.HealthChecks{
		{Node: "c", CheckID: "http", Name: "web http", ServiceID: "_nomad-task-" + alloc1 + "-group-g-web-http", ServiceName: "web", Status: "passing"},
		{Node: "c", CheckID: "serfHealth", Name: "Serf Health Status", Status: "critical", Output: "Agent not live or unreachable"},
		{Node: "other", CheckID: "serfHealth", Name: "Serf Health Status", Status: "passing"},
	}
	s := buildSnapshot(in, grouping{}, time.Unix(200, 0), nil)
	o := s.OutagesOf("service", "web")
	if len(o) != 1 || o[0].Status != StatusCritical || o[0].CheckID != "serfHealth" || o[0].Detail != "Serf Health Status: Agent not live or unreachable" {
		t.Fatalf("web outage = %+v", o)
	}
	if ins := s.InstancesOfAlloc(alloc1); len(ins) != 1 || len(s.ChecksOfInstance(ins[0])) != 1 {
		t.Errorf("the node check leaked into the instance's own checks: %+v", s.ChecksOfInstance(ins[0]))
	}
}

// A job failing at every start: Nomad marks each rescheduled alloc desired
// stop. The chain (failed, failed, pending replacement) is one failed
// outage named after the newest failure; once the replacement has run
// steadily for settleTime, none.
func TestOutageRescheduledChain(t *testing.T) {
	now := time.Unix(1000, 0)
	in := correlated()
	in.Checks = nil
	in.Nodes = in.Nodes[:1]
	in.Jobs = []*Job{job("backup", "paris")}
	const a3 = "33333333-0000-0000-0000-000000000000"
	old := allocStub(alloc1, "backup", "id1", "failed", "stop")
	old.NextAllocation, old.ModifyTime = alloc2, time.Unix(900, 0)
	newer := allocStub(alloc2, "backup", "id1", "failed", "stop")
	newer.NextAllocation, newer.ModifyTime = a3, time.Unix(950, 0)
	repl := allocStub(a3, "backup", "id1", "pending", "run")
	in.Allocs = []*Alloc{old, newer, repl}
	s := buildSnapshot(in, grouping{}, now, nil)
	j := s.OutagesOf("job", "backup")
	if len(j) != 1 || j[0].Status != "failed" || j[0].AllocID != alloc2 || j[0].Site != "paris" {
		t.Fatalf("backup outages = %+v, want one failed, alloc %s", j, alloc2)
	}
	repl.ClientStatus = "running"
	repl.Tasks = []TaskState{{Name: "t", State: "running", StartedAt: now.Add(-2 * settleTime)}}
	if j := buildSnapshot(in, grouping{}, now, nil).OutagesOf("job", "backup"); len(j) != 0 {
		t.Errorf("settled replacement: outages = %+v, want none", j)
	}
	// A failed alloc rescheduled to one a member then stopped: no outage.
	repl.DesiredStatus, repl.ClientStatus, repl.Tasks = "stop", "complete", nil
	if j := buildSnapshot(in, grouping{}, now, nil).OutagesOf("job", "backup"); len(j) != 0 {
		t.Errorf("stopped replacement: outages = %+v, want none", j)
	}
}

// TestChurnFramesApply: frames as Nomad 1.6.3 sent them under churn
// (testdata) decode in one pass; the node Nomad sends along with a
// client's allocation update (same ModifyIndex) changes nothing, so a
// frame of such nodes alone asks for no publish.
func TestChurnFramesApply(t *testing.T) {
	w := &Watcher{nodeMeta: map[string]*Node{}}
	w.nstate = nomadState{jobs: map[string]*Job{}, allocs: map[string]*Alloc{}, nodes: map[string]*Node{}, deps: map[string]*Deployment{}, evals: map[string]*BlockedEval{}}
	dec := json.NewDecoder(bytes.NewReader(churnFrames(t)))
	var frames []wireFrame
	for {
		var f wireFrame
		if err := dec.Decode(&f); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	if len(frames) != 3 {
		t.Fatalf("%d frames", len(frames))
	}
	var nodesOnly []wireEvent
	for _, f := range frames {
		if !w.applyLocked(f.Events) {
			t.Errorf("frame %d changed nothing", f.Index)
		}
		for _, e := range f.Events {
			if e.Topic == "Node" {
				nodesOnly = append(nodesOnly, e)
			}
		}
	}
	if len(w.nstate.allocs) == 0 || len(w.nstate.jobs) != 1 || len(w.nstate.nodes) != 1 || len(nodesOnly) == 0 {
		t.Fatalf("applied %d allocs, %d jobs, %d nodes (%d node events)", len(w.nstate.allocs), len(w.nstate.jobs), len(w.nstate.nodes), len(nodesOnly))
	}
	for _, a := range w.nstate.allocs {
		if a.ID == "" || a.JobID != "churn" || a.NodeName == "" || a.ClientStatus == "" || a.ModifyIndex == 0 {
			t.Errorf("alloc = %+v", a)
		}
	}
	held := w.nstate.nodes[nodesOnly[0].Payload.Node.ID]
	if w.applyLocked(nodesOnly) {
		t.Error("the same node again counted as a change")
	}
	if w.nstate.nodes[held.ID] != held {
		t.Error("the same node again replaced the one held")
	}
	// A real change of that node is one.
	drained := nodesOnly[0]
	n := *drained.Payload.Node
	n.SchedulingEligibility, n.ModifyIndex = "ineligible", n.ModifyIndex+1
	drained.Payload.Node = &n
	if !w.applyLocked([]wireEvent{drained}) || w.nstate.nodes[held.ID].Eligible {
		t.Error("a node's change was not applied")
	}
}

// TestSameNodeSeesEveryField: a field added to Node must be compared.
func TestSameNodeSeesEveryField(t *testing.T) {
	base := Node{ID: "a", Meta: map[string]string{"k": "v"}}
	rt := reflect.TypeOf(base)
	for i := range rt.NumField() {
		other := base
		other.Meta = maps.Clone(base.Meta)
		f := reflect.ValueOf(&other).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Bool:
			f.SetBool(!f.Bool())
		case reflect.Uint64:
			f.SetUint(f.Uint() + 1)
		case reflect.Map:
			other.Meta["k"] = "w"
		default:
			t.Fatalf("field %s of kind %s: teach this test (and sameNode)", rt.Field(i).Name, f.Kind())
		}
		if sameNode(&base, &other) {
			t.Errorf("sameNode ignores %s", rt.Field(i).Name)
		}
	}
}

// TestDiffDeploymentsAppearingFinal: a deployment that appears successful
// or cancelled is history (listed after the first frame), not a
// transition; one that appears running or failed is.
func TestDiffDeploymentsAppearingFinal(t *testing.T) {
	in := correlated()
	prev := buildSnapshot(in, grouping{}, time.Unix(150, 0), nil)
	for _, st := range []string{"running", "failed", "successful", "cancelled"} {
		in.Deployments = append(in.Deployments, &Deployment{ID: "dep-" + st, Namespace: "default", JobID: "web", Status: st, ModifyIndex: 9})
	}
	next := buildSnapshot(in, grouping{}, time.Unix(200, 0), prev)
	got := map[string]bool{}
	for _, tr := range Diff(prev, next) {
		if tr.Kind == "deployment" {
			got[tr.To] = true
			if tr.From != "" {
				t.Errorf("an appearing deployment has From %q", tr.From)
			}
		}
	}
	if !got["running"] || !got["failed"] || got["successful"] || got["cancelled"] || len(got) != 2 {
		t.Errorf("deployment transitions to %v, want running and failed only", got)
	}
}
