package sources

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// Consul check statuses, plus our own "maintenance" for instances that are
// deliberately out of service.
const (
	StatusPassing     = "passing"
	StatusWarning     = "warning"
	StatusCritical    = "critical"
	StatusMaintenance = "maintenance"
)

// Check IDs Consul uses for maintenance mode (their status is "critical").
const (
	nodeMaintCheckID     = "_node_maintenance"
	serviceMaintCheckPfx = "_service_maintenance:"
)

// rawNode is a node list stub plus the meta fetched separately (the list
// endpoint of Nomad 1.6 carries no Meta).
type rawNode struct {
	Stub *nomadapi.NodeListStub
	Meta map[string]string
}

// inputs are the raw API results the builder turns into a Snapshot. The
// watcher replaces slices wholesale and never mutates them in place, so a
// shallow copy of inputs can be built without holding a lock.
type inputs struct {
	NomadAddr, ConsulAddr string
	Region                string
	Jobs                  []*nomadapi.JobListStub
	Allocs                []*nomadapi.AllocationListStub
	Nodes                 []rawNode
	Checks                consulapi.HealthChecks
	Datacenter            string
	Nomad, Consul         Health
}

// grouping says how nodes map to sites and who hosts them.
type grouping struct {
	SiteKey string // "" / "datacenter" or "meta.<key>"
	HostKey string // node meta key naming the host member
}

func (g grouping) siteOf(dc string, meta map[string]string) string {
	if k, ok := strings.CutPrefix(g.SiteKey, "meta."); ok {
		return meta[k]
	}
	return dc
}

// buildSnapshot is pure: same inputs, same snapshot (apart from Taken=now).
// Everything it returns is freshly allocated, so the snapshot shares no
// memory with the inputs.
//
// Decisions, documented here once:
//   - Instance status: worst of its service checks and of its Consul node's
//     node-level checks (Consul itself fails an instance whose node check
//     fails). Order: maintenance > critical > warning > passing; maintenance
//     wins because the critical status Consul gives a maintenance check is
//     a deliberate act, not an alarm.
//   - Alloc counts per site: running and pending count allocs whose
//     DesiredStatus is "run" (a running alloc being stopped is on its way
//     out); failed counts every failed alloc Nomad still knows (until GC),
//     whatever its desired status, because a failure stays news after the
//     scheduler replaced the alloc.
//   - Nodes up = status ready; down = down or disconnected; initializing
//     counts as neither.
//   - Instance site: its alloc's node; else a Nomad node with the same name
//     as the Consul node; else "".
func buildSnapshot(in inputs, g grouping, now time.Time) *Snapshot {
	s := &Snapshot{Taken: now}
	s.Nomad.Health = in.Nomad
	s.Nomad.Health.Addr = in.NomadAddr
	s.Nomad.Region = in.Region
	s.Consul.Health = in.Consul
	s.Consul.Health.Addr = in.ConsulAddr
	s.Consul.Datacenter = in.Datacenter

	sites := map[string]*Site{}
	site := func(name string) *Site {
		st := sites[name]
		if st == nil {
			st = &Site{Name: name, Hosts: map[string]string{}}
			sites[name] = st
		}
		return st
	}

	// Nodes first: allocs and instances are placed through them.
	nodeByID := make(map[string]*Node, len(in.Nodes))
	nodeByName := make(map[string]*Node, len(in.Nodes))
	s.Nomad.Nodes = make([]Node, 0, len(in.Nodes))
	for _, rn := range in.Nodes {
		n := rn.Stub
		if n == nil {
			continue
		}
		s.Nomad.Nodes = append(s.Nomad.Nodes, Node{
			ID: n.ID, Name: n.Name, Datacenter: n.Datacenter,
			Status:   n.Status,
			Eligible: n.SchedulingEligibility == nomadapi.NodeSchedulingEligible,
			Drain:    n.Drain,
			NodePool: n.NodePool, Class: n.NodeClass,
			Meta: maps.Clone(rn.Meta),
			Site: g.siteOf(n.Datacenter, rn.Meta),
		})
	}
	slices.SortFunc(s.Nomad.Nodes, func(a, b Node) int {
		return compareStrings(a.Name, b.Name, a.ID, b.ID)
	})
	for i := range s.Nomad.Nodes {
		n := &s.Nomad.Nodes[i]
		nodeByID[n.ID] = n
		nodeByName[n.Name] = n
		st := site(n.Site)
		switch n.Status {
		case "ready":
			st.NodesUp++
		case "down", "disconnected":
			st.NodesDown++
		}
		if h := n.Meta[g.HostKey]; h != "" {
			st.Hosts[n.Name] = h
		}
	}

	s.Nomad.Jobs = make([]Job, 0, len(in.Jobs))
	for _, j := range in.Jobs {
		if j == nil {
			continue
		}
		job := Job{
			ID: j.ID, Name: j.Name, Namespace: j.Namespace,
			Type: j.Type, Status: j.Status,
			Datacenters: slices.Clone(j.Datacenters),
		}
		if j.JobSummary != nil {
			for _, tg := range j.JobSummary.Summary {
				job.Running += tg.Running
				job.Failed += tg.Failed
				job.Lost += tg.Lost
				job.Queued += tg.Queued
				job.Starting += tg.Starting
				job.Complete += tg.Complete
			}
		}
		s.Nomad.Jobs = append(s.Nomad.Jobs, job)
	}
	slices.SortFunc(s.Nomad.Jobs, func(a, b Job) int {
		return compareStrings(a.Namespace, b.Namespace, a.ID, b.ID)
	})

	// The job list stub carries no version: take the highest one seen on
	// the job's allocations (0 while it has none).
	type jobKey struct{ ns, id string }
	jobIdx := make(map[jobKey]int, len(s.Nomad.Jobs))
	for i, j := range s.Nomad.Jobs {
		jobIdx[jobKey{j.Namespace, j.ID}] = i
	}

	// Sort pointers, not the large Alloc structs: 10k allocs sort ~3x faster.
	stubs := slices.DeleteFunc(slices.Clone(in.Allocs), func(a *nomadapi.AllocationListStub) bool { return a == nil })
	slices.SortFunc(stubs, func(a, b *nomadapi.AllocationListStub) int {
		return compareStrings(a.Namespace, b.Namespace, a.JobID, b.JobID, a.Name, b.Name, a.ID, b.ID)
	})
	allocSite := make(map[string]string, len(stubs))
	s.Nomad.Allocs = make([]Alloc, 0, len(stubs))
	for _, a := range stubs {
		al := Alloc{
			ID: a.ID, Name: a.Name, Namespace: a.Namespace,
			JobID: a.JobID, TaskGroup: a.TaskGroup,
			NodeID: a.NodeID, NodeName: a.NodeName,
			ClientStatus: a.ClientStatus, DesiredStatus: a.DesiredStatus,
			CreateTime: unixNano(a.CreateTime), ModifyTime: unixNano(a.ModifyTime),
		}
		if n := nodeByID[a.NodeID]; n != nil {
			al.Datacenter, al.Site = n.Datacenter, n.Site
		}
		for _, ts := range a.TaskStates {
			if ts != nil {
				al.Restarts += int(ts.Restarts)
			}
		}
		if i, ok := jobIdx[jobKey{a.Namespace, a.JobID}]; ok && a.JobVersion > s.Nomad.Jobs[i].Version {
			s.Nomad.Jobs[i].Version = a.JobVersion
		}
		allocSite[al.ID] = al.Site
		st := site(al.Site)
		switch {
		case al.ClientStatus == "failed":
			st.AllocsFailed++
		case al.DesiredStatus != "run":
		case al.ClientStatus == "running":
			st.AllocsRunning++
		case al.ClientStatus == "pending":
			st.AllocsPending++
		}
		s.Nomad.Allocs = append(s.Nomad.Allocs, al)
	}

	s.Consul.Checks, s.Consul.Instances = buildServices(in.Checks)
	for i := range s.Consul.Instances {
		inst := &s.Consul.Instances[i]
		if as, ok := allocSite[inst.AllocID]; ok && inst.AllocID != "" {
			inst.Site = as
		} else if n := nodeByName[inst.Node]; n != nil {
			inst.Site = n.Site
		}
		st := site(inst.Site)
		switch inst.Status {
		case StatusPassing:
			st.ServicesPassing++
		case StatusWarning:
			st.ServicesWarning++
		case StatusCritical:
			st.ServicesCritical++
		case StatusMaintenance:
			st.ServicesMaintenance++
		}
	}

	s.Sites = make([]Site, 0, len(sites))
	for _, st := range sites {
		s.Sites = append(s.Sites, *st)
	}
	slices.SortFunc(s.Sites, func(a, b Site) int { return cmp.Compare(a.Name, b.Name) })
	return s
}

// buildServices copies checks and derives one instance per (Consul node,
// service ID); service IDs are only unique per agent.
func buildServices(in consulapi.HealthChecks) ([]Check, []ServiceInstance) {
	checks := make([]Check, 0, len(in))
	type key struct{ node, id string }
	byKey := map[key]*ServiceInstance{}
	nodeStatus := map[string]string{} // worst node-level check per Consul node
	for _, c := range in {
		if c == nil {
			continue
		}
		checks = append(checks, Check{
			ID: c.CheckID, Name: c.Name, Node: c.Node,
			ServiceID: c.ServiceID, Service: c.ServiceName,
			Status: c.Status, Output: c.Output, Type: c.Type,
		})
		st := checkStatus(c)
		if c.ServiceID == "" {
			nodeStatus[c.Node] = worse(nodeStatus[c.Node], st)
			continue
		}
		k := key{c.Node, c.ServiceID}
		inst := byKey[k]
		if inst == nil {
			inst = &ServiceInstance{
				ID: c.ServiceID, Service: c.ServiceName, Node: c.Node,
				Tags:    slices.Clone(c.ServiceTags),
				AllocID: parseAllocID(c.ServiceID),
			}
			byKey[k] = inst
		}
		inst.Status = worse(inst.Status, st)
	}
	slices.SortFunc(checks, func(a, b Check) int {
		return compareStrings(a.Node, b.Node, a.ServiceID, b.ServiceID, a.ID, b.ID)
	})
	insts := make([]ServiceInstance, 0, len(byKey))
	for _, inst := range byKey {
		inst.Status = worse(inst.Status, nodeStatus[inst.Node])
		insts = append(insts, *inst)
	}
	slices.SortFunc(insts, func(a, b ServiceInstance) int {
		return compareStrings(a.Service, b.Service, a.Node, b.Node, a.ID, b.ID)
	})
	return checks, insts
}

// checkStatus maps a check to its status, turning Consul's maintenance
// checks (reported as critical) into "maintenance".
func checkStatus(c *consulapi.HealthCheck) string {
	if c.CheckID == nodeMaintCheckID || strings.HasPrefix(c.CheckID, serviceMaintCheckPfx) {
		return StatusMaintenance
	}
	return c.Status
}

// severity orders statuses; unknown ones rank like warning, so a status we
// do not know is never shown as healthy.
func severity(s string) int {
	switch s {
	case "":
		return 0
	case StatusPassing:
		return 1
	case StatusWarning:
		return 2
	case StatusCritical:
		return 3
	case StatusMaintenance:
		return 4
	}
	return 2
}

// worse returns the worse of two statuses (an unknown status is reported
// as warning).
func worse(a, b string) string {
	w := a
	if severity(b) > severity(a) {
		w = b
	}
	if severity(w) == 2 {
		return StatusWarning
	}
	return w
}

const nomadServicePrefix = "_nomad-task-"

// parseAllocID extracts the allocation ID from the Consul service ID Nomad
// registers: _nomad-task-<36-char alloc id>-<task>-<service>-<port label>.
func parseAllocID(serviceID string) string {
	rest, ok := strings.CutPrefix(serviceID, nomadServicePrefix)
	if !ok || len(rest) < 36 {
		return ""
	}
	id := rest[:36]
	if len(rest) > 36 && rest[36] != '-' {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return ""
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return ""
			}
		}
	}
	return id
}

func unixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// compareStrings compares (a1, b1), then (a2, b2)... and stops at the first
// difference (cmp.Or would evaluate every comparison).
func compareStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}
