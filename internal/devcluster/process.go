package devcluster

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// agent is one consul or nomad process. It can be stopped and started again
// with the same command line (fault injection), appending to the same log.
type agent struct {
	name    string // "consul", "nomad-server", "nomad-lyon"
	bin     string
	args    []string
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	id   procID        // pid + start time, read while the child is unreaped
	done chan struct{} // closed when cmd has exited
	err  error         // cmd.Wait result
}

// Agents get their own process group so that a terminal Ctrl-C reaches only
// the Go process, which then tears down in order (purge jobs first: a Nomad
// client killed with live tasks leaves its executors behind). Pdeathsig
// covers the Go process dying without running Stop.
//
// Pdeathsig fires when the *thread* that forked exits, not the process, so
// every spawn goes through one goroutine locked to a thread that never exits.
type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

var (
	spawnOnce sync.Once
	spawnCh   = make(chan spawnReq)
)

func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as the process
			for r := range spawnCh {
				r.done <- r.cmd.Start()
			}
		}()
	})
	r := spawnReq{cmd: cmd, done: make(chan error, 1)}
	spawnCh <- r
	return <-r.done
}

func (a *agent) start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd != nil && !isDone(a.done) {
		return fmt.Errorf("%s: already running (pid %d)", a.name, a.cmd.Process.Pid)
	}
	logf, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "==> devcluster: %s %s %s\n", time.Now().Format(time.RFC3339), a.bin, strings.Join(a.args, " "))
	cmd := exec.Command(a.bin, a.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = agentEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := spawn(cmd); err != nil {
		logf.Close()
		return fmt.Errorf("%s: %w", a.name, err)
	}
	done := make(chan struct{})
	a.cmd, a.done, a.err = cmd, done, nil
	st, _ := readStat(cmd.Process.Pid) // cannot be reaped before Wait below
	a.id = procID{cmd.Process.Pid, st.start}
	go func() {
		err := cmd.Wait()
		logf.Close()
		a.mu.Lock()
		a.err = err
		a.mu.Unlock()
		close(done)
	}()
	return nil
}

// agentEnv drops variables that would point the agents (and the tasks, which
// inherit the client's environment under raw_exec) at another cluster.
func agentEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "NOMAD_") || strings.HasPrefix(kv, "CONSUL_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func isDone(ch chan struct{}) bool {
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func (a *agent) running() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cmd != nil && !isDone(a.done)
}

func (a *agent) pid() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.id.pid
}

// proc identifies the running process; ok is false when it is not running.
func (a *agent) proc() (procID, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.id, a.cmd != nil && !isDone(a.done)
}

// children lists the processes below a running agent (its tasks, for a
// Nomad client), for Stop to kill should they outlive it.
func (a *agent) children() []procID {
	if a == nil {
		return nil
	}
	if id, ok := a.proc(); ok {
		return descendants([]procID{id})
	}
	return nil
}

// exitErr describes how the agent ended, for start-failure messages.
func (a *agent) exitErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return fmt.Errorf("%s exited: %w\n%s", a.name, a.err, a.tailLocked(30))
	}
	return fmt.Errorf("%s exited\n%s", a.name, a.tailLocked(30))
}

// stop sends SIGINT (graceful: Nomad clients deregister from Consul, servers
// flush raft) and falls back to SIGKILL after grace.
func (a *agent) stop(grace time.Duration) error {
	a.mu.Lock()
	cmd, done := a.cmd, a.done
	a.mu.Unlock()
	if cmd == nil || isDone(done) {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
		return nil
	case <-time.After(grace):
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) still alive after SIGKILL", a.name, cmd.Process.Pid)
	}
	return fmt.Errorf("%s ignored SIGINT for %s, killed", a.name, grace)
}

// kill sends SIGKILL at once: no leave, no deregistration, as when the
// machine loses power or its network.
func (a *agent) kill() error {
	a.mu.Lock()
	cmd, done := a.cmd, a.done
	a.mu.Unlock()
	if cmd == nil || isDone(done) {
		return nil
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) still alive after SIGKILL", a.name, cmd.Process.Pid)
	}
}

func (a *agent) tail(n int) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tailLocked(n)
}

func (a *agent) tailLocked(n int) string {
	return fmt.Sprintf("--- last lines of %s ---\n%s", a.logPath, tailFile(a.logPath, n))
}

// tailFile returns the last n lines of a file (reading at most 64 KiB).
func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	const max = 64 << 10
	if st, err := f.Stat(); err == nil && st.Size() > max {
		_, _ = f.Seek(st.Size()-max, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
