package main

// Modes for bench/anchors.sh: -serve keeps a dev cluster up for the
// side-by-side run of the real TUIs; -pattern runs a wander-like or
// damon-like request pattern as a stand-in for a TUI not given.

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"codeberg.org/entretien/entretien/internal/devcluster"
)

// serve starts and seeds a dev cluster, writes its addresses to envFile
// (shell assignments), and holds it until ctx ends. quiet: the failing
// demo job is stopped, nothing changes; churn: a 3-allocation job is
// updated every `every` (each update replaces its allocations).
func serve(ctx context.Context, envFile, regime string, every time.Duration) error {
	if regime != "quiet" && regime != "churn" {
		return fmt.Errorf("-regime %q: want quiet or churn", regime)
	}
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
	if _, _, err := nomad.Jobs().Deregister("backup", true, nil); err != nil {
		return err
	}
	if regime == "churn" {
		go func() {
			for ctx.Err() == nil {
				if _, err := churnJob(ctx, nomad, time.Hour, every); err != nil && ctx.Err() == nil {
					fmt.Fprintln(os.Stderr, "churn:", err)
					sleep(ctx, every)
				}
			}
		}()
	} else {
		sleep(ctx, settleAfterStart) // the purge's own changes
	}
	env := fmt.Sprintf("NOMAD_ADDR=%s\nCONSUL_HTTP_ADDR=%s\n", c.NomadAddr(), c.ConsulAddr())
	if err := os.WriteFile(envFile+".tmp", []byte(env), 0o644); err != nil {
		return err
	}
	if err := os.Rename(envFile+".tmp", envFile); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// pattern runs a TUI's request pattern against NOMAD_ADDR and prints the
// job names it holds (so that a first-frame match works as on a TUI):
// wander relists /v1/jobs every 2 s; damon follows the event stream and
// fetches each event's allocation.
func pattern(ctx context.Context, which string) error {
	cl, err := nomadapi.NewClient(nomadapi.DefaultConfig())
	if err != nil {
		return err
	}
	show := func() {
		jobs, _, err := cl.Jobs().List((&nomadapi.QueryOptions{}).WithContext(ctx))
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		names := make([]string, 0, len(jobs))
		for _, j := range jobs {
			names = append(names, j.Name)
		}
		sort.Strings(names)
		fmt.Print("\033[H\033[2J", strings.Join(names, "\n"), "\n")
	}
	switch which {
	case "wander":
		for ctx.Err() == nil {
			show()
			sleep(ctx, 2*time.Second)
		}
	case "damon":
		show()
		var events atomic.Int64
		damonLike(ctx, cl.Address(), &events)
	default:
		return fmt.Errorf("-pattern %q: want wander or damon", which)
	}
	return nil
}
