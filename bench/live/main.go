// Command live measures entretien's sources.Watcher against a real local
// dev cluster (internal/devcluster, agents from `make agents`):
//
//   - idle: the watcher's CPU and requests over -idle (default 60 s) with
//     nothing changing, then a wander-like baseline (relist /v1/jobs every
//     2 s) over the same time, in the same process;
//   - churn: a job updated every -every (default 2 s) for -churn (default
//     60 s); Nomad requests per minute of the watcher and of a damon-like
//     baseline (one event stream, plus one GET /v1/allocation/<id> per
//     allocation event) running at the same time through their own
//     counting reverse proxies, and their ratio.
//
// It prints ratios against the baselines run here and against the figures
// measured on the collective's 3-site cluster (wander 0.74 s CPU per quiet
// minute, damon ~900 req/min under churn). Not part of `make test`: run
// `make bench-live` or `go run ./bench/live`.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/sources"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Figures measured on the real cluster (project brief).
const (
	wanderCPUPerMin  = 0.74 // s of CPU per quiet minute
	damonReqPerMin   = 900.0
	wanderReqPerMin  = 30.0
	churnJobName     = "churn"
	settleAfterStart = 5 * time.Second
)

func main() {
	idle := flag.Duration("idle", 60*time.Second, "idle measurement duration (each of entretien and the baseline)")
	churn := flag.Duration("churn", 60*time.Second, "churn measurement duration")
	every := flag.Duration("every", 2*time.Second, "churn: update the job this often")
	serveEnv := flag.String("serve", "", "hold a dev cluster for bench/anchors.sh, writing its addresses to this file")
	regime := flag.String("regime", "quiet", "with -serve: quiet (nothing changes) or churn (a job updated every -every)")
	pat := flag.String("pattern", "", "run a TUI's request pattern against NOMAD_ADDR: wander or damon")
	firstN := flag.Int("first", 0, "time a new watcher's first snapshot with data this many times, against NOMAD_ADDR and CONSUL_HTTP_ADDR")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case *serveEnv != "":
		err = serve(ctx, *serveEnv, *regime, *every)
	case *pat != "":
		err = pattern(ctx, *pat)
	case *firstN > 0:
		err = first(ctx, *firstN)
	default:
		err = run(ctx, *idle, *churn, *every)
	}
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "bench-live:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, idle, churn, every time.Duration) error {
	c, err := devcluster.Start(ctx, devcluster.Options{Log: os.Stderr})
	if err != nil {
		return err
	}
	defer c.Stop()
	if err := c.SeedJobs(ctx); err != nil {
		return err
	}
	if err := c.WaitSeeded(ctx); err != nil {
		return err
	}
	nomad, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if err != nil {
		return err
	}
	// The seeded backup job fails and reschedules forever: stop it so that
	// "idle" means nothing changes.
	if _, _, err := nomad.Jobs().Deregister("backup", true, nil); err != nil {
		return err
	}

	// --- idle: entretien ---
	nomadProxy := newCounter(c.NomadAddr())
	consulProxy := newCounter("http://" + c.ConsulAddr())
	defer nomadProxy.Close()
	defer consulProxy.Close()
	w, err := sources.New(sources.Config{NomadAddr: nomadProxy.URL, ConsulAddr: consulProxy.URL, SiteKey: "meta.site"})
	if err != nil {
		return err
	}
	wctx, wstop := context.WithCancel(ctx)
	defer wstop()
	go w.Run(wctx)
	if err := waitReady(ctx, w); err != nil {
		return err
	}
	sleep(ctx, settleAfterStart) // let the agents settle after the purge
	n0, c0, cpu0 := nomadProxy.total(), consulProxy.total(), cpuTime()
	fmt.Fprintf(os.Stderr, "idle: measuring entretien for %v\n", idle)
	sleep(ctx, idle)
	oursCPU := (cpuTime() - cpu0).Seconds() / idle.Minutes()
	oursNomad := float64(nomadProxy.total()-n0) / idle.Minutes()
	oursConsul := float64(consulProxy.total()-c0) / idle.Minutes()
	wstop()

	// --- idle: wander-like baseline ---
	wanderProxy := newCounter(c.NomadAddr())
	defer wanderProxy.Close()
	wn, _ := nomadapi.NewClient(&nomadapi.Config{Address: wanderProxy.URL})
	fmt.Fprintf(os.Stderr, "idle: measuring the wander-like baseline for %v\n", idle)
	cpu0 = cpuTime()
	bctx, bstop := context.WithTimeout(ctx, idle)
	for bctx.Err() == nil {
		wn.Jobs().List((&nomadapi.QueryOptions{}).WithContext(bctx))
		sleep(bctx, 2*time.Second)
	}
	bstop()
	wanderCPU := (cpuTime() - cpu0).Seconds() / idle.Minutes()
	wanderReq := float64(wanderProxy.total()) / idle.Minutes()
	if ctx.Err() != nil {
		return ctx.Err()
	}

	fmt.Printf("idle over %v (nothing changing; entretien's sources.Watcher, in process):\n", idle)
	fmt.Printf("  entretien: %.3f s CPU/min, %.1f Nomad req/min, %.1f Consul req/min\n", oursCPU, oursNomad, oursConsul)
	fmt.Printf("  wander-like baseline (GET /v1/jobs every 2 s): %.3f s CPU/min, %.1f req/min\n", wanderCPU, wanderReq)
	fmt.Printf("  CPU ratio entretien/baseline: %.3f; vs wander's measured %.2f s/min: %.3f\n",
		ratio(oursCPU, wanderCPU), wanderCPUPerMin, ratio(oursCPU, wanderCPUPerMin))
	fmt.Printf("  request ratio vs wander's %v req/min: %.3f\n", wanderReqPerMin, ratio(oursNomad, wanderReqPerMin))

	// --- churn: entretien and the damon-like baseline, side by side ---
	nomadProxy2 := newCounter(c.NomadAddr())
	consulProxy2 := newCounter("http://" + c.ConsulAddr())
	damonProxy := newCounter(c.NomadAddr())
	defer nomadProxy2.Close()
	defer consulProxy2.Close()
	defer damonProxy.Close()
	w2, err := sources.New(sources.Config{NomadAddr: nomadProxy2.URL, ConsulAddr: consulProxy2.URL, SiteKey: "meta.site"})
	if err != nil {
		return err
	}
	trs, unsub := w2.SubscribeTransitions(1 << 14)
	defer unsub()
	var transitions atomic.Int64
	go func() {
		for range trs {
			transitions.Add(1)
		}
	}()
	cctx, cstop := context.WithCancel(ctx)
	defer cstop()
	go w2.Run(cctx)
	if err := waitReady(ctx, w2); err != nil {
		return err
	}
	var damonEvents atomic.Int64
	go damonLike(cctx, damonProxy.URL, &damonEvents)
	sleep(ctx, 2*time.Second)
	n0, c0, d0 := nomadProxy2.total(), consulProxy2.total(), damonProxy.total()
	fmt.Fprintf(os.Stderr, "churn: updating job %q every %v for %v\n", churnJobName, every, churn)
	updates, err := churnJob(ctx, nomad, churn, every)
	if err != nil {
		return err
	}
	sleep(ctx, 3*time.Second) // the tail of the last update
	span := churn + 3*time.Second
	oursNomad = float64(nomadProxy2.total()-n0) / span.Minutes()
	oursConsul = float64(consulProxy2.total()-c0) / span.Minutes()
	damon := float64(damonProxy.total()-d0) / span.Minutes()
	cstop()
	nomad.Jobs().Deregister(churnJobName, true, nil)

	fmt.Printf("churn over %v (job %q updated %d times, every %v, 3 allocs replaced each time):\n", span, churnJobName, updates, every)
	fmt.Printf("  entretien: %.1f Nomad req/min (%s), %.1f Consul req/min, %d transitions emitted, %d dropped\n",
		oursNomad, nomadProxy2.paths(), oursConsul, transitions.Load(), w2.DroppedTransitions())
	fmt.Printf("  damon-like baseline (event stream + GET per allocation event): %.1f req/min (%d alloc events)\n", damon, damonEvents.Load())
	fmt.Printf("  Nomad request ratio entretien/baseline: %.4f (goal <= 0.1)\n", ratio(oursNomad, damon))
	fmt.Printf("  vs damon's measured %v req/min: %.4f (goal <= 0.1)\n", damonReqPerMin, ratio(oursNomad, damonReqPerMin))
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func waitReady(ctx context.Context, w *sources.Watcher) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		s := w.Snapshot()
		if !s.Nomad.Stale() && !s.Consul.Stale() && len(s.Nomad.Jobs) > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("watcher not ready: nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
		case <-w.Updates():
		case <-time.After(time.Second):
		}
	}
}

// counter is a counting reverse proxy (streams flushed at once).
type counter struct {
	*httptest.Server
	mu     sync.Mutex
	byPath map[string]int
	n      atomic.Int64
}

func newCounter(target string) *counter {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	c := &counter{byPath: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		c.mu.Lock()
		c.byPath[r.URL.Path]++
		c.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	return c
}

func (c *counter) total() int64 { return c.n.Load() }

func (c *counter) paths() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.byPath))
	for k := range c.byPath {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s:%d", k, c.byPath[k])
	}
	return "since start " + s
}

// damonLike follows the event stream and fetches each event's allocation,
// as damon does.
func damonLike(ctx context.Context, addr string, events *atomic.Int64) {
	cl, err := nomadapi.NewClient(&nomadapi.Config{Address: addr})
	if err != nil {
		return
	}
	for ctx.Err() == nil {
		ch, err := cl.EventStream().Stream(ctx, map[nomadapi.Topic][]string{nomadapi.TopicAllocation: {"*"}}, 0, nil)
		if err != nil {
			sleep(ctx, time.Second)
			continue
		}
		for evs := range ch {
			if evs.Err != nil {
				break
			}
			for _, e := range evs.Events {
				events.Add(1)
				cl.Allocations().Info(e.Key, (&nomadapi.QueryOptions{}).WithContext(ctx))
			}
		}
	}
}

// churnJob registers a 3-alloc job (one per site) and updates it every
// `every` for d: each update is a new version, so Nomad replaces the
// allocations and runs a deployment.
func churnJob(ctx context.Context, nomad *nomadapi.Client, d, every time.Duration) (int, error) {
	end := time.Now().Add(d)
	n := 0
	for time.Now().Before(end) && ctx.Err() == nil {
		j := nomadapi.NewServiceJob(churnJobName, churnJobName, "global", 50)
		j.Datacenters = []string{"paris", "lyon", "bruxelles"}
		g := nomadapi.NewTaskGroup("g", 3)
		g.Spreads = []*nomadapi.Spread{{Attribute: "${node.datacenter}", Weight: new(int8(100))}}
		g.Update = &nomadapi.UpdateStrategy{MaxParallel: new(3), MinHealthyTime: new(time.Second), HealthyDeadline: new(30 * time.Second)}
		t := nomadapi.NewTask("sleep", "raw_exec").
			SetConfig("command", "/bin/sleep").SetConfig("args", []string{"3600"}).
			Require(&nomadapi.Resources{CPU: new(20), MemoryMB: new(16)})
		t.Env = map[string]string{"VERSION": fmt.Sprint(n)}
		j.AddTaskGroup(g.AddTask(t))
		if _, _, err := nomad.Jobs().Register(j, (&nomadapi.WriteOptions{}).WithContext(ctx)); err != nil {
			return n, err
		}
		n++
		sleep(ctx, every)
	}
	return n, ctx.Err()
}
