package oncall

import (
	"time"
)

// ClusterAction is something a member did to the cluster through entretien
// (a restart, a drain…), with Nomad's answer. Inside an incident it becomes
// an action entry of its journal, so "who repaired" is a recorded fact;
// outside any, a row of the action log.
type ClusterAction struct {
	ID      int64 // the action log's row; 0 when written to journals instead
	At      time.Time
	By      string // member handle
	What    string // what was done, naming the object and its site
	Touches []string
	OK      bool   // Nomad accepted it
	Outcome string // "accepted, evaluation 9b2c…", or the error
}

// Touches names objects as incidents name what they affect: job/X,
// service/X, node/N, site/S. An action on an allocation touches its job,
// its node, its site and the services it registers.

// ActionRecorded says where RecordAction wrote an action.
type ActionRecorded struct {
	Entries []Entry // one action entry per incident in progress it touches
	LogID   int64   // the action log's row, when no incident in progress touches it
}

// Incidents are the ids of the incidents whose journals got the action.
func (r ActionRecorded) Incidents() []int64 {
	ids := make([]int64, len(r.Entries))
	for i, e := range r.Entries {
		ids[i] = e.IncidentID
	}
	return ids
}
