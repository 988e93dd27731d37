package sources

import (
	"fmt"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// benchInputs: 500 nodes over 3 sites, 10k allocs, 2k service instances
// with two checks each, plus one node check per Consul node.
func benchInputs() inputs {
	sites := []string{"paris", "lyon", "bruxelles"}
	var in inputs
	for i := range 500 {
		in.Nodes = append(in.Nodes, nodeStub(fmt.Sprintf("node-%04d", i), fmt.Sprintf("n%04d", i), "dc1", "ready",
			map[string]string{"site": sites[i%3], "hosted_by": fmt.Sprintf("member%d", i%40)}))
	}
	for i := range 200 {
		in.Jobs = append(in.Jobs, &nomadapi.JobListStub{ID: fmt.Sprintf("job-%03d", i), Namespace: "default",
			JobSummary: &nomadapi.JobSummary{Summary: map[string]nomadapi.TaskGroupSummary{"g": {Running: 50}}}})
	}
	statuses := []string{"running", "running", "running", "pending", "failed", "complete"}
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		in.Allocs = append(in.Allocs, allocStub(ids[i], fmt.Sprintf("job-%03d", i%200), fmt.Sprintf("node-%04d", i%500),
			statuses[i%len(statuses)], "run", uint64(i%3)))
	}
	checkStatus := []string{"passing", "passing", "passing", "warning", "critical"}
	for i := range 2000 {
		node := fmt.Sprintf("n%04d", i%500)
		sid := "_nomad-task-" + ids[i*5] + "-group-g-svc-http"
		for c := range 2 {
			in.Checks = append(in.Checks, &consulapi.HealthCheck{Node: node, CheckID: fmt.Sprintf("_nomad-check-%d-%d", i, c),
				ServiceID: sid, ServiceName: fmt.Sprintf("svc%d", i%100), Status: checkStatus[(i+c)%len(checkStatus)],
				ServiceTags: []string{"http"}})
		}
	}
	for i := range 500 {
		in.Checks = append(in.Checks, check(fmt.Sprintf("n%04d", i), "serfHealth", "", "", "passing"))
	}
	return in
}

func BenchmarkBuildSnapshot(b *testing.B) {
	in := benchInputs()
	g := grouping{SiteKey: "meta.site", HostKey: "hosted_by"}
	now := time.Now()
	if s := buildSnapshot(in, g, now); len(s.Nomad.Allocs) != 10000 || len(s.Consul.Instances) != 2000 || len(s.Sites) != 3 {
		b.Fatalf("bench inputs wrong: %d allocs, %d instances, %d sites", len(s.Nomad.Allocs), len(s.Consul.Instances), len(s.Sites))
	}
	b.ReportAllocs()
	for b.Loop() {
		buildSnapshot(in, g, now)
	}
}
