package sources

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"

	nomadapi "github.com/hashicorp/nomad/api"
)

// What each action needs from the token, as Nomad v1.6.3 checks it:
//
//	restart-alloc, restart-task, stop-alloc  namespace alloc-lifecycle
//	drain-node, undrain-node, node-(in)eligible  node:write
//	force-periodic  namespace submit-job or dispatch-job
//	exec-task  namespace alloc-exec (and alloc-node-exec for tasks without
//	           isolation, raw_exec: checked by the client, only a real exec learns it)
//
// Permission learns the answer from Nomad's 403s: a harmless probe the first
// time, then every real attempt (Act and Exec remember what Nomad said).
// The probes, read in Nomad v1.6.3's sources:
//
//   - node:write: Node.UpdateEligibility checks the ACL before it looks the
//     node up, so a PUT /v1/node/<id>/eligibility on an ID no node can have
//     (it holds spaces) is a 403, else "node not found".
//   - submit-job: Periodic.Force checks the ACL before it looks the job up,
//     and a job ID with spaces is invalid, so no job can be forced.
//   - alloc-lifecycle: ClientAllocations.Restart (and Alloc.Stop) look the
//     allocation up first (an unknown one is a 404 whatever the token), so
//     the probe asks to restart a real allocation of the namespace with both
//     a task name and "all tasks", which the client refuses ("task name
//     cannot be set when restarting all tasks") after its own ACL check,
//     before touching any task.
//   - alloc-exec: the exec endpoint also looks the allocation up first; the
//     probe opens an exec on a real allocation without a task, which the
//     client refuses ("task not present") right after its alloc-exec check.
//
// With no allocation in the namespace to ask about, Permission cannot know:
// it answers allowed (Nomad refused nothing) without remembering it.

// probeName can name no node and no job: IDs never hold spaces.
const probeName = "entretien permission probe"

// probeTimeout bounds one probe (a probe must never block a screen long).
const probeTimeout = 10 * time.Second

type permKey struct{ capability, ns string }

// permCache holds what Nomad said per (capability, namespace): "" allowed,
// else the member-readable reason of its refusal.
type permCache struct {
	mu sync.Mutex
	m  map[permKey]string
}

// capability names what k needs and whether it is per namespace.
func capability(k ActionKind) (string, bool) {
	switch k {
	case RestartAlloc, RestartTask, StopAlloc:
		return "alloc-lifecycle", true
	case DrainNode, UndrainNode, NodeIneligible, NodeEligible:
		return "node:write", false
	case ForcePeriodic:
		return "submit-job", true
	case ExecTask:
		return "alloc-exec", true
	}
	return "", false
}

// reason words a refusal for a member, naming the capability and namespace.
func reason(k ActionKind, ns, said string) string {
	if strings.Contains(said, "ACL token not found") {
		return "Nomad does not know your token (NOMAD_TOKEN expired, revoked or mistyped)"
	}
	switch c, _ := capability(k); c {
	case "alloc-lifecycle":
		return fmt.Sprintf("your token cannot restart or stop allocations in namespace %s (needs alloc-lifecycle)", ns)
	case "node:write":
		return "your token cannot drain nodes or change their eligibility (needs node:write)"
	case "submit-job":
		return fmt.Sprintf("your token cannot launch jobs in namespace %s (needs submit-job or dispatch-job)", ns)
	case "alloc-exec":
		return fmt.Sprintf("your token cannot run commands in tasks in namespace %s (needs alloc-exec, and alloc-node-exec for tasks without isolation such as raw_exec)", ns)
	}
	return "your token may not do " + string(k)
}

func (w *Watcher) denied(k ActionKind, ns, said string) *DeniedError {
	said = sanitize.Line(w.scrub(strings.TrimSpace(said)))
	return &DeniedError{Kind: k, Namespace: ns, Reason: sanitize.Line(reason(k, ns, said)), NomadSaid: said}
}

// remember what Nomad answered for k in ns ("" allowed, else the reason).
func (w *Watcher) remember(k ActionKind, ns, why string) {
	c, namespaced := capability(k)
	if c == "" {
		return
	}
	if !namespaced {
		ns = ""
	}
	w.perms.mu.Lock()
	defer w.perms.mu.Unlock()
	if w.perms.m == nil {
		w.perms.m = map[permKey]string{}
	}
	w.perms.m[permKey{c, ns}] = why
}

// Permission says whether the token may do kind k in namespace ns: learned
// from Nomad's own 403s — a harmless probe the first time (see above), then
// every real attempt. Cached per (capability, namespace); allowed=true,
// reason="" when Nomad did not refuse. ns "" is the watcher's namespace;
// node actions ignore it.
func (w *Watcher) Permission(ctx context.Context, k ActionKind, ns string) (allowed bool, reason string, err error) {
	c, namespaced := capability(k)
	if c == "" {
		return false, "", inputErr(k, "unknown action %q", k)
	}
	if namespaced {
		if ns, err = w.actNamespace(k, ns); err != nil {
			return false, "", err
		}
	} else {
		ns = ""
	}
	w.perms.mu.Lock()
	why, known := w.perms.m[permKey{c, ns}]
	w.perms.mu.Unlock()
	if known {
		return why == "", why, nil
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	said, refused, asked, err := w.probe(pctx, c, ns)
	if err != nil {
		return false, "", err
	}
	if !asked {
		return true, "", nil
	}
	if refused {
		d := w.denied(k, ns, said)
		w.remember(k, ns, d.Reason)
		return false, d.Reason, nil
	}
	w.remember(k, ns, "")
	return true, "", nil
}

// probe asks Nomad something harmless needing capability c in ns. asked is
// false when there was nothing to ask about; err when Nomad did not answer.
func (w *Watcher) probe(ctx context.Context, c, ns string) (said string, refused, asked bool, err error) {
	answer := func(err error) (string, bool, bool, error) {
		if err == nil {
			return "", false, true, nil
		}
		status, body := httpStatus(err)
		switch {
		case status == 403:
			return body, true, true, nil
		case status != 0:
			return "", false, true, nil // Nomad went past its ACL check
		}
		return "", false, false, w.probeError(c, err)
	}
	switch c {
	case "node:write":
		body := map[string]string{"NodeID": probeName, "Eligibility": "eligible"}
		_, err := w.nomad.Raw().Write("/v1/node/"+url.PathEscape(probeName)+"/eligibility", body, nil,
			(&nomadapi.WriteOptions{}).WithContext(ctx))
		return answer(err)
	case "submit-job":
		_, err := w.nomad.Raw().Write("/v1/job/"+url.PathEscape(probeName)+"/periodic/force", nil, nil,
			(&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx))
		return answer(err)
	}
	al, ok := w.probeAlloc(ns)
	if !ok {
		return "", false, false, nil
	}
	if c == "alloc-lifecycle" {
		body := map[string]any{"TaskName": probeName, "AllTasks": true}
		_, err := w.nomad.Raw().Write("/v1/client/allocation/"+url.PathEscape(al.ID)+"/restart", body, nil,
			(&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx))
		return answer(err)
	}
	// alloc-exec: an exec without a task. It sends nothing (an idle stdin,
	// no TTY): a stdin frame racing the client's refusal can lose the
	// refusal's words (see execClosedWithoutReason).
	ref := &nomadapi.Allocation{ID: al.ID, Namespace: al.Namespace, NodeID: al.NodeID, TaskGroup: al.TaskGroup}
	_, err = w.nomad.Allocations().Exec(ctx, ref, "", false, []string{"true"},
		idleReader{ctx.Done()}, discard{}, discard{}, nil, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx))
	if err == nil {
		return "", false, true, nil
	}
	if isDeniedText(err.Error()) {
		return err.Error(), true, true, nil
	}
	if status, body := httpStatus(err); status == 403 {
		return body, true, true, nil
	}
	if transportError(err) || ctx.Err() != nil {
		return "", false, false, w.probeError(c, err)
	}
	return "", false, true, nil // Nomad answered past its ACL check ("task not present")
}

// probeAlloc is an allocation of ns to probe on: a running one when there is.
func (w *Watcher) probeAlloc(ns string) (Alloc, bool) {
	var found *Alloc
	for _, a := range w.Snapshot().Nomad.Allocs {
		if a.Namespace != ns {
			continue
		}
		if a.ClientStatus == "running" {
			return a, true
		}
		if found == nil {
			found = &a
		}
	}
	if found == nil {
		return Alloc{}, false
	}
	return *found, true
}

func (w *Watcher) probeError(c string, err error) error {
	cause := err
	var uerr *url.Error
	if errors.As(err, &uerr) {
		cause = uerr.Err
	}
	return fmt.Errorf("nomad: asking %s whether the token has %s: %s", w.nomadAddr, c, sanitize.Line(w.scrub(cause.Error())))
}

// transportError: no answer from Nomad at all (refused, unreachable, reset).
func transportError(err error) bool {
	var oerr *net.OpError
	var uerr *url.Error
	return errors.As(err, &oerr) || errors.As(err, &uerr) || errors.Is(err, context.DeadlineExceeded)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
