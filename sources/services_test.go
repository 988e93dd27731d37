package sources

import (
	"slices"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// A service's summary: counts by status, the worst of them, its sites;
// services without checks are listed as unchecked.
func TestServices(t *testing.T) {
	in := inputs{
		Datacenter: "dc1",
		Nodes:      []*Node{nodeStub("id1", "n1", "paris", "ready", nil), nodeStub("id2", "n2", "lyon", "ready", nil)},
		Checks: consulapi.HealthChecks{
			check("n1", "http", "web-1", "web", "passing"),
			check("n2", "http", "web-2", "web", "passing"),
			check("n2", "_service_maintenance:web-2", "web-2", "web", "critical"),
			check("n1", "tcp", "db-1", "db", "warning"),
			check("n2", "tcp", "db-2", "db", "critical"),
		},
		Services: map[string][]string{"web": nil, "db": nil, "mirror": {"rsync"}},
	}
	s := buildSnapshot(in, grouping{}, time.Now(), nil)
	got := s.Services()
	want := []ServiceSummary{
		{Name: "db", Status: StatusCritical, Warning: 1, Critical: 1, All: 2, Sites: []string{"lyon", "paris"}},
		{Name: "mirror", Unchecked: true},
		{Name: "web", Status: StatusMaintenance, Passing: 1, Maintenance: 1, All: 2, Sites: []string{"lyon", "paris"}},
	}
	if !slices.EqualFunc(got, want, func(a, b ServiceSummary) bool {
		return a.Name == b.Name && a.Status == b.Status && a.Passing == b.Passing && a.Warning == b.Warning &&
			a.Critical == b.Critical && a.Maintenance == b.Maintenance && a.All == b.All &&
			slices.Equal(a.Sites, b.Sites) && a.Unchecked == b.Unchecked
	}) {
		t.Errorf("Services() =\n%+v\nwant\n%+v", got, want)
	}
}

// The check failing an instance: its worst own check, else its node's.
func TestFailingCheck(t *testing.T) {
	in := inputs{Datacenter: "dc1", Checks: consulapi.HealthChecks{
		check("n1", "http", "web-1", "web", "warning"),
		check("n1", "tcp", "web-1", "web", "critical"),
		check("n1", "ok", "web-1", "web", "passing"),
		check("n2", "http", "web-2", "web", "passing"),
		check("n2", "serfHealth", "", "", "critical"),
		check("n3", "http", "web-3", "web", "passing"),
		check("n3", "serfHealth", "", "", "passing"),
	}}
	s := buildSnapshot(in, grouping{}, time.Now(), nil)
	for id, want := range map[string]string{"web-1": "tcp", "web-2": "serfHealth", "web-3": ""} {
		inst, ok := s.InstanceByID(id)
		if !ok {
			t.Fatalf("no instance %s", id)
		}
		c, found := s.FailingCheck(inst)
		if c.ID != want || found != (want != "") {
			t.Errorf("FailingCheck(%s) = %q, %v; want %q", id, c.ID, found, want)
		}
	}
}

// How a member reads a job and a task.
func TestJobAndTaskState(t *testing.T) {
	if got := (Job{Status: "dead", Stop: true}).State(); got != "stopped" {
		t.Errorf("stopped job = %q", got)
	}
	if got := (Job{Status: "dead"}).State(); got != "dead" {
		t.Errorf("dead job = %q", got)
	}
	if got := (TaskState{State: "dead", Failed: true}).Status(); got != "failed" {
		t.Errorf("failed task = %q", got)
	}
	if got := (TaskState{State: "running"}).Status(); got != "running" {
		t.Errorf("running task = %q", got)
	}
	for typ, want := range map[string]string{"Terminated": "failed", "Driver Failure": "failed", "Killed": "failed",
		"Not Restarting": "failed", "Restarting": "restarting", "Started": "", "Received": ""} {
		if got := (TaskEvent{Type: typ}).Status(); got != want {
			t.Errorf("task event %s = %q, want %q", typ, got, want)
		}
	}
}
