package devcluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// pollInterval is short on purpose: this is startup, not steady state.
const pollInterval = 75 * time.Millisecond

// waitFor polls cond until it holds, ctx ends, startTimeout passes or one of
// the watched agents exits. Errors carry the watched agents' log tails.
// cond returns a description of the current state for the timeout message.
func (c *Cluster) waitFor(ctx context.Context, what string, watch []*agent, cond func() (bool, string)) error {
	deadline := time.Now().Add(startTimeout)
	var state string
	for {
		var ok bool
		if ok, state = cond(); ok {
			return nil
		}
		for _, a := range watch {
			if !a.running() {
				return fmt.Errorf("devcluster: waiting for %s: %w", what, a.exitErr())
			}
		}
		var why string
		select {
		case <-ctx.Done():
			why = ctx.Err().Error()
		case <-time.After(pollInterval):
			if time.Now().After(deadline) {
				why = fmt.Sprintf("timed out after %s", startTimeout)
			}
		}
		if why != "" {
			var tails []string
			for _, a := range watch {
				tails = append(tails, a.tail(15))
			}
			return fmt.Errorf("devcluster: waiting for %s: %s (last state: %s)\n%s", what, why, state, strings.Join(tails, "\n"))
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (c *Cluster) waitNomadLeader(ctx context.Context, watch []*agent) error {
	return c.waitFor(ctx, "nomad leader", watch, func() (bool, string) {
		l, err := c.nomad.Status().Leader()
		return err == nil && l != "", errString(err)
	})
}

// waitNodesReady waits for one ready node per site with raw_exec healthy, so
// that jobs registered right after Start get placed at once.
func (c *Cluster) waitNodesReady(ctx context.Context, watch []*agent) error {
	return c.waitFor(ctx, "nomad nodes ready", watch, func() (bool, string) {
		nodes, _, err := c.nomad.Nodes().List(nil)
		if err != nil {
			return false, err.Error()
		}
		return nodesReady(nodes, c.o.Sites)
	})
}

func nodesReady(nodes []*nomadapi.NodeListStub, sites []string) (bool, string) {
	state := map[string]string{}
	for _, s := range sites {
		state[s] = "absent"
	}
	for _, n := range nodes {
		if _, ok := state[n.Datacenter]; !ok {
			continue
		}
		st := n.Status
		if d := n.Drivers["raw_exec"]; st == "ready" && (d == nil || !d.Detected || !d.Healthy) {
			st = "ready, raw_exec not healthy yet"
		}
		state[n.Datacenter] = st
	}
	ok := true
	var parts []string
	for s, st := range state {
		ok = ok && st == "ready"
		parts = append(parts, s+": "+st)
	}
	sort.Strings(parts)
	return ok, strings.Join(parts, ", ")
}
