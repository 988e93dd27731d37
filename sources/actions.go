package sources

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"

	nomadapi "github.com/hashicorp/nomad/api"
)

// ActionKind is what a member can do to the cluster through entretien.
type ActionKind string

const (
	RestartAlloc   ActionKind = "restart-alloc"   // Action.AllocID; every task
	RestartTask    ActionKind = "restart-task"    // Action.AllocID, Action.Task
	StopAlloc      ActionKind = "stop-alloc"      // Action.AllocID; Nomad reschedules it
	DrainNode      ActionKind = "drain-node"      // Action.NodeID, Action.Deadline > 0
	UndrainNode    ActionKind = "undrain-node"    // Action.NodeID
	NodeIneligible ActionKind = "node-ineligible" // Action.NodeID
	NodeEligible   ActionKind = "node-eligible"   // Action.NodeID
	ForcePeriodic  ActionKind = "force-periodic"  // Action.Namespace, Action.JobID

	// ExecTask is not done by Act (see Exec); it names exec for Permission.
	ExecTask ActionKind = "exec-task"
)

type Action struct {
	Kind                         ActionKind
	Namespace                    string // the object's namespace ("" = the watcher's; never "*")
	JobID, AllocID, Task, NodeID string
	Deadline                     time.Duration // DrainNode only
}

type ActionResult struct {
	EvalID  string // the evaluation Nomad created, "" when it made none
	Message string // what Nomad accepted, in words: "restart accepted", "drain started, deadline 1h0m0s"
}

// InputError is an action refused before anything was sent: the object is
// not in the snapshot, a deadline is not positive, a task is not running.
type InputError struct {
	Kind ActionKind
	Msg  string
}

func (e *InputError) Error() string { return e.Msg }

func inputErr(k ActionKind, format string, args ...any) *InputError {
	// Names in it come from the cluster or the member: sanitised here once.
	return &InputError{Kind: k, Msg: sanitize.Line(fmt.Sprintf(format, args...))}
}

// DeniedError is Nomad's 403 for an action: the member's token may not do it.
// Reason is for a member ("your token cannot write jobs in namespace default");
// NomadSaid is Nomad's own words (sanitised, never a token).
type DeniedError struct {
	Kind                         ActionKind
	Namespace, Reason, NomadSaid string
}

func (e *DeniedError) Error() string {
	msg := "nomad refused " + string(e.Kind) + ": " + e.Reason
	if e.NomadSaid != "" {
		msg += " (nomad said: " + e.NomadSaid + ")"
	}
	return msg
}

// ActionError is an action Nomad did not accept for another reason than
// permission (a 500, no answer, a connection lost): it was not done, or,
// when Unknown, Nomad may still do it.
type ActionError struct {
	Kind    ActionKind
	Status  int  // HTTP status when Nomad answered, else 0
	Unknown bool // no answer in time: it may have happened
	msg     string
	err     error
}

func (e *ActionError) Error() string { return e.msg }
func (e *ActionError) Unwrap() error { return e.err }

// actNamespace is the namespace an action or a permission applies to.
func (w *Watcher) actNamespace(k ActionKind, ns string) (string, error) {
	if ns == "" {
		ns = w.namespace
	}
	if ns == "*" {
		return "", inputErr(k, "%s needs one namespace, not \"*\" (every namespace)", k)
	}
	return ns, nil
}

// terminal client statuses: nothing left to restart or stop.
func terminalAlloc(a Alloc) bool {
	switch a.ClientStatus {
	case "complete", "failed", "lost":
		return true
	}
	return false
}

// Act does a with the watcher's own Nomad token (the member's NOMAD_TOKEN;
// never another). Bad input (no such allocation in the snapshot, deadline <= 0,
// a task not in the allocation) is a *sources.InputError (define it) and sends
// nothing; a 403 is a *DeniedError and is remembered for Permission.
func (w *Watcher) Act(ctx context.Context, a Action) (ActionResult, error) {
	snap := w.Snapshot()
	switch a.Kind {
	case RestartAlloc, RestartTask, StopAlloc:
		al, err := w.actAlloc(snap, a)
		if err != nil {
			return ActionResult{}, err
		}
		return w.actOnAlloc(ctx, a, al)
	case DrainNode, UndrainNode, NodeIneligible, NodeEligible:
		n, err := actNode(snap, a)
		if err != nil {
			return ActionResult{}, err
		}
		return w.actOnNode(ctx, a, n)
	case ForcePeriodic:
		ns, err := w.actNamespace(a.Kind, a.Namespace)
		if err != nil {
			return ActionResult{}, err
		}
		if a.JobID == "" {
			return ActionResult{}, inputErr(a.Kind, "force-periodic needs a job")
		}
		j, ok := snap.JobIn(ns, a.JobID)
		if !ok {
			return ActionResult{}, inputErr(a.Kind, "job %s is not in namespace %s", sanitize.Line(a.JobID), ns)
		}
		if j.Type != "batch" && j.Type != "sysbatch" {
			return ActionResult{}, inputErr(a.Kind, "job %s is a %s job: only a periodic batch job can be forced", sanitize.Line(j.ID), j.Type)
		}
		q := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
		eval, _, err := w.nomad.Jobs().PeriodicForce(j.ID, q)
		if err != nil {
			return ActionResult{}, w.actError(ctx, a.Kind, ns, "forcing periodic job "+j.ID, err)
		}
		w.remember(a.Kind, ns, "")
		return ActionResult{EvalID: eval, Message: "periodic job forced: a run launched now"}, nil
	case ExecTask:
		return ActionResult{}, inputErr(a.Kind, "exec is not an action: use Exec")
	}
	return ActionResult{}, inputErr(a.Kind, "unknown action %q", a.Kind)
}

// actAlloc finds a's allocation in the snapshot and checks a fits it.
func (w *Watcher) actAlloc(snap *Snapshot, a Action) (Alloc, error) {
	if a.Namespace == "*" {
		return Alloc{}, inputErr(a.Kind, "%s needs one namespace, not \"*\" (every namespace)", a.Kind)
	}
	if a.AllocID == "" {
		return Alloc{}, inputErr(a.Kind, "%s needs an allocation", a.Kind)
	}
	al, ok := snap.AllocByID(a.AllocID)
	if !ok {
		return Alloc{}, inputErr(a.Kind, "allocation %s is gone", sanitize.Line(shortID(a.AllocID)))
	}
	if a.Namespace != "" && a.Namespace != al.Namespace {
		return Alloc{}, inputErr(a.Kind, "allocation %s is in namespace %s, not %s", shortID(al.ID), al.Namespace, sanitize.Line(a.Namespace))
	}
	if terminalAlloc(al) {
		return Alloc{}, inputErr(a.Kind, "allocation %s is %s: nothing left to %s", shortID(al.ID), al.ClientStatus, verb(a.Kind))
	}
	switch a.Kind {
	case RestartTask:
		t, ok := taskOf(al, a.Task)
		if !ok {
			return Alloc{}, inputErr(a.Kind, "allocation %s has no task %s", shortID(al.ID), sanitize.Line(a.Task))
		}
		if t.State != "running" {
			return Alloc{}, inputErr(a.Kind, "task %s of allocation %s is %s, not running: nothing to restart", t.Name, shortID(al.ID), t.Status())
		}
	case RestartAlloc:
		running := false
		for _, t := range al.Tasks {
			running = running || t.State == "running"
		}
		if !running {
			return Alloc{}, inputErr(a.Kind, "no task of allocation %s is running: nothing to restart", shortID(al.ID))
		}
	}
	return al, nil
}

func verb(k ActionKind) string {
	if k == StopAlloc {
		return "stop"
	}
	return "restart"
}

func taskOf(al Alloc, name string) (TaskState, bool) {
	for _, t := range al.Tasks {
		if t.Name == name {
			return t, true
		}
	}
	return TaskState{}, false
}

func (w *Watcher) actOnAlloc(ctx context.Context, a Action, al Alloc) (ActionResult, error) {
	q := (&nomadapi.QueryOptions{Namespace: al.Namespace}).WithContext(ctx)
	ref := &nomadapi.Allocation{ID: al.ID, Namespace: al.Namespace, NodeID: al.NodeID}
	what := fmt.Sprintf("allocation %s of %s", shortID(al.ID), al.JobID)
	switch a.Kind {
	case RestartAlloc:
		if err := w.nomad.Allocations().RestartAllTasks(ref, q); err != nil {
			return ActionResult{}, w.actError(ctx, a.Kind, al.Namespace, "restarting "+what, err)
		}
		w.remember(a.Kind, al.Namespace, "")
		return ActionResult{Message: "restart accepted"}, nil
	case RestartTask:
		if err := w.nomad.Allocations().Restart(ref, a.Task, q); err != nil {
			return ActionResult{}, w.actError(ctx, a.Kind, al.Namespace, "restarting task "+a.Task+" of "+what, err)
		}
		w.remember(a.Kind, al.Namespace, "")
		return ActionResult{Message: "restart of task " + sanitize.Line(a.Task) + " accepted"}, nil
	default: // StopAlloc
		resp, err := w.nomad.Allocations().Stop(ref, q)
		if err != nil {
			return ActionResult{}, w.actError(ctx, a.Kind, al.Namespace, "stopping "+what, err)
		}
		w.remember(a.Kind, al.Namespace, "")
		return ActionResult{EvalID: resp.EvalID, Message: "stop accepted: Nomad places a replacement"}, nil
	}
}

func actNode(snap *Snapshot, a Action) (Node, error) {
	if a.NodeID == "" {
		return Node{}, inputErr(a.Kind, "%s needs a node", a.Kind)
	}
	n, ok := snap.NodeByID(a.NodeID)
	if !ok {
		return Node{}, inputErr(a.Kind, "node %s is gone", sanitize.Line(shortID(a.NodeID)))
	}
	switch a.Kind {
	case DrainNode:
		if a.Deadline <= 0 {
			return Node{}, inputErr(a.Kind, "drain deadline %s: it must be positive (how long allocations get to move)", a.Deadline)
		}
	case UndrainNode:
		// A drain that finished leaves the node ineligible: undraining it
		// makes it schedulable again, as `nomad node drain -disable` does.
		if !n.Drain && n.Eligible {
			return Node{}, inputErr(a.Kind, "node %s is not draining and takes allocations: nothing to undo", n.Name)
		}
	}
	return n, nil
}

func (w *Watcher) actOnNode(ctx context.Context, a Action, n Node) (ActionResult, error) {
	q := (&nomadapi.WriteOptions{}).WithContext(ctx)
	var evals []string
	var msg string
	switch a.Kind {
	case DrainNode, UndrainNode:
		opts := &nomadapi.DrainOptions{MarkEligible: true} // undrain: schedulable again, as `nomad node drain -disable`
		msg = "drain cancelled, node eligible again"
		if a.Kind == DrainNode {
			opts = &nomadapi.DrainOptions{DrainSpec: &nomadapi.DrainSpec{Deadline: a.Deadline}}
			msg = "drain started, deadline " + a.Deadline.String()
		}
		resp, err := w.nomad.Nodes().UpdateDrainOpts(n.ID, opts, q)
		if err != nil {
			return ActionResult{}, w.actError(ctx, a.Kind, "", string(a.Kind)+" of node "+n.Name, err)
		}
		evals = resp.EvalIDs
	default:
		eligible := a.Kind == NodeEligible
		msg = "node marked eligible: it takes new allocations"
		if !eligible {
			msg = "node marked ineligible: it takes no new allocations, its own keep running"
		}
		resp, err := w.nomad.Nodes().ToggleEligibility(n.ID, eligible, q)
		if err != nil {
			return ActionResult{}, w.actError(ctx, a.Kind, "", "marking node "+n.Name+" "+map[bool]string{true: "eligible", false: "ineligible"}[eligible], err)
		}
		evals = resp.EvalIDs
	}
	w.remember(a.Kind, "", "")
	r := ActionResult{Message: msg}
	if len(evals) > 0 {
		r.EvalID = evals[0]
	}
	return r, nil
}

// actError words a failed request: a 403 is a *DeniedError (remembered for
// Permission), anything else an *ActionError. Never the token.
func (w *Watcher) actError(ctx context.Context, k ActionKind, ns, doing string, err error) error {
	status, body := httpStatus(err)
	if status == http.StatusForbidden || (status == 0 && isDeniedText(err.Error())) {
		said := body
		if status == 0 {
			said = err.Error()
		}
		d := w.denied(k, ns, said)
		w.remember(k, ns, d.Reason)
		return d
	}
	e := &ActionError{Kind: k, Status: status, err: err}
	switch {
	case status != 0:
		e.msg = fmt.Sprintf("nomad: %s at %s failed: HTTP %d", doing, w.nomadAddr, status)
		if body != "" {
			e.msg += ": " + body
		}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Unknown = true
		e.msg = fmt.Sprintf("nomad: no answer from %s in time (%s): it may still happen, look before trying again", w.nomadAddr, doing)
	case errors.Is(err, context.Canceled):
		e.Unknown = true
		e.msg = fmt.Sprintf("nomad: %s: cancelled before %s answered: it may still happen", doing, w.nomadAddr)
	default:
		cause := err
		var uerr *url.Error
		if errors.As(err, &uerr) {
			cause = uerr.Err // the address is enough, not the whole URL
		}
		e.msg = fmt.Sprintf("nomad: %s at %s failed: %v", doing, w.nomadAddr, cause)
	}
	e.msg = sanitize.Line(w.scrub(e.msg))
	return e
}

// httpStatus is Nomad's HTTP status and trimmed, sanitised body, when it answered.
func httpStatus(err error) (int, string) {
	var nerr nomadapi.UnexpectedResponseError
	if !errors.As(err, &nerr) || !nerr.HasStatusCode() {
		return 0, ""
	}
	body := strings.TrimSpace(nerr.Body())
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return nerr.StatusCode(), sanitize.Line(body)
}

// isDeniedText: Nomad's words for an ACL refusal where no status code
// survives (an exec's websocket closes with the text only).
func isDeniedText(s string) bool {
	return strings.HasSuffix(s, "Permission denied") || strings.HasSuffix(s, "ACL token not found")
}

// scrub removes the token from a message, in case a proxy ever echoes it.
func (w *Watcher) scrub(s string) string {
	if w.nomadToken != "" {
		s = strings.ReplaceAll(s, w.nomadToken, "<redacted>")
	}
	return s
}
