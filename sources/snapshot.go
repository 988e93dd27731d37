// Package sources follows Nomad and Consul and hands the rest of entretien
// an immutable picture of the collective's infrastructure, grouped by site.
// It never imports the UI: views read snapshots, they never call the APIs.
package sources

import "time"

// Snapshot is an immutable view of the cluster at one moment. Once
// published it is never mutated, so readers need no lock.
type Snapshot struct {
	Taken  time.Time
	Nomad  NomadState
	Consul ConsulState
	// Sites are derived from Nomad nodes (datacenter, or a node meta key),
	// sorted by name. Objects whose site is unknown fall in a site "".
	Sites []Site
	// Outages are what is down or degraded now, correlated across Nomad
	// and Consul (see outages.go), sorted by site, kind, name.
	Outages []Outage
	// Store is the collective's replicated database, when followed.
	Store StoreCluster

	idx *snapIndex // lookups (lookup.go); built once by buildSnapshot, read-only
}

// Health of one backend as seen by the watcher.
type Health struct {
	Addr string // the address tried (never a token)
	// Err is the last error talking to the backend, nil when the last
	// request succeeded. A snapshot with Err set still holds the last good
	// data, which is then stale.
	Err error
	// Updated is when data was last fetched successfully (zero: never).
	Updated time.Time
}

// Stale reports whether the data is not known to be current.
func (h Health) Stale() bool { return h.Err != nil || h.Updated.IsZero() }

// HealthState is what a member should make of a backend's data; the status
// line and the screens' warnings both read it, so they never disagree.
type HealthState int

const (
	Connecting  HealthState = iota // no answer yet, no error yet
	Current                        // the last request succeeded
	StaleData                      // the last request failed; older data is kept
	Unreachable                    // never answered: nothing is known
)

// State classifies h.
func (h Health) State() HealthState {
	switch {
	case h.Err != nil && h.Updated.IsZero():
		return Unreachable
	case h.Err != nil:
		return StaleData
	case h.Updated.IsZero():
		return Connecting
	}
	return Current
}

// String is the state's word, as the screens write it.
func (s HealthState) String() string {
	return [...]string{"connecting", "ok", "stale", "unreachable"}[s]
}

// Age of the last good data at instant now (0 when never fetched).
func (h Health) Age(now time.Time) time.Duration {
	if h.Updated.IsZero() {
		return 0
	}
	return now.Sub(h.Updated)
}

type NomadState struct {
	Health
	Region string
	Jobs   []Job
	Allocs []Alloc
	Nodes  []Node
	// Deployments known to Nomad (until GC), newest first per job.
	Deployments []Deployment
	// BlockedEvals are evaluations waiting for capacity: allocations
	// Nomad cannot place anywhere right now.
	BlockedEvals []BlockedEval
}

type ConsulState struct {
	Health
	Datacenter string
	// Instances are service instances with their aggregated check state.
	Instances []ServiceInstance
	Checks    []Check
	// Unchecked are services registered without any health check, which
	// therefore have no instance above: their instances are read on demand
	// (Watcher.ServiceCatalog).
	Unchecked []UncheckedService
	// Nodes of the Consul catalog with their meta, every datacenter.
	Nodes []ConsulNode
	// Datacenters the agent knows (federation), the local one first. Each
	// is followed on its own: one unreachable datacenter keeps its last
	// good data, marked stale in its Health, and does not hide the others.
	// ConsulState.Health reflects the local datacenter only.
	Datacenters []ConsulDatacenter
}

// UncheckedService is a service of datacenter Datacenter with no check.
type UncheckedService struct {
	Name, Datacenter string
	Tags             []string
}

// ConsulDatacenter is one datacenter of the Consul federation.
type ConsulDatacenter struct {
	Name  string
	Local bool
	Health
}

// ConsulNode is a node of the Consul catalog.
type ConsulNode struct {
	Name, Datacenter, Address string
	Meta                      map[string]string
}

type Job struct {
	ID, Name, Namespace string
	Type                string // service, batch, system, sysbatch
	Status              string // pending, running, dead
	Datacenters         []string
	Version             uint64
	// Counts of the job's allocations Nomad still knows, by client status
	// (Starting = pending); Queued sums the blocked evaluations' queued
	// allocations (capacity missing).
	Running, Failed, Lost, Queued, Starting, Complete int
	Stop                                              bool // stopped by a member (status goes dead)
	StatusDescription                                 string
	ModifyIndex                                       uint64
}

// State is the job's status as a member reads it: "stopped" when a member
// stopped it (Nomad says dead), else Nomad's status.
func (j Job) State() string {
	if j.Stop {
		return "stopped"
	}
	return j.Status
}

type Alloc struct {
	ID, Name, Namespace string
	JobID, TaskGroup    string
	NodeID, NodeName    string
	Datacenter          string // the node's datacenter
	Site                string // the node's site ("" when the node is unknown)
	ClientStatus        string // pending, running, complete, failed, lost, unknown
	DesiredStatus       string // run, stop, evict
	Restarts            int    // summed over tasks
	CreateTime          time.Time
	ModifyTime          time.Time

	ClientDescription, DesiredDescription string
	JobVersion                            uint64
	// DeploymentID: from the allocation when Nomad sent it (events), else
	// the job's deployment for this version. DeploymentHealth is
	// "healthy", "unhealthy" or "" (not yet decided / no deployment).
	DeploymentID, DeploymentHealth string
	NextAllocation                 string // replacement when rescheduled
	Tasks                          []TaskState
	Ports                          []Port // the group network's ports
	CreateIndex, ModifyIndex       uint64
}

// Port is one allocated port: Value on HostIP, named Label in the job.
type Port struct {
	Label, HostIP string
	Value         int
}

// TaskState is one task of an allocation, with its most recent events.
type TaskState struct {
	Name                               string
	State                              string // pending, running, dead
	Failed                             bool
	Restarts                           int
	LastRestart, StartedAt, FinishedAt time.Time
	// Events are the most recent task events, oldest first (at most
	// maxTaskEvents).
	Events []TaskEvent
}

// Status is the task's state as a member reads it: "failed" when it
// ended failing, else Nomad's state.
func (t TaskState) Status() string {
	if t.Failed {
		return "failed"
	}
	return t.State
}

type TaskEvent struct {
	Time    time.Time
	Type    string // "Started", "Terminated", "Restarting", "Killed"...
	Message string // Nomad's display message
}

// Status says what the event means for the task: "failed" for the events
// of a task failing or killed, "restarting", else "" (news, not trouble).
func (e TaskEvent) Status() string {
	switch e.Type {
	case "Terminated", "Driver Failure", "Killed", "Not Restarting", "Setup Failure", "Failed Validation":
		return "failed"
	case "Restarting":
		return "restarting"
	}
	return ""
}

// Deployment is a job's rollout and its progress.
type Deployment struct {
	ID, JobID, Namespace string
	JobVersion           uint64
	Status               string // running, successful, failed, cancelled, paused, blocked...
	StatusDescription    string
	Groups               []DeploymentGroup
	CreateIndex          uint64
	ModifyIndex          uint64
}

type DeploymentGroup struct {
	Name                                          string
	Desired, Placed, Healthy, Unhealthy, Canaries int
	Promoted                                      bool
}

// Progress sums the groups: healthy allocations out of desired.
func (d Deployment) Progress() (healthy, desired int) {
	for _, g := range d.Groups {
		healthy += g.Healthy
		desired += g.Desired
	}
	return healthy, desired
}

// Active reports whether the deployment is still rolling out.
func (d Deployment) Active() bool {
	switch d.Status {
	case "running", "paused", "pending", "blocked", "unblocking", "initializing":
		return true
	}
	return false
}

// BlockedEval is a blocked evaluation: allocations of a job that no node
// can take now (capacity, constraints).
type BlockedEval struct {
	ID, JobID, Namespace string
	TriggeredBy          string
	Queued               int    // allocations waiting, summed over groups
	Reason               string // e.g. "group web: 0/3 nodes available, memory exhausted"
	ModifyIndex          uint64
}

type Node struct {
	ID, Name, Datacenter string
	Status               string // initializing, ready, down, disconnected
	Eligible             bool
	Drain                bool
	NodePool, Class      string
	Meta                 map[string]string
	// Site is the grouping key (datacenter or the configured meta key).
	Site string
	// Address is the IP the node advertises (its fingerprinted
	// unique.network.ip-address, else its HTTP address's host).
	Address           string
	StatusDescription string
	ModifyIndex       uint64
}

// Down reports a node that is gone: status down or disconnected (counted
// in Site.NodesDown, an outage of its own).
func (n Node) Down() bool { return n.Status == "down" || n.Status == "disconnected" }

// State is the node's state as a member reads it: its status when not
// ready, else "draining" or "ineligible" when so, else "ready".
func (n Node) State() string {
	switch {
	case n.Status != "ready":
		return n.Status
	case n.Drain:
		return "draining"
	case !n.Eligible:
		return "ineligible"
	}
	return "ready"
}

type ServiceInstance struct {
	ID, Service, Node string
	Address           string
	Port              int
	Tags              []string
	// Status is the worst state of the instance's checks: passing,
	// warning, critical or maintenance.
	Status string
	// AllocID is the Nomad allocation that registered the instance, when
	// Nomad registered it (parsed from the service ID).
	AllocID string
	// Site of the instance, from its allocation's node when known.
	Site       string
	Datacenter string // Consul datacenter
}

type Check struct {
	ID, Name, Node       string
	ServiceID, Service   string
	Status, Output, Type string
	Datacenter           string
	ModifyIndex          uint64
}

// Site aggregates what lives in one site. Counts are derived from the
// snapshot's own lists, so every figure can be traced back to objects.
type Site struct {
	Name                             string
	NodesUp, NodesDown               int
	AllocsRunning, AllocsFailed      int
	AllocsPending                    int
	ServicesPassing, ServicesWarning int
	ServicesCritical                 int
	// ServicesMaintenance counts instances under service or node
	// maintenance (deliberately out, not an alarm).
	ServicesMaintenance int
	// Hosts names who hosts each node at home (node name -> member handle),
	// from the configured node meta key.
	Hosts map[string]string
	// Status: "down" when it has nodes and none is up, "degraded" when a
	// node is down or an outage sits in it, else "up".
	Status string
}

// State is the site's status: Status as the builder set it from the
// outages; for a site built without one (by hand), what its counts tell:
// down when it has nodes and none is up, degraded when a node is down, an
// instance critical or an allocation failed, else up.
func (st Site) State() string {
	switch {
	case st.Status != "":
		return st.Status
	case st.NodesUp == 0 && st.NodesDown > 0:
		return SiteDown
	case st.NodesDown > 0 || st.ServicesCritical > 0 || st.AllocsFailed > 0:
		return SiteDegraded
	}
	return SiteUp
}

// Outage is something down or degraded now: a site, node, job or service,
// tied across Nomad and Consul (a critical check -> its service instance ->
// the allocation that registered it -> job, node, site).
type Outage struct {
	Kind string // "site", "node", "job", "service"
	Name string // site name, node name, job ID or service name
	// Namespace of a job outage ("" for other kinds): the same job ID can
	// be out in two namespaces.
	Namespace string
	Site      string
	Status    string    // "down", "degraded", "critical", "failed", "warning"
	Since     time.Time // when it went wrong (from the transition), zero if unknown
	Detail    string    // one line a member can act on, e.g. the failing check's output
	// Links for drill-down; empty when they do not apply.
	NodeID, JobID, AllocID, ServiceID, CheckID string
}

// Transition is a change of state seen in the cluster (a check turns
// critical, an allocation fails, a node goes down, a deployment fails). The
// incident journal records the ones touching an open incident.
type Transition struct {
	At      time.Time
	Kind    string // "check", "alloc", "node", "deployment", "job"
	Subject string // "service/guichet", "job/backup", "node/paris-1", "site/lyon"
	Site    string
	From    string // state before ("" when first seen)
	To      string // state after
	Detail  string
	// Key identifies the transition for deduplication across processes
	// (two watchers seeing the same change write it once). It is derived
	// from server-side data only: object ID, new state and, for states an
	// object can enter more than once, the server's modify index.
	Key string
}
