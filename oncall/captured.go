package oncall

import (
	"fmt"
	"strings"
	"time"
)

// Transition is a change of state seen in the cluster, as the journal keeps
// it (a copy of sources.Transition, so oncall does not depend on sources).
type Transition struct {
	At      time.Time
	Kind    string // check, alloc, node, deployment, job
	Subject string // service/guichet, job/backup, node/paris-1, site/lyon
	Site    string
	From    string
	To      string
	Detail  string
	Key     string // the same change seen by two processes has the same key
}

// Captured is a transition recorded into an incident's timeline, with the
// system entry that shows it.
type Captured struct {
	Transition
	ID, IncidentID, EntryID int64
	Source                  string // consul or nomad
	RecordedBy              string // the process that wrote it first
	RecordedAt              time.Time
}

const ()

// TransitionSource is the backend a transition kind comes from.
func TransitionSource(kind string) string {
	if kind == "check" || kind == "service" {
		return "consul"
	}
	return "nomad"
}

// Text is how a captured transition reads in the journal, e.g.
// "consul: check service/guichet passing → critical (lyon): HTTP GET …: 404".
func (t Transition) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s ", TransitionSource(t.Kind), t.Kind, t.Subject)
	if t.From != "" {
		b.WriteString(t.From + " → ")
	}
	b.WriteString(t.To)
	if t.Site != "" {
		b.WriteString(" (" + t.Site + ")")
	}
	if t.Detail != "" {
		b.WriteString(": " + t.Detail)
	}
	return b.String()
}
