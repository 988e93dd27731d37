package sources

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"sort"
	"strings"
	"time"
)

// Wire types decode both the list endpoints and the event stream payloads.
// They hold only the fields entretien reads: decoding into the api
// package's full types would fail on any field whose server-side type
// differs, and costs more under churn.

type wireJob struct {
	ID, Name, Namespace, Type, Status, StatusDescription string
	Datacenters                                          []string
	Stop                                                 bool
	Version                                              *uint64 // absent from list stubs
	ModifyIndex                                          uint64
}

type wireTaskEvent struct {
	Type           string
	Time           int64
	DisplayMessage string
}

type wireTaskState struct {
	State                              string
	Failed                             bool
	Restarts                           uint64
	LastRestart, StartedAt, FinishedAt time.Time
	Events                             []wireTaskEvent
}

type wireAlloc struct {
	ID, Name, Namespace, NodeID, NodeName, JobID, TaskGroup string
	DesiredStatus, DesiredDescription                       string
	ClientStatus, ClientDescription                         string
	JobVersion                                              *uint64 // list stubs only
	DeploymentID                                            string  // events only
	DeploymentStatus                                        *struct{ Healthy *bool }
	NextAllocation                                          string
	TaskStates                                              map[string]*wireTaskState
	AllocatedResources                                      *struct{ Shared struct{ Ports []Port } }
	CreateIndex, ModifyIndex                                uint64
	CreateTime, ModifyTime                                  int64
}

type wireNode struct {
	ID, Name, Datacenter, NodeClass, NodePool        string
	Status, StatusDescription, SchedulingEligibility string
	// Address: list stubs only, the node's fingerprinted IP. A full node
	// (GET /v1/node/:id, event payloads) has it in its attributes instead,
	// and HTTPAddr (the client's advertised HTTP address).
	Address, HTTPAddr string
	Attributes        struct {
		IP string `json:"unique.network.ip-address"`
	}
	Drain         bool      // list stubs
	DrainStrategy *struct{} // full node: non-nil while draining
	Meta          map[string]string
	ModifyIndex   uint64
}

// address is the IP the node advertises, whichever form it came in.
func (n *wireNode) address() string {
	switch {
	case n.Address != "":
		return n.Address
	case n.Attributes.IP != "":
		return n.Attributes.IP
	}
	if host, _, err := net.SplitHostPort(n.HTTPAddr); err == nil {
		return host
	}
	return n.HTTPAddr
}

type wireDeploymentState struct {
	Promoted                                                   bool
	DesiredCanaries, DesiredTotal, PlacedAllocs, HealthyAllocs int
	UnhealthyAllocs                                            int
}

type wireDeployment struct {
	ID, Namespace, JobID, Status, StatusDescription string
	JobVersion                                      uint64
	TaskGroups                                      map[string]*wireDeploymentState
	CreateIndex, ModifyIndex                        uint64
}

type wireMetric struct {
	NodesEvaluated, NodesFiltered, NodesExhausted int
	NodesAvailable                                map[string]int
	ConstraintFiltered, DimensionExhausted        map[string]int
	CoalescedFailures                             int
}

type wireEval struct {
	ID, Namespace, JobID, Status, StatusDescription, TriggeredBy string
	QueuedAllocations                                            map[string]int
	FailedTGAllocs                                               map[string]*wireMetric
	ModifyIndex                                                  uint64
}

// maxTaskEvents bounds the recent task events kept per task.
const maxTaskEvents = 5

func (j *wireJob) toJob() *Job {
	out := &Job{
		ID: j.ID, Name: j.Name, Namespace: j.Namespace, Type: j.Type, Status: j.Status,
		StatusDescription: j.StatusDescription, Stop: j.Stop, ModifyIndex: j.ModifyIndex,
		Datacenters: slices.Clone(j.Datacenters),
	}
	if j.Version != nil {
		out.Version = *j.Version
	}
	return out
}

func (a *wireAlloc) toAlloc() *Alloc {
	out := &Alloc{
		ID: a.ID, Name: a.Name, Namespace: a.Namespace, JobID: a.JobID, TaskGroup: a.TaskGroup,
		NodeID: a.NodeID, NodeName: a.NodeName,
		ClientStatus: a.ClientStatus, DesiredStatus: a.DesiredStatus,
		ClientDescription: a.ClientDescription, DesiredDescription: a.DesiredDescription,
		DeploymentID: a.DeploymentID, NextAllocation: a.NextAllocation,
		CreateTime: unixNano(a.CreateTime), ModifyTime: unixNano(a.ModifyTime),
		CreateIndex: a.CreateIndex, ModifyIndex: a.ModifyIndex,
	}
	if a.JobVersion != nil {
		out.JobVersion = *a.JobVersion
	}
	if r := a.AllocatedResources; r != nil && len(r.Shared.Ports) > 0 {
		out.Ports = slices.Clone(r.Shared.Ports)
	}
	if ds := a.DeploymentStatus; ds != nil && ds.Healthy != nil {
		out.DeploymentHealth = "unhealthy"
		if *ds.Healthy {
			out.DeploymentHealth = "healthy"
		}
	}
	names := slices.Sorted(maps.Keys(a.TaskStates))
	for _, name := range names {
		ts := a.TaskStates[name]
		if ts == nil {
			continue
		}
		t := TaskState{
			Name: name, State: ts.State, Failed: ts.Failed, Restarts: int(ts.Restarts),
			LastRestart: ts.LastRestart, StartedAt: ts.StartedAt, FinishedAt: ts.FinishedAt,
		}
		evs := ts.Events[max(0, len(ts.Events)-maxTaskEvents):]
		for _, e := range evs {
			t.Events = append(t.Events, TaskEvent{Time: unixNano(e.Time), Type: e.Type, Message: e.DisplayMessage})
		}
		out.Restarts += t.Restarts
		out.Tasks = append(out.Tasks, t)
	}
	return out
}

// toNode converts a node; Meta is left to the caller (list stubs lack it).
func (n *wireNode) toNode() *Node {
	return &Node{
		ID: n.ID, Name: n.Name, Datacenter: n.Datacenter, Status: n.Status,
		StatusDescription: n.StatusDescription, Address: n.address(),
		Eligible: n.SchedulingEligibility == "eligible",
		Drain:    n.Drain || n.DrainStrategy != nil,
		NodePool: n.NodePool, Class: n.NodeClass,
		Meta: maps.Clone(n.Meta), ModifyIndex: n.ModifyIndex,
	}
}

func (d *wireDeployment) toDeployment() *Deployment {
	out := &Deployment{
		ID: d.ID, JobID: d.JobID, Namespace: d.Namespace, JobVersion: d.JobVersion,
		Status: d.Status, StatusDescription: d.StatusDescription,
		CreateIndex: d.CreateIndex, ModifyIndex: d.ModifyIndex,
	}
	for _, name := range slices.Sorted(maps.Keys(d.TaskGroups)) {
		g := d.TaskGroups[name]
		if g == nil {
			continue
		}
		out.Groups = append(out.Groups, DeploymentGroup{
			Name: name, Desired: g.DesiredTotal, Placed: g.PlacedAllocs, Healthy: g.HealthyAllocs,
			Unhealthy: g.UnhealthyAllocs, Canaries: g.DesiredCanaries, Promoted: g.Promoted,
		})
	}
	return out
}

// toBlocked converts a blocked evaluation, with a one-line reason per
// group built from the placement metrics.
func (e *wireEval) toBlocked() *BlockedEval {
	out := &BlockedEval{ID: e.ID, JobID: e.JobID, Namespace: e.Namespace, TriggeredBy: e.TriggeredBy, ModifyIndex: e.ModifyIndex}
	for _, n := range e.QueuedAllocations {
		out.Queued += n
	}
	if out.Queued == 0 {
		// A blocked evaluation usually carries no QueuedAllocations (the
		// evaluation that created it does): count the failed placements.
		for _, m := range e.FailedTGAllocs {
			if m != nil {
				out.Queued += 1 + m.CoalescedFailures
			}
		}
	}
	var reasons []string
	for _, g := range slices.Sorted(maps.Keys(e.FailedTGAllocs)) {
		m := e.FailedTGAllocs[g]
		if m == nil {
			continue
		}
		r := fmt.Sprintf("group %s: no node fits (%d evaluated, %d filtered, %d exhausted)", g, m.NodesEvaluated, m.NodesFiltered, m.NodesExhausted)
		if ex := topKeys(m.DimensionExhausted); ex != "" {
			r += ", exhausted " + ex
		}
		if cf := topKeys(m.ConstraintFiltered); cf != "" {
			r += ", filtered by " + cf
		}
		reasons = append(reasons, r)
	}
	out.Reason = strings.Join(reasons, "; ")
	if out.Reason == "" {
		out.Reason = e.StatusDescription
	}
	return out
}

// topKeys lists a metric map's keys, most frequent first.
func topKeys(m map[string]int) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return strings.Join(keys, ", ")
}
