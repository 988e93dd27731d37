package sources

import (
	"maps"
	"slices"
)

// DefaultHostKey is the node meta key naming the member who hosts a machine
// at home, unless Config.HostKey says another.
const DefaultHostKey = "hosted_by"

// Machine is a node whose host member is recorded.
type Machine struct {
	Node, Site string
	HostedBy   string // member handle
}

// HostOf is the member hosting node n: the site's hosts (from the configured
// meta key), else the node's hosted_by meta; "" when nobody is recorded.
func (s *Snapshot) HostOf(n Node) string {
	for _, st := range s.Sites { // a few sites: a scan beats the index, which a hand-made snapshot lacks
		if st.Name == n.Site {
			if h := st.Hosts[n.Name]; h != "" {
				return h
			}
		}
	}
	return n.Meta[DefaultHostKey]
}

// Machines lists every node that names its host, sorted by site then node.
func (s *Snapshot) Machines() []Machine {
	if s == nil {
		return nil
	}
	var out []Machine
	for _, st := range s.Sites { // sorted by name
		for _, node := range slices.Sorted(maps.Keys(st.Hosts)) {
			out = append(out, Machine{Node: node, Site: st.Name, HostedBy: st.Hosts[node]})
		}
	}
	return out
}
