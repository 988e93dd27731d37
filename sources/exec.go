package sources

import (
	"context"
	"io"
	"strings"

	"codeberg.org/entretien/entretien/internal/sanitize"

	nomadapi "github.com/hashicorp/nomad/api"
)

// TerminalSize is a terminal's size in cells.
type TerminalSize struct{ Width, Height int }

// Exec runs command in task of allocID through Nomad's exec API (nomad/api
// Allocations().Exec), with a TTY when tty, passing resizes through; it returns
// the command's exit code. Not running task: *InputError; 403: *DeniedError.
// A nil stdin is an empty one (the command reads end of file at once), or
// with a TTY one that stays open; nil stdout or stderr discard. On an error the exit code is -1.
func (w *Watcher) Exec(ctx context.Context, allocID, task string, command []string, tty bool,
	stdin io.Reader, stdout, stderr io.Writer, resize <-chan TerminalSize) (exitCode int, err error) {
	al, ok := w.Snapshot().AllocByID(allocID)
	switch {
	case allocID == "":
		return -1, inputErr(ExecTask, "exec needs an allocation")
	case !ok:
		return -1, inputErr(ExecTask, "allocation %s is gone", sanitize.Line(shortID(allocID)))
	case len(command) == 0 || strings.TrimSpace(strings.Join(command, "")) == "":
		return -1, inputErr(ExecTask, "exec needs a command")
	}
	t, ok := taskOf(al, task)
	if !ok {
		return -1, inputErr(ExecTask, "allocation %s has no task %s", shortID(al.ID), sanitize.Line(task))
	}
	if t.State != "running" {
		return -1, inputErr(ExecTask, "task %s of allocation %s is %s, not running", t.Name, shortID(al.ID), t.Status())
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
	if err != nil {
		return -1, w.actError(ctx, ExecTask, al.Namespace, "exec in task "+task+" of allocation "+shortID(al.ID), err)
	}
	w.remember(ExecTask, al.Namespace, "")
	return code, nil
}

// idleReader blocks until done, then reads end of file.
type idleReader struct{ done <-chan struct{} }

func (r idleReader) Read([]byte) (int, error) {
	<-r.done
	return 0, io.EOF
}
