package sources

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// On-demand fetches for the screens that drill down. The snapshot carries
// each allocation's recent task events; a screen opened on one allocation
// asks for it afresh, with its whole event history.

// AllocDetail is one allocation with its tasks and their events.
type AllocDetail struct {
	ID, Name, Namespace string
	JobID, TaskGroup    string
	NodeID, NodeName    string
	ClientStatus        string
	DesiredStatus       string
	// ClientDescription is Nomad's one-line reason ("Tasks are running").
	ClientDescription string
	CreateTime        time.Time
	ModifyTime        time.Time
	Tasks             []TaskState // sorted by name, events oldest first
}

// AllocDetail reads one allocation (ID or unique prefix).
func (w *Watcher) AllocDetail(ctx context.Context, id string) (AllocDetail, error) {
	a, _, err := w.nomad.Allocations().Info(id, (&nomadapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return AllocDetail{}, w.detailError("allocation", err)
	}
	return allocDetail(a), nil
}

func allocDetail(a *nomadapi.Allocation) AllocDetail {
	d := AllocDetail{
		ID: a.ID, Name: a.Name, Namespace: a.Namespace,
		JobID: a.JobID, TaskGroup: a.TaskGroup,
		NodeID: a.NodeID, NodeName: a.NodeName,
		ClientStatus: a.ClientStatus, DesiredStatus: a.DesiredStatus,
		ClientDescription: a.ClientDescription,
		CreateTime:        nanoTime(a.CreateTime), ModifyTime: nanoTime(a.ModifyTime),
	}
	for _, name := range slices.Sorted(maps.Keys(a.TaskStates)) {
		ts := a.TaskStates[name]
		if ts == nil {
			continue
		}
		t := TaskState{
			Name: name, State: ts.State, Failed: ts.Failed, Restarts: int(ts.Restarts),
			StartedAt: ts.StartedAt, FinishedAt: ts.FinishedAt, LastRestart: ts.LastRestart,
		}
		for _, e := range ts.Events {
			if e == nil {
				continue
			}
			msg := e.DisplayMessage
			if msg == "" {
				msg = e.Message
			}
			t.Events = append(t.Events, TaskEvent{Time: nanoTime(e.Time), Type: e.Type, Message: msg})
		}
		d.Tasks = append(d.Tasks, t)
	}
	return d
}

// detailError words an on-demand failure like the watcher's own errors
// (backend, what was asked, address; never the token).
func (w *Watcher) detailError(what string, err error) error {
	return backendError("nomad", what, w.nomadAddr, w.nomadToken, err)
}

// nanoTime reads Nomad's UnixNano times (0: unknown).
func nanoTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// AgentCheck is a check as the local Consul agent runs it now.
type AgentCheck struct {
	ID, Name, ServiceID, Node string
	Status, Output            string
}

// AgentChecks reads the checks the local Consul agent runs, keyed by check
// ID. Their output is live: the catalog (and so the snapshot) only gets an
// output change when the status changes or every check_update_interval
// (5 min by default), so a check that turned critical before it first ran
// shows an empty output there for minutes.
func (w *Watcher) AgentChecks(ctx context.Context) (map[string]AgentCheck, error) {
	checks, err := w.consul.Agent().ChecksWithFilterOpts("", (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, backendError("consul", "agent checks", w.consulAddr, w.consulToken, err)
	}
	out := make(map[string]AgentCheck, len(checks))
	for id, c := range checks {
		if c == nil {
			continue
		}
		out[id] = AgentCheck{ID: c.CheckID, Name: c.Name, ServiceID: c.ServiceID, Node: c.Node, Status: c.Status, Output: c.Output}
	}
	return out, nil
}

// ServiceCatalog reads the instances of a service from datacenter dc's
// catalog, for a service registered without checks (the snapshot has no
// instance of it). Status is "" (unknown): nothing checks them. Site and
// address are found as for the snapshot's instances.
func (w *Watcher) ServiceCatalog(ctx context.Context, dc, name string) ([]ServiceInstance, error) {
	svcs, _, err := w.consul.Catalog().Service(name, "", (&consulapi.QueryOptions{Datacenter: dc}).WithContext(ctx))
	if err != nil {
		return nil, backendError("consul", "instances of service "+name, w.consulAddr, w.consulToken, err)
	}
	snap := w.Snapshot()
	metaKey, byMeta := strings.CutPrefix(w.group.SiteKey, "meta.")
	out := make([]ServiceInstance, 0, len(svcs))
	for _, c := range svcs {
		if c == nil {
			continue
		}
		in := ServiceInstance{
			ID: c.ServiceID, Service: c.ServiceName, Node: c.Node,
			Address: c.ServiceAddress, Port: c.ServicePort, Tags: c.ServiceTags,
			AllocID: parseAllocID(c.ServiceID), Datacenter: c.Datacenter,
		}
		if in.Address == "" {
			in.Address = c.Address // the node's, as Consul itself falls back to
		}
		if a, ok := snap.AllocByID(in.AllocID); ok && in.AllocID != "" {
			in.Site = a.Site
		} else if n, ok := snap.NodeByName(in.Node); ok {
			in.Site = n.Site
		} else if byMeta {
			in.Site = c.NodeMeta[metaKey]
		}
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b ServiceInstance) int { return compareStrings(a.Node, b.Node, a.ID, b.ID) })
	return out, nil
}
