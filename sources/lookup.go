package sources

import "slices"

// snapIndex holds a snapshot's lookup tables (positions in its slices).
// Built once by buildSnapshot, read-only afterwards: lookups need no lock.
type snapIndex struct {
	alloc            map[string]int
	job              map[string]int // by job ID (first namespace in order)
	node             map[string]int // by node ID
	nodeName         map[string]int
	nodesOfSite      map[string][]int
	site             map[string]int
	allocsOfJob      map[string][]int
	allocsOfNode     map[string][]int
	instOfAlloc      map[string][]int
	instOfService    map[string][]int
	inst             map[string]int    // by service ID (first datacenter and node in order)
	checksOfInst     map[instKey][]int // node-level checks under serviceID ""
	deploymentsOfJob map[string][]int
	check            map[checkKey]int
	// Namespaced: the same job ID may exist in several namespaces.
	jobIn              map[nsKey]int
	allocsOfJobIn      map[nsKey][]int
	deploymentsOfJobIn map[nsKey][]int
	evalsOfJobIn       map[nsKey][]int
	sitesOfJobIn       map[nsKey][]string
	namespaces         []string // of the jobs, sorted

	shape shape // of the slices indexed
}

// shape is where a snapshot's indexed slices live and their lengths: a
// hand-built snapshot whose slices were replaced or grown since it was
// indexed (a copy given other allocations) no longer matches its index.
type shape struct {
	allocs                          *Alloc
	jobs                            *Job
	nodes                           *Node
	deps                            *Deployment
	evals                           *BlockedEval
	insts                           *ServiceInstance
	checks                          *Check
	sites                           *Site
	nAllocs, nJobs, nNodes, nDeps   int
	nEvals, nInsts, nChecks, nSites int
}

func first[T any](xs []T) *T {
	if len(xs) == 0 {
		return nil
	}
	return &xs[0]
}

func shapeOf(s *Snapshot) shape {
	return shape{
		first(s.Nomad.Allocs), first(s.Nomad.Jobs), first(s.Nomad.Nodes), first(s.Nomad.Deployments),
		first(s.Nomad.BlockedEvals), first(s.Consul.Instances), first(s.Consul.Checks), first(s.Sites),
		len(s.Nomad.Allocs), len(s.Nomad.Jobs), len(s.Nomad.Nodes), len(s.Nomad.Deployments),
		len(s.Nomad.BlockedEvals), len(s.Consul.Instances), len(s.Consul.Checks), len(s.Sites),
	}
}

// nsKey names a job in its namespace.
type nsKey struct{ ns, id string }

type instKey struct{ dc, node, serviceID string }
type checkKey struct{ dc, node, id string }

func buildIndex(s *Snapshot) *snapIndex {
	x := &snapIndex{
		alloc: make(map[string]int, len(s.Nomad.Allocs)), job: make(map[string]int, len(s.Nomad.Jobs)),
		node: make(map[string]int, len(s.Nomad.Nodes)), nodeName: make(map[string]int, len(s.Nomad.Nodes)),
		site: make(map[string]int, len(s.Sites)), allocsOfJob: make(map[string][]int, len(s.Nomad.Jobs)),
		allocsOfNode: make(map[string][]int, len(s.Nomad.Nodes)), instOfAlloc: make(map[string][]int, len(s.Consul.Instances)),
		instOfService: map[string][]int{}, inst: make(map[string]int, len(s.Consul.Instances)), checksOfInst: make(map[instKey][]int, len(s.Consul.Instances)),
		deploymentsOfJob: map[string][]int{}, check: make(map[checkKey]int, len(s.Consul.Checks)),
		jobIn: make(map[nsKey]int, len(s.Nomad.Jobs)), allocsOfJobIn: make(map[nsKey][]int, len(s.Nomad.Jobs)),
		deploymentsOfJobIn: map[nsKey][]int{}, evalsOfJobIn: map[nsKey][]int{},
		sitesOfJobIn: make(map[nsKey][]string, len(s.Nomad.Jobs)),
		shape:        shapeOf(s),
	}
	for i, a := range s.Nomad.Allocs {
		x.alloc[a.ID] = i
		x.allocsOfJob[a.JobID] = append(x.allocsOfJob[a.JobID], i)
		k := nsKey{a.Namespace, a.JobID}
		x.allocsOfJobIn[k] = append(x.allocsOfJobIn[k], i)
		x.allocsOfNode[a.NodeID] = append(x.allocsOfNode[a.NodeID], i)
		if !slices.Contains(x.sitesOfJobIn[k], a.Site) {
			x.sitesOfJobIn[k] = append(x.sitesOfJobIn[k], a.Site)
		}
	}
	for i, j := range s.Nomad.Jobs {
		if _, ok := x.job[j.ID]; !ok {
			x.job[j.ID] = i
		}
		x.jobIn[nsKey{j.Namespace, j.ID}] = i
		if !slices.Contains(x.namespaces, j.Namespace) {
			x.namespaces = append(x.namespaces, j.Namespace)
		}
	}
	slices.Sort(x.namespaces)
	for i, e := range s.Nomad.BlockedEvals {
		k := nsKey{e.Namespace, e.JobID}
		x.evalsOfJobIn[k] = append(x.evalsOfJobIn[k], i)
	}
	x.nodesOfSite = make(map[string][]int, len(s.Sites))
	for i, n := range s.Nomad.Nodes {
		x.node[n.ID] = i
		x.nodeName[n.Name] = i
		x.nodesOfSite[n.Site] = append(x.nodesOfSite[n.Site], i)
	}
	for i, st := range s.Sites {
		x.site[st.Name] = i
	}
	for i, in := range s.Consul.Instances {
		if in.AllocID != "" {
			x.instOfAlloc[in.AllocID] = append(x.instOfAlloc[in.AllocID], i)
		}
		x.instOfService[in.Service] = append(x.instOfService[in.Service], i)
		if _, ok := x.inst[in.ID]; !ok {
			x.inst[in.ID] = i
		}
	}
	for i, c := range s.Consul.Checks {
		x.check[checkKey{c.Datacenter, c.Node, c.ID}] = i
		// Node-level checks (serfHealth, maintenance) go under service ID
		// "": they fail every instance on their node.
		k := instKey{c.Datacenter, c.Node, c.ServiceID}
		x.checksOfInst[k] = append(x.checksOfInst[k], i)
	}
	for i, d := range s.Nomad.Deployments {
		x.deploymentsOfJob[d.JobID] = append(x.deploymentsOfJob[d.JobID], i)
		k := nsKey{d.Namespace, d.JobID}
		x.deploymentsOfJobIn[k] = append(x.deploymentsOfJobIn[k], i)
	}
	// A job's sites: where its allocations are, else its datacenters'
	// sites (a job with nothing placed yet), sorted.
	for _, j := range s.Nomad.Jobs {
		k := nsKey{j.Namespace, j.ID}
		if len(x.sitesOfJobIn[k]) == 0 {
			for _, n := range s.Nomad.Nodes {
				if slices.Contains(j.Datacenters, n.Datacenter) && !slices.Contains(x.sitesOfJobIn[k], n.Site) {
					x.sitesOfJobIn[k] = append(x.sitesOfJobIn[k], n.Site)
				}
			}
		}
		slices.Sort(x.sitesOfJobIn[k])
	}
	return x
}

// index returns the lookups. A published snapshot has them from
// buildSnapshot, and is never written. One made by hand (tests, fixtures)
// is indexed at its first lookup, and again when its slices changed since:
// look it up from one goroutine at a time (the screens' event loop).
func (s *Snapshot) index() *snapIndex {
	if s.idx == nil || s.idx.shape != shapeOf(s) {
		s.idx = buildIndex(s)
	}
	return s.idx
}

func pick[T any](all []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = all[j]
	}
	return out
}

// AllocByID returns the allocation with that ID.
func (s *Snapshot) AllocByID(id string) (Alloc, bool) {
	i, ok := s.index().alloc[id]
	if !ok {
		return Alloc{}, false
	}
	return s.Nomad.Allocs[i], true
}

// JobByID returns the job with that ID (first namespace when several).
func (s *Snapshot) JobByID(id string) (Job, bool) {
	i, ok := s.index().job[id]
	if !ok {
		return Job{}, false
	}
	return s.Nomad.Jobs[i], true
}

// NodeByID returns the Nomad node with that ID.
func (s *Snapshot) NodeByID(id string) (Node, bool) {
	i, ok := s.index().node[id]
	if !ok {
		return Node{}, false
	}
	return s.Nomad.Nodes[i], true
}

// NodeByName returns the Nomad node with that name.
func (s *Snapshot) NodeByName(name string) (Node, bool) {
	i, ok := s.index().nodeName[name]
	if !ok {
		return Node{}, false
	}
	return s.Nomad.Nodes[i], true
}

// NodesOfSite returns the Nomad nodes of a site, by name.
func (s *Snapshot) NodesOfSite(site string) []Node {
	return pick(s.Nomad.Nodes, s.index().nodesOfSite[site])
}

// SiteByName returns the site with that name.
func (s *Snapshot) SiteByName(name string) (Site, bool) {
	i, ok := s.index().site[name]
	if !ok {
		return Site{}, false
	}
	return s.Sites[i], true
}

// AllocsOfJob returns the job's allocations (every namespace), in
// snapshot order.
func (s *Snapshot) AllocsOfJob(jobID string) []Alloc {
	return pick(s.Nomad.Allocs, s.index().allocsOfJob[jobID])
}

// JobIn returns the job with that ID in namespace ns.
func (s *Snapshot) JobIn(ns, id string) (Job, bool) {
	i, ok := s.index().jobIn[nsKey{ns, id}]
	if !ok {
		return Job{}, false
	}
	return s.Nomad.Jobs[i], true
}

// AllocsOfJobIn returns the allocations of job id in namespace ns, in
// snapshot order.
func (s *Snapshot) AllocsOfJobIn(ns, id string) []Alloc {
	return pick(s.Nomad.Allocs, s.index().allocsOfJobIn[nsKey{ns, id}])
}

// DeploymentsOfJobIn returns the deployments of job id in namespace ns,
// newest first.
func (s *Snapshot) DeploymentsOfJobIn(ns, id string) []Deployment {
	return pick(s.Nomad.Deployments, s.index().deploymentsOfJobIn[nsKey{ns, id}])
}

// BlockedEvalsOfJob returns the blocked evaluations of job id in ns.
func (s *Snapshot) BlockedEvalsOfJob(ns, id string) []BlockedEval {
	return pick(s.Nomad.BlockedEvals, s.index().evalsOfJobIn[nsKey{ns, id}])
}

// SitesOfJob is where job id of namespace ns runs: the sites of its
// allocations, else of its datacenters' nodes (nothing placed yet), sorted.
// The slice is shared: do not modify it.
func (s *Snapshot) SitesOfJob(ns, id string) []string {
	return s.index().sitesOfJobIn[nsKey{ns, id}]
}

// Namespaces lists the namespaces of the jobs known, sorted. The slice is
// shared: do not modify it.
func (s *Snapshot) Namespaces() []string { return s.index().namespaces }

// AllocsOfNode returns the allocations placed on a node.
func (s *Snapshot) AllocsOfNode(nodeID string) []Alloc {
	return pick(s.Nomad.Allocs, s.index().allocsOfNode[nodeID])
}

// InstancesOfAlloc returns the Consul service instances an allocation
// registered (Nomad puts the alloc ID in the service ID).
func (s *Snapshot) InstancesOfAlloc(allocID string) []ServiceInstance {
	return pick(s.Consul.Instances, s.index().instOfAlloc[allocID])
}

// InstancesOfService returns every instance of a service, all sites and
// datacenters.
func (s *Snapshot) InstancesOfService(name string) []ServiceInstance {
	return pick(s.Consul.Instances, s.index().instOfService[name])
}

// InstanceByID returns the service instance with that service ID (IDs are
// unique per Consul agent only: the first one in snapshot order; Nomad's
// hold the allocation ID, so they are unique).
func (s *Snapshot) InstanceByID(id string) (ServiceInstance, bool) {
	i, ok := s.index().inst[id]
	if !ok {
		return ServiceInstance{}, false
	}
	return s.Consul.Instances[i], true
}

// NodeChecks returns the node-level checks of a Consul node (serfHealth,
// node maintenance): they fail every instance on it.
func (s *Snapshot) NodeChecks(dc, node string) []Check {
	return pick(s.Consul.Checks, s.index().checksOfInst[instKey{dc, node, ""}])
}

// ChecksOfInstance returns the service checks of one instance.
func (s *Snapshot) ChecksOfInstance(in ServiceInstance) []Check {
	return pick(s.Consul.Checks, s.index().checksOfInst[instKey{in.Datacenter, in.Node, in.ID}])
}

// AllocOfInstance returns the allocation that registered an instance.
func (s *Snapshot) AllocOfInstance(in ServiceInstance) (Alloc, bool) {
	if in.AllocID == "" {
		return Alloc{}, false
	}
	return s.AllocByID(in.AllocID)
}

// DeploymentsOfJob returns a job's deployments, newest first.
func (s *Snapshot) DeploymentsOfJob(jobID string) []Deployment {
	return pick(s.Nomad.Deployments, s.index().deploymentsOfJob[jobID])
}

// OutagesOfSite returns the outages in a site (the site's own first).
func (s *Snapshot) OutagesOfSite(site string) []Outage {
	var out []Outage
	for _, o := range s.Outages {
		if o.Site == site {
			out = append(out, o)
		}
	}
	return out
}

// OutagesOf returns the outages of one subject: kind "site", "node", "job"
// or "service" and its name (a job or service can be out in several sites).
func (s *Snapshot) OutagesOf(kind, name string) []Outage {
	var out []Outage
	for _, o := range s.Outages {
		if o.Kind == kind && o.Name == name {
			out = append(out, o)
		}
	}
	return out
}
