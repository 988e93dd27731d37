// Package recorder writes cluster transitions into the timeline of the
// incidents they touch: while an incident is in progress, every transition
// on one of its affected objects becomes a system entry. The database
// deduplicates on (incident, transition key), so any number of recorders
// (an `entretien watch` under systemd or Nomad, and every open TUI) may run
// at once and each change is written once.
package recorder

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
)

// Recorder turns transitions into journal entries.
type Recorder struct {
	Store oncall.Store
	// By names the recording process in the captured rows, e.g.
	// "watch@bastion" or "tui@amelie".
	By string
	// OnError is told about transitions that could not be written after
	// retries (nil: ignored). Recording never stops on an error.
	OnError func(error)
	// OnRecord is told about every entry written (nil: ignored).
	OnRecord func(oncall.Entry)
}

// DefaultBy is "entretien@HOST".
func DefaultBy() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "unknown"
	}
	return "entretien@" + h
}

// Run records every transition from ch until ch closes or ctx ends, as
// DefaultBy(), dropping write errors: a Recorder with no callbacks. Nothing
// in entretien calls it today: the TUI (cmd/entretien/tui.go) and `entretien
// watch` build their own Recorder, to report errors and recorded entries,
// and call its Run method.
func Run(ctx context.Context, st oncall.Store, ch <-chan sources.Transition) error {
	r := &Recorder{Store: st, By: DefaultBy()}
	return r.Run(ctx, ch)
}

// Run records every transition from ch until ch closes (nil) or ctx ends
// (ctx.Err()).
func (r *Recorder) Run(ctx context.Context, ch <-chan sources.Transition) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case t, ok := <-ch:
			if !ok {
				return nil
			}
			if _, err := r.recordRetrying(ctx, t); err != nil && r.OnError != nil && ctx.Err() == nil {
				r.OnError(err)
			}
		}
	}
}

// recordRetrying retries a failed write a few times: the database may be
// busy past its timeout under a burst of writers, and a lost transition is
// a hole in the timeline.
func (r *Recorder) recordRetrying(ctx context.Context, t sources.Transition) (int, error) {
	var err error
	for attempt, wait := 0, 200*time.Millisecond; attempt < 4; attempt, wait = attempt+1, wait*2 {
		var n int
		if n, err = r.Record(ctx, t); err == nil {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
	}
	return 0, err
}

// Record writes t into every incident in progress that it touches and
// returns how many entries were written (0 when none matches, or when
// another process recorded it first).
func (r *Recorder) Record(ctx context.Context, t sources.Transition) (int, error) {
	incs, err := r.Store.Incidents(ctx, oncall.IncidentFilter{OpenOnly: true})
	if err != nil {
		return 0, fmt.Errorf("recorder: %w", err)
	}
	ot := Convert(t)
	n := 0
	for _, inc := range incs {
		if !Touches(inc.Affects, t) {
			continue
		}
		e, ok, err := r.Store.RecordTransition(ctx, inc.ID, ot, r.By)
		if err != nil {
			return n, fmt.Errorf("recorder: %w", err)
		}
		if ok {
			n++
			if r.OnRecord != nil {
				r.OnRecord(e)
			}
		}
	}
	return n, nil
}

// Convert copies a sources.Transition into the journal's type, giving it a
// key when the source left it empty (built from the transition itself, so
// two processes still agree).
func Convert(t sources.Transition) oncall.Transition {
	key := t.Key
	if key == "" {
		key = strings.Join([]string{t.Kind, t.Subject, t.Site, t.From, t.To, t.At.UTC().Format(time.RFC3339Nano)}, "|")
	}
	return oncall.Transition{At: t.At, Kind: t.Kind, Subject: t.Subject, Site: t.Site,
		From: t.From, To: t.To, Detail: t.Detail, Key: key}
}

// Touches reports whether t concerns one of an incident's affected objects:
// service/X its checks and instances, job/X the job, its allocations and
// deployments, node/N that node, site/S anything in S.
func Touches(affects []string, t sources.Transition) bool {
	for _, a := range affects {
		if Matches(a, t) {
			return true
		}
	}
	return false
}

// Matches is Touches for one affected object ("service/guichet").
func Matches(affect string, t sources.Transition) bool {
	kind, name, ok := strings.Cut(affect, "/")
	if !ok || name == "" {
		return false
	}
	subj := t.Subject
	switch kind {
	case "site":
		return t.Site == name || subj == affect
	case "node":
		return subj == affect
	case "service":
		return subj == affect || strings.HasPrefix(subj, affect+"/")
	case "job":
		// Allocations are "job/X" subjects with kind alloc, or named
		// after their job ("alloc/X.group[0]"); deployments belong to a job.
		return subj == affect || strings.HasPrefix(subj, affect+"/") ||
			strings.HasPrefix(subj, "alloc/"+name+".") || subj == "deployment/"+name
	}
	return false
}
