package sources

import "strings"

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
