package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"codeberg.org/entretien/entretien/internal/sanitize"

	nomadapi "github.com/hashicorp/nomad/api"
)

// TerminalSize is a terminal's size in cells.
type TerminalSize struct{ Width, Height int }

// Exec runs command in task of allocID through Nomad's exec API (nomad/api
// Allocations().Exec), with a TTY when tty, passing resizes through; it returns
// the command's exit code. Not running task: *InputError; refused by Nomad
// (403, or the client's "Permission denied"): *DeniedError.
// A nil stdin is an empty one (the command reads end of file at once), or
// with a TTY one that stays open; nil stdout or stderr discard. On an error the exit code is -1.
func (w *Watcher) Exec(ctx context.Context, allocID, task string, command []string, tty bool,
	stdin io.Reader, stdout, stderr io.Writer, resize <-chan TerminalSize) (exitCode int, err error) {
	switch {
	case allocID == "":
		return -1, inputErr(ExecTask, "exec needs an allocation")
	case len(command) == 0 || strings.TrimSpace(strings.Join(command, "")) == "":
		return -1, inputErr(ExecTask, "exec needs a command")
	}
	al, err := w.execTarget(ctx, allocID, task)
	if err != nil {
		return -1, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	switch {
	case stdin == nil && tty:
		// A TTY's stdin closing is a hang-up (SIGHUP): keep it open.
		stdin = idleReader{ctx.Done()}
	case stdin == nil:
		stdin = strings.NewReader("")
	}
	if stdout == nil {
		stdout = discard{}
	}
	if stderr == nil {
		stderr = discard{}
	}
	var wrote atomic.Bool
	stdout, stderr = &seen{stdout, &wrote}, &seen{stderr, &wrote}
	var sizes chan nomadapi.TerminalSize
	if resize != nil {
		sizes = make(chan nomadapi.TerminalSize)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case s, ok := <-resize:
					if !ok {
						return
					}
					select {
					case sizes <- nomadapi.TerminalSize{Width: s.Width, Height: s.Height}:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	ref := &nomadapi.Allocation{ID: al.ID, Namespace: al.Namespace, NodeID: al.NodeID, TaskGroup: al.TaskGroup, JobID: al.JobID}
	q := (&nomadapi.QueryOptions{Namespace: al.Namespace}).WithContext(ctx)
	code, err := w.nomad.Allocations().Exec(ctx, ref, task, tty, command, stdin, stdout, stderr, sizes, q)
	doing := "exec in task " + task + " of allocation " + shortID(al.ID)
	if err != nil && closedWithoutReason(err) && !wrote.Load() && ctx.Err() == nil {
		return -1, w.execClosedWithoutReason(ctx, ref, task, doing, err)
	}
	if err != nil {
		return -1, w.actError(ctx, ExecTask, al.Namespace, doing, err)
	}
	w.remember(ExecTask, al.Namespace, "")
	return code, nil
}

// execTarget finds the allocation to exec in, its task running. The
// snapshot may lag Nomad by up to two seconds under churn (a task just
// started is not in it yet), so when the snapshot says no, Nomad is asked
// once; if Nomad does not answer, the snapshot's answer stands.
func (w *Watcher) execTarget(ctx context.Context, allocID, task string) (Alloc, error) {
	al, found := w.Snapshot().AllocByID(allocID)
	verdict := func(al Alloc, found bool) error {
		if !found {
			return inputErr(ExecTask, "allocation %s is gone", sanitize.Line(shortID(allocID)))
		}
		t, ok := taskOf(al, task)
		if !ok {
			return inputErr(ExecTask, "allocation %s has no task %s", shortID(al.ID), sanitize.Line(task))
		}
		if t.State != "running" {
			return inputErr(ExecTask, "task %s of allocation %s is %s, not running", t.Name, shortID(al.ID), t.Status())
		}
		return nil
	}
	err := verdict(al, found)
	if err == nil {
		return al, nil
	}
	q := &nomadapi.QueryOptions{Namespace: w.namespace}
	if found {
		q.Namespace = al.Namespace
	}
	ictx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	a, _, ierr := w.nomad.Allocations().Info(allocID, q.WithContext(ictx))
	if ierr == nil {
		d := allocDetail(a)
		fresh := Alloc{ID: d.ID, Namespace: d.Namespace, JobID: d.JobID, TaskGroup: d.TaskGroup,
			NodeID: d.NodeID, ClientStatus: d.ClientStatus, Tasks: d.Tasks}
		return fresh, verdict(fresh, true)
	}
	if status, _ := httpStatus(ierr); status == http.StatusNotFound {
		return Alloc{}, verdict(Alloc{}, false)
	}
	return Alloc{}, err
}

// idleReader blocks until done, then reads end of file.
type idleReader struct{ done <-chan struct{} }

func (r idleReader) Read([]byte) (int, error) {
	<-r.done
	return 0, io.EOF
}

// seen passes writes through and notes that the command wrote something.
type seen struct {
	w     io.Writer
	wrote *atomic.Bool
}

func (s *seen) Write(p []byte) (int, error) {
	if len(p) > 0 {
		s.wrote.Store(true)
	}
	return s.w.Write(p)
}

// closedWithoutReason: the exec's websocket ended without a close frame,
// which gorilla/websocket reports as an abnormal closure (1006) "unexpected
// EOF", and nomad/api passes on as those words alone.
func closedWithoutReason(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || strings.TrimSpace(err.Error()) == io.ErrUnexpectedEOF.Error()
}

// execClosedWithoutReason learns why an exec ended before any output
// without a word from Nomad.
//
// Nomad v1.6.3's agent loses the reason of a refused exec now and then
// (command/agent/alloc_endpoint.go, execStreamImpl): the client checks the
// ACL (alloc-exec, then alloc-node-exec for a task without filesystem
// isolation such as raw_exec) before it reads any input, writes "Permission
// denied" and closes its end of the pipe. The agent's input forwarder,
// blocked writing our first frame (the terminal's size, stdin) into that
// pipe, then fails with "io: read/write on closed pipe"; when that error
// reaches the agent's error channel before the client's refusal, the agent
// takes it for a normal end ("closed"), writes no close frame and closes the
// connection. TLS only changes the timing. The refusal is not in the stream.
//
// So the question is asked again in a way that cannot race: an exec of a
// command no task can have (its name holds spaces), sending nothing (no
// stdin, no TTY, no resize), so the forwarder never writes into the pipe and
// the client's own words close the websocket. Refused: the exec was refused,
// a *DeniedError as on the usual path. Else the token may exec there and the
// connection really dropped: an *ActionError that says so, not a bare EOF.
// Past the ACL checks the probe runs nothing: the command is not found.
func (w *Watcher) execClosedWithoutReason(ctx context.Context, ref *nomadapi.Allocation, task, doing string, cause error) error {
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	q := (&nomadapi.QueryOptions{Namespace: ref.Namespace}).WithContext(pctx)
	_, perr := w.nomad.Allocations().Exec(pctx, ref, task, false, []string{probeName},
		idleReader{pctx.Done()}, discard{}, discard{}, nil, q)
	if perr != nil {
		if status, _ := httpStatus(perr); status == 403 || isDeniedText(perr.Error()) {
			return w.actError(ctx, ExecTask, ref.Namespace, doing, perr)
		}
	}
	asked := "Nomad accepts your token there (asked again)"
	if perr != nil && (transportError(perr) || pctx.Err() != nil) {
		asked = "Nomad did not answer when asked again"
	}
	e := &ActionError{Kind: ExecTask, err: cause}
	e.msg = sanitize.Line(w.scrub(fmt.Sprintf("nomad: %s at %s: the connection closed before any output, without a reason from Nomad (%v); %s",
		doing, w.nomadAddr, cause, asked)))
	return e
}
