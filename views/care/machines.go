package care

import (
	"maps"
	"slices"

	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/sources"
)

// Machines lists every node of a snapshot that names its host (node meta
// hosted_by), with its site, sorted by site then node.
func Machines(snap *sources.Snapshot) []care.Machine {
	if snap == nil {
		return nil
	}
	var out []care.Machine
	for _, s := range snap.Sites { // sorted by name
		for _, node := range slices.Sorted(maps.Keys(s.Hosts)) {
			out = append(out, care.Machine{Node: node, Site: s.Name, HostedBy: s.Hosts[node]})
		}
	}
	return out
}
