package sources

import (
	"maps"
	"slices"
	"strings"
)

// Knows reports whether the cluster has the object target names: site/S,
// node/N, or service/X (a Consul service or a Nomad job of that name).
// Other kinds (rotation/R…) are not the cluster's to say: true.
func (s *Snapshot) Knows(target string) bool {
	kind, name, _ := strings.Cut(target, "/")
	switch kind {
	case "site":
		_, ok := s.SiteByName(name)
		return ok
	case "node":
		_, ok := s.NodeByName(name)
		return ok
	case "service":
		if _, ok := s.JobByID(name); ok {
			return true
		}
		return len(s.InstancesOfService(name)) > 0
	}
	return true
}

// ServiceNodes says on which nodes each service runs now: a Nomad job's
// allocations that run, and a Consul service's instances (by their
// allocation's node when Nomad registered them). Names sorted, no repeat.
func (s *Snapshot) ServiceNodes() map[string][]string {
	if s == nil {
		return nil
	}
	set := map[string]map[string]bool{}
	add := func(svc, node string) {
		if svc == "" || node == "" {
			return
		}
		if set[svc] == nil {
			set[svc] = map[string]bool{}
		}
		set[svc][node] = true
	}
	for _, a := range s.Nomad.Allocs {
		if a.ClientStatus == "running" {
			add(a.JobID, a.NodeName)
		}
	}
	for _, in := range s.Consul.Instances {
		node := in.Node
		if a, ok := s.AllocByID(in.AllocID); ok && a.NodeName != "" {
			node = a.NodeName
		}
		add(in.Service, node)
	}
	out := make(map[string][]string, len(set))
	for svc, nodes := range set {
		out[svc] = slices.Sorted(maps.Keys(nodes))
	}
	return out
}
