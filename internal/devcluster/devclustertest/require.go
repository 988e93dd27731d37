// Package devclustertest starts a dev cluster for a test (devcluster kept
// free of the testing package, so the shipped binary does not link it).
package devclustertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
)

// Require starts a cluster for a test, or skips it with "agents not built:
// run `make agents`" when the binaries are missing, except under CI=true
// where missing agents fail the test. It registers t.Cleanup(Stop), and on
// SIGINT/SIGTERM during the test stops the cluster before the process exits.
// Progress lines go to the test output unless o.Log is set.
func Require(t testing.TB, o devcluster.Options) *devcluster.Cluster {
	t.Helper()
	if o.AgentsDir == "" {
		o.AgentsDir = devcluster.AgentsDir()
	}
	if err := devcluster.CheckAgents(o.AgentsDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("devcluster: %v (CI=true: integration tests must run)", err)
		}
		t.Skip(devcluster.ErrAgentsMissing.Error())
	}
	var tw *tbWriter
	if o.Log == nil {
		tw = &tbWriter{t: t}
		o.Log = tw
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	unwatch := signals.watchStart(cancel)
	c, err := devcluster.Start(ctx, o)
	if err != nil {
		unwatch()
		if errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w (interrupted)", err)
		}
		t.Fatal(err)
	}
	signals.add(c)
	unwatch()
	t.Cleanup(func() {
		defer signals.remove(c)
		if err := c.Stop(); err != nil {
			t.Errorf("devcluster: stop: %v", err)
		}
		if tw != nil {
			tw.done.Store(true)
		}
	})
	return c
}

// tbWriter sends progress lines to the test's output (like t.Log, without a
// useless print.go:225 location), and to stderr once the test is over
// (writing to it then panics), e.g. from the signal handler.
type tbWriter struct {
	t    testing.TB
	done atomic.Bool
}

func (w *tbWriter) Write(p []byte) (int, error) {
	if w.done.Load() {
		return os.Stderr.Write(p)
	}
	return w.t.Output().Write(p)
}

// signals is the one SIGINT/SIGTERM handler for all of the process's
// clusters (go test may run several tests with a cluster each): it cancels
// clusters being started, stops the live ones in parallel, then re-raises
// the signal with the default action so the exit status stays honest.
var signals = &signalRegistry{live: map[*devcluster.Cluster]bool{}, starting: map[int]context.CancelFunc{}}

type signalRegistry struct {
	once     sync.Once
	mu       sync.Mutex
	live     map[*devcluster.Cluster]bool
	starting map[int]context.CancelFunc
	next     int
	startsWG sync.WaitGroup
}

func (r *signalRegistry) install() {
	r.once.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		go func() {
			sig := <-ch
			fmt.Fprintf(os.Stderr, "devcluster: %v: stopping clusters\n", sig)
			r.mu.Lock()
			for _, cancel := range r.starting {
				cancel()
			}
			r.mu.Unlock()
			r.startsWG.Wait() // a cancelled Start tears itself down
			r.mu.Lock()
			var wg sync.WaitGroup
			for c := range r.live {
				wg.Go(func() { _ = c.Stop() })
			}
			r.mu.Unlock()
			wg.Wait()
			signal.Reset(sig)
			_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
			// Still here: the signal was ignored before Notify (a background
			// job of a non-interactive shell ignores SIGINT). Exit anyway.
			time.Sleep(200 * time.Millisecond)
			os.Exit(128 + int(sig.(syscall.Signal)))
		}()
	})
}

func (r *signalRegistry) watchStart(cancel context.CancelFunc) (unwatch func()) {
	r.install()
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.next
	r.next++
	r.starting[id] = cancel
	r.startsWG.Add(1)
	return func() {
		r.mu.Lock()
		delete(r.starting, id)
		r.mu.Unlock()
		r.startsWG.Done()
	}
}

func (r *signalRegistry) add(c *devcluster.Cluster) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live[c] = true
}

func (r *signalRegistry) remove(c *devcluster.Cluster) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.live, c)
}
