package care

import (
	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/sources"
)

// machines are the snapshot's hosted machines, as the care figures take them.
func machines(snap *sources.Snapshot) []care.Machine {
	var out []care.Machine
	for _, m := range snap.Machines() {
		out = append(out, care.Machine(m))
	}
	return out
}
