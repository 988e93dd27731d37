package common

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/cancelreader"
)

// execCommand is a tea.ExecCommand running a command in a task through
// Actor.Exec while the TUI is suspended: bubbletea hands it the terminal,
// it puts it in raw mode (keys, ctrl+c included, go to the task), passes
// its size and every resize (SIGWINCH) through, and restores it.
type execCommand struct {
	actor          Actor
	alloc, task    string
	command        []string
	stdin          io.Reader
	stdout, stderr io.Writer
	exit           int
}

func (e *execCommand) SetStdin(r io.Reader)  { e.stdin = r }
func (e *execCommand) SetStdout(w io.Writer) { e.stdout = w }
func (e *execCommand) SetStderr(w io.Writer) { e.stderr = w }

type fder interface{ Fd() uintptr }

func (e *execCommand) Run() error {
	in, isFile := e.stdin.(fder)
	tty := isFile && term.IsTerminal(in.Fd())
	resize := make(chan TerminalSize, 4)
	if tty {
		old, err := term.MakeRaw(in.Fd())
		if err != nil {
			return fmt.Errorf("terminal raw mode: %w", err)
		}
		defer term.Restore(in.Fd(), old)
		fd := in.Fd()
		if out, ok := e.stdout.(fder); ok && term.IsTerminal(out.Fd()) {
			fd = out.Fd()
		}
		size := func() {
			if w, h, err := term.GetSize(fd); err == nil {
				select {
				case resize <- TerminalSize{Width: w, Height: h}:
				default: // a newer one follows
				}
			}
		}
		size()
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		defer signal.Stop(winch)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-winch:
					size()
				case <-stop:
					return
				}
			}
		}()
	}
	stderr := e.stderr
	if tty {
		stderr = e.stdout // one stream on a TTY, as Nomad sends it
	}
	// The exec API reads stdin in a goroutine that outlives the command; it
	// must not read the terminal once the TUI has it back. It reads a pipe
	// here, fed from a cancellable reader on the terminal by a goroutine of
	// ours that Run waits for (cancelled, joined, then closed), so no read of
	// the terminal is left behind (closing the reader under a read in flight
	// let that read land on the TUI's new reader, whose epoll and pipe reuse
	// the closed descriptors, and eat its first key).
	stdin := e.stdin
	if f, ok := e.stdin.(*os.File); ok {
		if cr, err := cancelreader.NewReader(f); err == nil {
			pr, pw := io.Pipe()
			pumped := make(chan struct{})
			go func() {
				defer close(pumped)
				_, err := io.Copy(pw, cr)
				pw.CloseWithError(err)
			}()
			defer func() {
				cr.Cancel()
				pr.Close() // a write of keys no one reads any more returns
				<-pumped
				cr.Close()
			}()
			stdin = pr
		}
	}
	code, err := e.actor.Exec(context.Background(), e.alloc, e.task, e.command, tty, stdin, e.stdout, stderr, resize)
	e.exit = code
	return err
}

// ExecIn suspends the TUI and runs command in task of alloc; done gets
// "exit code N" or the error once the TUI is back.
func ExecIn(actor Actor, alloc, task string, command []string, done func(outcome string, err error) tea.Msg) tea.Cmd {
	c := &execCommand{actor: actor, alloc: alloc, task: task, command: command}
	return tea.Exec(c, func(err error) tea.Msg {
		return done(fmt.Sprintf("exit code %d", c.exit), err)
	})
}
