package devcluster

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Stop tears everything down, in the order that leaves nothing behind
// (dev-agents.md §6): purge all jobs and wait for their allocs to stop,
// SIGINT the Nomad clients, then the Nomad server, then the sites' Consul
// agents, then the Consul server (so each deregisters while the next is up), kill any leftover process (tasks under a client stopped earlier),
// unmount the tmpfs Nomad put under the data dir (deepest first), remove the
// data dir if Start created it, release the port slot. Idempotent, and safe
// after a Start that failed halfway.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return c.stopErr
	}
	c.stopped = true
	t0 := time.Now()
	var errs []error

	if c.server != nil && c.server.running() && c.nomad != nil {
		if err := c.purgeJobs(); err != nil {
			c.logf("stop: %v (leftover tasks get killed below)", err)
		}
	}
	// Anything still under the clients now is a task that outlives them.
	for _, a := range c.clients {
		c.orphans = append(c.orphans, a.children()...)
	}
	errs = append(errs, stopAll(c.clients)...)
	errs = append(errs, c.stopServer(c.server)...)
	errs = append(errs, stopAll(c.agents)...)
	errs = append(errs, c.stopServer(c.dc2)...)
	errs = append(errs, c.stopServer(c.consul)...)

	if c.dataDir != "" {
		leftovers := dedup(append(c.orphans, procsReferencing(c.dataDir)...))
		live := countAlive(leftovers)
		left := killAll(leftovers)
		for _, p := range left {
			errs = append(errs, fmt.Errorf("process %d survived SIGKILL: %s", p.pid, cmdline(p.pid)))
		}
		if live > 0 {
			c.logf("stop: killed %d leftover processes", live-len(left))
		}
		if err := unmountUnder(c.dataDir); err != nil {
			errs = append(errs, err)
		}
		if c.ownDir {
			if err := os.RemoveAll(c.dataDir); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, l := range c.locks {
		l.release()
	}
	c.stopErr = errors.Join(errs...)
	if c.stopErr == nil {
		c.logf("devcluster: stopped in %.1fs", time.Since(t0).Seconds())
	}
	return c.stopErr
}

// stopServer stops a (Nomad or Consul) server, remembering its children.
func (c *Cluster) stopServer(a *agent) []error {
	if a == nil {
		return nil
	}
	c.orphans = append(c.orphans, a.children()...)
	if err := a.stop(10 * time.Second); err != nil {
		return []error{err}
	}
	return nil
}

// stopAll stops agents in parallel.
func stopAll(agents map[string]*agent) []error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, a := range agents {
		wg.Go(func() {
			if err := a.stop(10 * time.Second); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

func countAlive(ps []procID) int {
	n := 0
	for _, p := range ps {
		if p.alive() {
			n++
		}
	}
	return n
}

func dedup(ps []procID) []procID {
	seen := map[procID]bool{}
	var out []procID
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// rememberOrphans records a client's task processes before it is stopped:
// they survive it, re-parented to PID 1, and Stop must still find them.
func (c *Cluster) rememberOrphans(a *agent) {
	ds := a.children()
	c.mu.Lock()
	c.orphans = append(c.orphans, ds...)
	c.mu.Unlock()
}

// purgeJobs deregisters (purge) every job, then waits up to 15 s for no
// alloc to be pending/running on a node whose client is up (allocs on a
// stopped client never update; their tasks are killed afterwards).
func (c *Cluster) purgeJobs() error {
	t0 := time.Now()
	jobs, _, err := c.nomad.Jobs().List(&nomadapi.QueryOptions{Namespace: nomadapi.AllNamespacesNamespace})
	if err != nil {
		return fmt.Errorf("listing jobs: %w", err)
	}
	for _, j := range jobs {
		opts := &nomadapi.DeregisterOptions{Purge: true, NoShutdownDelay: true}
		if _, _, err := c.nomad.Jobs().DeregisterOpts(j.ID, opts, &nomadapi.WriteOptions{Namespace: j.Namespace}); err != nil {
			return fmt.Errorf("purging job %s/%s: %w", j.Namespace, j.ID, err)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := c.liveAllocs()
		if err != nil {
			return err
		}
		if n == 0 {
			if len(jobs) > 0 {
				c.logf("stop: %d jobs purged, allocs stopped in %.1fs", len(jobs), time.Since(t0).Seconds())
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d allocs still running 15s after purge", n)
		}
		time.Sleep(pollInterval)
	}
}

func (c *Cluster) liveAllocs() (int, error) {
	nodes, _, err := c.nomad.Nodes().List(nil)
	if err != nil {
		return 0, err
	}
	up := map[string]bool{}
	for _, n := range nodes {
		if a := c.clients[n.Datacenter]; a != nil && a.running() {
			up[n.ID] = true
		}
	}
	allocs, _, err := c.nomad.Allocations().List(&nomadapi.QueryOptions{Namespace: nomadapi.AllNamespacesNamespace})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range allocs {
		if up[a.NodeID] && (a.ClientStatus == "running" || a.ClientStatus == "pending") {
			n++
		}
	}
	return n, nil
}

// mountsUnder lists mount points strictly below dir, deepest first.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		target := unescapeMount(fields[4])
		if strings.HasPrefix(target, dir+"/") {
			out = append(out, target)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out, sc.Err()
}

// unescapeMount decodes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountUnder unmounts Nomad's secrets/ and private/ tmpfs mounts (they
// outlive the agents as alloc GC is lazy) so the data dir can be removed.
func unmountUnder(dir string) error {
	targets, err := mountsUnder(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range targets {
		if err := syscall.Unmount(t, 0); err != nil {
			if err2 := syscall.Unmount(t, syscall.MNT_DETACH); err2 != nil {
				errs = append(errs, fmt.Errorf("umount %s: %w", t, err))
			}
		}
	}
	return errors.Join(errs...)
}
