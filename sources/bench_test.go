package sources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// benchInputs: 500 nodes over 3 sites, 10k allocs (with a task and two
// task events each), 2k service instances with two checks each, plus one
// node check per Consul node, 200 jobs with a deployment each.
func benchInputs() inputs {
	sites := []string{"paris", "lyon", "bruxelles"}
	var in inputs
	in.Nomad.Updated, in.Consul.Updated = time.Unix(1, 0), time.Unix(1, 0)
	for i := range 500 {
		in.Nodes = append(in.Nodes, nodeStub(fmt.Sprintf("node-%04d", i), fmt.Sprintf("n%04d", i), "dc1", "ready",
			map[string]string{"site": sites[i%3], "hosted_by": fmt.Sprintf("member%d", i%40)}))
	}
	for i := range 200 {
		in.Jobs = append(in.Jobs, job(fmt.Sprintf("job-%03d", i), "dc1"))
		in.Deployments = append(in.Deployments, &Deployment{ID: fmt.Sprintf("dep-%03d", i), JobID: fmt.Sprintf("job-%03d", i),
			Namespace: "default", Status: "successful", Groups: []DeploymentGroup{{Name: "g", Desired: 50, Healthy: 50}}})
	}
	statuses := []string{"running", "running", "running", "pending", "failed", "complete"}
	ids := make([]string, 10000)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		a := allocStub(ids[i], fmt.Sprintf("job-%03d", i%200), fmt.Sprintf("node-%04d", i%500),
			statuses[i%len(statuses)], "run", uint64(i%3))
		a.ModifyIndex = uint64(i + 1)
		for ti := range a.Tasks {
			a.Tasks[ti].Events = []TaskEvent{{Time: t0, Type: "Received", Message: "Task received by client"}, {Time: t0, Type: "Started", Message: "Task started by client"}}
		}
		in.Allocs = append(in.Allocs, a)
	}
	checkStatus := []string{"passing", "passing", "passing", "warning", "critical"}
	for i := range 2000 {
		node := fmt.Sprintf("n%04d", i%500)
		sid := "_nomad-task-" + ids[i*5] + "-group-g-svc-http"
		for c := range 2 {
			in.Checks = append(in.Checks, &consulapi.HealthCheck{Node: node, CheckID: fmt.Sprintf("_nomad-check-%d-%d", i, c),
				ServiceID: sid, ServiceName: fmt.Sprintf("svc%d", i%100), Status: checkStatus[(i+c)%len(checkStatus)],
				ServiceTags: []string{"http"}, Output: "HTTP GET: 200 OK", ModifyIndex: uint64(i)})
		}
	}
	for i := range 500 {
		in.Checks = append(in.Checks, check(fmt.Sprintf("n%04d", i), "serfHealth", "", "", "passing"))
	}
	return in
}

// churned returns in with 1% of allocations and checks changed, one node
// down and one drained: a busy publish.
func churned(in inputs) inputs {
	out := in
	out.Allocs = append([]*Alloc(nil), in.Allocs...)
	for i := 0; i < len(out.Allocs); i += 100 {
		a := *out.Allocs[i]
		a.ClientStatus, a.ModifyIndex = "failed", a.ModifyIndex+100000
		out.Allocs[i] = &a
	}
	out.Checks = append(consulapi.HealthChecks(nil), in.Checks...)
	for i := 0; i < len(out.Checks); i += 100 {
		c := *out.Checks[i]
		c.Status, c.ModifyIndex = "critical", c.ModifyIndex+100000
		out.Checks[i] = &c
	}
	out.Nodes = append([]*Node(nil), in.Nodes...)
	down, drain := *out.Nodes[0], *out.Nodes[1]
	down.Status, down.ModifyIndex = "down", 9
	drain.Drain, drain.Eligible, drain.ModifyIndex = true, false, 9
	out.Nodes[0], out.Nodes[1] = &down, &drain
	return out
}

var benchGroup = grouping{SiteKey: "meta.site", HostKey: "hosted_by"}

func BenchmarkBuildSnapshot(b *testing.B) {
	in := benchInputs()
	now := time.Now()
	if s := buildSnapshot(in, benchGroup, now, nil); len(s.Nomad.Allocs) != 10000 || len(s.Consul.Instances) != 2000 || len(s.Sites) != 3 || len(s.Nomad.Nodes) != 500 {
		b.Fatalf("bench inputs wrong: %d allocs, %d instances, %d sites", len(s.Nomad.Allocs), len(s.Consul.Instances), len(s.Sites))
	}
	b.ReportAllocs()
	for b.Loop() {
		buildSnapshot(in, benchGroup, now, nil)
	}
}

// BenchmarkDiffSnapshots: transitions between two 10k-alloc snapshots
// with 1% churn (what each publish costs on top of the build).
func BenchmarkDiffSnapshots(b *testing.B) {
	in := benchInputs()
	prev := buildSnapshot(in, benchGroup, time.Unix(10, 0), nil)
	next := buildSnapshot(churned(in), benchGroup, time.Unix(11, 0), prev)
	ts := Diff(prev, next)
	// ~67 allocs (the others were failed already) + checks + 2 nodes + sites.
	if len(ts) < 100 {
		b.Fatalf("only %d transitions", len(ts))
	}
	b.ReportAllocs()
	for b.Loop() {
		Diff(prev, next)
	}
}

// BenchmarkDiffIdle: nothing changed, the common case between publishes.
func BenchmarkDiffIdle(b *testing.B) {
	in := benchInputs()
	prev := buildSnapshot(in, benchGroup, time.Unix(10, 0), nil)
	next := buildSnapshot(in, benchGroup, time.Unix(11, 0), prev)
	if ts := Diff(prev, next); len(ts) != 0 {
		b.Fatalf("idle diff = %d transitions", len(ts))
	}
	b.ReportAllocs()
	for b.Loop() {
		Diff(prev, next)
	}
}

// churnFrames reads testdata/churn-frames.json: three frames of Nomad
// 1.6.3's event stream under the bench's churn (a client's allocation
// update with the node Nomad sends along, a plan's result, a job
// registration), as the server sent them.
func churnFrames(tb testing.TB) []byte {
	b, err := os.ReadFile("testdata/churn-frames.json")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkStreamFrames: decoding and applying the stream under churn,
// per op the three frames. "typed" is the watcher's way (the payloads decoded with the
// frame); "twopass" is the way before it (payloads kept as raw JSON, then
// decoded each), kept as the measure of the change.
func BenchmarkStreamFrames(b *testing.B) {
	data := churnFrames(b)
	newWatcher := func() *Watcher {
		w := &Watcher{nodeMeta: map[string]*Node{}}
		w.nstate = nomadState{jobs: map[string]*Job{}, allocs: map[string]*Alloc{}, nodes: map[string]*Node{}, deps: map[string]*Deployment{}, evals: map[string]*BlockedEval{}}
		return w
	}
	b.Run("typed", func(b *testing.B) {
		w := newWatcher()
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(data))
			for {
				var f wireFrame
				if err := dec.Decode(&f); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
				w.applyLocked(f.Events)
			}
		}
		if len(w.nstate.allocs) == 0 {
			b.Fatal("no allocation applied")
		}
	})
	b.Run("twopass", func(b *testing.B) {
		type rawEvent struct {
			Topic, Type string
			Payload     json.RawMessage
		}
		type rawFrame struct {
			Index  uint64
			Events []rawEvent
		}
		w := newWatcher()
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(data))
			for {
				var f rawFrame
				if err := dec.Decode(&f); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
				evs := make([]wireEvent, 0, len(f.Events))
				for _, e := range f.Events {
					we := wireEvent{Topic: e.Topic, Type: e.Type}
					if err := json.Unmarshal(e.Payload, &we.Payload); err != nil {
						continue
					}
					evs = append(evs, we)
				}
				w.applyLocked(evs)
			}
		}
		if len(w.nstate.allocs) == 0 {
			b.Fatal("no allocation applied")
		}
	})
}

// BenchmarkBuildSnapshotChurn: a publish under churn, the previous
// snapshot at hand, its inputs in map order as the watcher gives them.
func BenchmarkBuildSnapshotChurn(b *testing.B) {
	in := benchInputs()
	prev := buildSnapshot(in, benchGroup, time.Unix(10, 0), nil)
	next := churned(in)
	rand.Shuffle(len(next.Allocs), func(i, j int) { next.Allocs[i], next.Allocs[j] = next.Allocs[j], next.Allocs[i] })
	s := buildSnapshot(next, benchGroup, time.Unix(11, 0), prev)
	if !slices.IsSortedFunc(ptrs(s.Nomad.Allocs), compareAllocs) || len(s.Nomad.Allocs) != 10000 {
		b.Fatal("allocations not sorted")
	}
	// "prev" is the watcher's case; "noprev" sorts from the map's order.
	for _, c := range []struct {
		name string
		prev *Snapshot
	}{{"prev", prev}, {"noprev", nil}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buildSnapshot(next, benchGroup, time.Unix(11, 0), c.prev)
			}
		})
	}
}

func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}
