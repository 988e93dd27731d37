package oncall

import (
	"strings"
)

// ParseStatus reads a status as typed on the command line ("ack" is
// acknowledged).
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case "ack":
		return StatusAcknowledged, nil
	default:
		if st.Rank() >= 0 {
			return st, nil
		}
	}
	return "", Invalid("incident.status", s, "must be one of open, acknowledged, mitigated, resolved, reviewed")
}

// ParseEntryKind reads a kind members may write.
func ParseEntryKind(s string) (EntryKind, error) {
	k := EntryKind(s)
	switch k {
	case KindObservation, KindAction, KindDecision, KindQuestion, KindHandoff:
		return k, nil
	}
	return "", Invalid("entry.kind", s, "must be observation, action, decision, question or handoff")
}

// MaxEntryBytes is the cap on a journal entry's text.
const MaxEntryBytes = maxEntryBytes
