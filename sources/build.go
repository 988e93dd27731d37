package sources

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
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

// inputs are what the builder turns into a Snapshot: the watcher's
// records (never mutated once stored, so shared rather than copied) and
// Consul's raw answers.
type inputs struct {
	NomadAddr, ConsulAddr string
	Region                string
	Jobs                  []*Job
	Allocs                []*Alloc
	Nodes                 []*Node
	Deployments           []*Deployment
	Evals                 []*BlockedEval
	Checks                consulapi.HealthChecks // local datacenter
	Services              map[string][]string    // local datacenter: every service name, with tags
	Remote                []dcChecks             // other datacenters
	ConsulNodes           []*consulapi.Node
	Datacenter            string // local Consul datacenter
	DCs                   []ConsulDatacenter
	Nomad, Consul         Health
	Store                 StoreCluster
}

type dcChecks struct {
	Name     string
	Checks   consulapi.HealthChecks
	Services map[string][]string
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

// buildSnapshot is pure: same inputs, same snapshot (apart from Taken=now
// and outage Since, carried over from prev, which may be nil). It never
// mutates its inputs; the snapshot shares their immutable maps and slices.
//
// Decisions, documented here once:
//   - Instance status: worst of its service checks and of its Consul node's
//     node-level checks (Consul itself fails an instance whose node check
//     fails), by StatusRank, except that maintenance masks the rest: the
//     critical status Consul gives a maintenance check is a deliberate
//     act, not an alarm.
//   - Alloc counts per site: running and pending count allocs whose
//     DesiredStatus is "run" (a running alloc being stopped is on its way
//     out); failed counts every failed alloc Nomad still knows (until GC),
//     whatever its desired status, because a failure stays news after the
//     scheduler replaced the alloc.
//   - Job counts come from the same alloc list (so they match what is
//     shown), Queued from blocked evaluations.
//   - Nodes up = status ready; down = down or disconnected; initializing
//     counts as neither.
//   - Instance site: its alloc's node; else a Nomad node with the same name
//     as the Consul node; else the Consul node's meta under the site key
//     (when grouping by meta); else "".
func buildSnapshot(in inputs, g grouping, now time.Time, prev *Snapshot) *Snapshot {
	s := &Snapshot{Taken: now}
	s.Nomad.Health = in.Nomad
	s.Nomad.Health.Addr = in.NomadAddr
	s.Nomad.Region = in.Region
	s.Consul.Health = in.Consul
	s.Consul.Health.Addr = in.ConsulAddr
	s.Consul.Datacenter = in.Datacenter
	s.Consul.Datacenters = slices.Clone(in.DCs)
	s.Store = in.Store
	for i := range s.Consul.Datacenters {
		s.Consul.Datacenters[i].Addr = in.ConsulAddr
	}

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
	nodes := slices.DeleteFunc(slices.Clone(in.Nodes), func(n *Node) bool { return n == nil })
	slices.SortFunc(nodes, func(a, b *Node) int { return compareStrings(a.Name, b.Name, a.ID, b.ID) })
	s.Nomad.Nodes = make([]Node, len(nodes))
	nodeByID := make(map[string]*Node, len(nodes))
	nodeByName := make(map[string]*Node, len(nodes))
	for i, rn := range nodes {
		n := &s.Nomad.Nodes[i]
		*n = *rn
		n.Site = g.siteOf(n.Datacenter, n.Meta)
		nodeByID[n.ID] = n
		nodeByName[n.Name] = n
		st := site(n.Site)
		switch {
		case n.Status == "ready":
			st.NodesUp++
		case n.Down():
			st.NodesDown++
		}
		if h := n.Meta[g.HostKey]; h != "" {
			st.Hosts[n.Name] = h
		}
	}

	jobs := slices.DeleteFunc(slices.Clone(in.Jobs), func(j *Job) bool { return j == nil })
	slices.SortFunc(jobs, func(a, b *Job) int { return compareStrings(a.Namespace, b.Namespace, a.ID, b.ID) })
	s.Nomad.Jobs = make([]Job, len(jobs))
	type nsID struct{ ns, id string }
	jobIdx := make(map[nsID]int, len(jobs))
	for i, j := range jobs {
		s.Nomad.Jobs[i] = *j
		jb := &s.Nomad.Jobs[i]
		jb.Running, jb.Failed, jb.Lost, jb.Queued, jb.Starting, jb.Complete = 0, 0, 0, 0, 0, 0
		jobIdx[nsID{j.Namespace, j.ID}] = i
	}

	// Deployments: newest first per job; the one of (job, version) names
	// the deployment of allocs that do not carry it (list stubs).
	deps := slices.DeleteFunc(slices.Clone(in.Deployments), func(d *Deployment) bool { return d == nil })
	slices.SortFunc(deps, func(a, b *Deployment) int {
		if c := compareStrings(a.Namespace, b.Namespace, a.JobID, b.JobID); c != 0 {
			return c
		}
		return cmp.Compare(b.CreateIndex, a.CreateIndex)
	})
	s.Nomad.Deployments = make([]Deployment, len(deps))
	type depKey struct {
		ns, job string
		v       uint64
	}
	depOf := make(map[depKey]string, len(deps))
	for i, d := range deps {
		s.Nomad.Deployments[i] = *d
		k := depKey{d.Namespace, d.JobID, d.JobVersion}
		if _, ok := depOf[k]; !ok {
			depOf[k] = d.ID
		}
	}

	evals := slices.DeleteFunc(slices.Clone(in.Evals), func(e *BlockedEval) bool { return e == nil })
	slices.SortFunc(evals, func(a, b *BlockedEval) int {
		return compareStrings(a.Namespace, b.Namespace, a.JobID, b.JobID, a.ID, b.ID)
	})
	s.Nomad.BlockedEvals = make([]BlockedEval, len(evals))
	for i, e := range evals {
		s.Nomad.BlockedEvals[i] = *e
		if ji, ok := jobIdx[nsID{e.Namespace, e.JobID}]; ok {
			s.Nomad.Jobs[ji].Queued += e.Queued
		}
	}

	// Sort pointers, not the large Alloc structs: 10k allocs sort ~3x faster.
	// Put first in the previous snapshot's order: the sort then finds them
	// sorted (the inputs come from a map, in random order), and only the
	// new ones cost comparisons.
	stubs := inPrevOrder(in.Allocs, prev)
	slices.SortFunc(stubs, compareAllocs)
	allocByID := make(map[string]*Alloc, len(stubs))
	s.Nomad.Allocs = make([]Alloc, len(stubs))
	for i, a := range stubs {
		al := &s.Nomad.Allocs[i]
		*al = *a
		al.Datacenter, al.Site = "", ""
		if n := nodeByID[a.NodeID]; n != nil {
			al.Datacenter, al.Site = n.Datacenter, n.Site
		}
		if al.DeploymentID == "" {
			al.DeploymentID = depOf[depKey{a.Namespace, a.JobID, a.JobVersion}]
		}
		if ji, ok := jobIdx[nsID{a.Namespace, a.JobID}]; ok {
			j := &s.Nomad.Jobs[ji]
			j.Version = max(j.Version, a.JobVersion)
			switch a.ClientStatus {
			case "running":
				j.Running++
			case "pending":
				j.Starting++
			case "failed":
				j.Failed++
			case "lost":
				j.Lost++
			case "complete":
				j.Complete++
			}
		}
		allocByID[al.ID] = al
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
	}

	// Consul: every datacenter, the local one first.
	s.Consul.Checks, s.Consul.Instances = buildServices(in.Datacenter, in.Checks)
	s.Consul.Unchecked = unchecked(in.Datacenter, in.Services, s.Consul.Instances)
	for _, r := range in.Remote {
		c, i := buildServices(r.Name, r.Checks)
		s.Consul.Checks = append(s.Consul.Checks, c...)
		s.Consul.Instances = append(s.Consul.Instances, i...)
		s.Consul.Unchecked = append(s.Consul.Unchecked, unchecked(r.Name, r.Services, i)...)
	}
	s.Consul.Nodes = make([]ConsulNode, 0, len(in.ConsulNodes))
	consulSite := map[[2]string]string{} // (dc, node) -> site from node meta
	metaKey, byMeta := strings.CutPrefix(g.SiteKey, "meta.")
	for _, n := range in.ConsulNodes {
		if n == nil {
			continue
		}
		dc := n.Datacenter
		if dc == "" {
			dc = in.Datacenter
		}
		s.Consul.Nodes = append(s.Consul.Nodes, ConsulNode{Name: n.Node, Datacenter: dc, Address: n.Address, Meta: n.Meta})
		if byMeta && n.Meta[metaKey] != "" {
			consulSite[[2]string{dc, n.Node}] = n.Meta[metaKey]
		}
	}
	slices.SortFunc(s.Consul.Nodes, func(a, b ConsulNode) int { return compareStrings(a.Datacenter, b.Datacenter, a.Name, b.Name) })
	for i := range s.Consul.Instances {
		inst := &s.Consul.Instances[i]
		if a, ok := allocByID[inst.AllocID]; ok && inst.AllocID != "" {
			inst.Site = a.Site
			if inst.Address == "" {
				inst.Address, inst.Port = a.portOf(inst.ID)
			}
		} else if n := nodeByName[inst.Node]; n != nil {
			inst.Site = n.Site
		} else {
			inst.Site = consulSite[[2]string{inst.Datacenter, inst.Node}]
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
	s.idx = buildIndex(s)
	s.Outages = buildOutages(s, prev)
	return s
}

// unchecked lists the services of datacenter dc that have no instance with
// a check: the health checks we follow never mention them.
func unchecked(dc string, services map[string][]string, insts []ServiceInstance) []UncheckedService {
	checked := make(map[string]bool, len(insts))
	for _, in := range insts {
		checked[in.Service] = true
	}
	var out []UncheckedService
	for _, name := range slices.Sorted(maps.Keys(services)) {
		if !checked[name] {
			out = append(out, UncheckedService{Name: name, Datacenter: dc, Tags: services[name]})
		}
	}
	return out
}

// buildServices copies checks and derives one instance per (Consul node,
// service ID); service IDs are only unique per agent.
func buildServices(dc string, in consulapi.HealthChecks) ([]Check, []ServiceInstance) {
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
			Datacenter: dc, ModifyIndex: c.ModifyIndex,
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
				Tags:       c.ServiceTags,
				AllocID:    parseAllocID(c.ServiceID),
				Datacenter: dc,
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

// worse aggregates an instance's check statuses: maintenance masks the
// others (Consul marks the maintenance check critical, and a service taken
// out on purpose often fails its own checks too: a deliberate act, not an
// alarm); otherwise the worse by StatusRank, a check status Consul does
// not define counting as warning, so it is never shown as healthy.
func worse(a, b string) string {
	if a == StatusMaintenance || b == StatusMaintenance {
		return StatusMaintenance
	}
	w := WorseStatus(a, b)
	if StatusRank(w) == RankUnknown {
		return StatusWarning
	}
	return w
}

const nomadServicePrefix = "_nomad-task-"

// portOf is the host address and port of the allocation port a Nomad
// service ID names: Nomad ends it with "-<port label>" (labels may hold
// dashes, so the longest matching label wins). It saves asking Consul for
// every instance's address: the health checks we follow do not carry it.
func (a *Alloc) portOf(serviceID string) (string, int) {
	var best Port
	for _, p := range a.Ports {
		if len(p.Label) > len(best.Label) && strings.HasSuffix(serviceID, "-"+p.Label) {
			best = p
		}
	}
	return best.HostIP, best.Value
}

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
// compareAllocs orders allocations by namespace, job, name and ID (the
// order of Snapshot.Nomad.Allocs).
func compareAllocs(a, b *Alloc) int {
	if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	if c := strings.Compare(a.JobID, b.JobID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// inPrevOrder returns allocs without nils, those prev held first in
// prev's order (an allocation's sort fields never change), then the new.
func inPrevOrder(allocs []*Alloc, prev *Snapshot) []*Alloc {
	var pos map[string]int
	if prev != nil && prev.idx != nil {
		pos = prev.idx.alloc
	}
	if len(pos) == 0 {
		return slices.DeleteFunc(slices.Clone(allocs), func(a *Alloc) bool { return a == nil })
	}
	slots := make([]*Alloc, len(pos))
	var fresh []*Alloc
	for _, a := range allocs {
		if a == nil {
			continue
		}
		if i, ok := pos[a.ID]; ok && slots[i] == nil {
			slots[i] = a
		} else {
			fresh = append(fresh, a)
		}
	}
	return append(slices.DeleteFunc(slots, func(a *Alloc) bool { return a == nil }), fresh...)
}

func compareStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}
