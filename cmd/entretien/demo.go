package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/seed"
	"codeberg.org/entretien/entretien/oncall"
)

// demoCmd is entretien's `-dev` mode (as `nomad agent -dev`): it starts a
// Consul and a Nomad server, and per site a Consul agent and a Nomad client,
// on 127.0.0.1,
// seeds the collective's jobs and a demo database, opens the TUI on them and
// stops every process it started when the TUI quits.
func (a *app) demoCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "demo [--agents DIR]",
		Short: "start a local Nomad + Consul dev cluster, seed it, open the TUI on it",
		Args:  noArgs("demo"),
	}
	agents := c.Flags().String("agents", devcluster.AgentsDir(), "folder holding the nomad and consul binaries (make agents)")
	c.RunE = func(cmd *cobra.Command, _ []string) error { return a.runDemo(cmd, *agents) }
	return c
}

func (a *app) runDemo(cmd *cobra.Command, agents string) error {
	stderr := a.stderr
	for _, bin := range []string{"nomad", "consul"} {
		if _, err := os.Stat(filepath.Join(agents, bin)); err != nil {
			return fmt.Errorf("%s not found in %s: build the agents first with `make agents`", bin, agents)
		}
	}
	// Ctrl-C while the cluster starts must still tear it down.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	dir, err := os.MkdirTemp("", "entretien-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintln(stderr, "demo: starting a Consul and a Nomad server, and per site (paris, lyon, bruxelles) a Consul agent and a Nomad client…")
	cl, err := devcluster.Start(ctx, devcluster.Options{AgentsDir: agents, Log: stderr, DataDir: filepath.Join(dir, "cluster"), PreferDefaultPorts: true})
	if err != nil {
		return fmt.Errorf("dev cluster: %w", err)
	}
	defer func() {
		fmt.Fprintln(stderr, "demo: stopping the dev cluster…")
		if err := cl.Stop(); err != nil {
			fmt.Fprintln(stderr, "demo: stop:", err)
		}
	}()
	if err := cl.SeedJobs(ctx); err != nil {
		return fmt.Errorf("seeding jobs: %w", err)
	}

	// The demo's database is its own, so seeding never touches the shared
	// one (ENTRETIEN_DB is ignored); only an explicit --db keeps it.
	dbPath := filepath.Join(dir, "entretien.db")
	if cmd.Flags().Changed("db") {
		dbPath = a.db
	}
	st, err := openStore(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("database %s: %w", dbPath, err)
	}
	user, err := oncall.CurrentOSUser()
	if err != nil {
		st.Close()
		return err
	}
	// The seed opens its own store on the database (SQLite or PostgreSQL).
	open := func(ctx context.Context) (oncall.Store, error) { return openStore(ctx, dbPath) }
	if err := seed.Collective(ctx, open, user, time.Now()); err != nil {
		st.Close()
		return fmt.Errorf("seeding the collective: %w", err)
	}
	st.Close()

	src := a.src
	src.NomadAddr, src.ConsulAddr = cl.NomadAddr(), cl.ConsulAddr()
	if src.SiteKey == "" {
		// Every machine of the demo, Consul's too, says its site in its
		// node meta: the servers' own services then belong to paris.
		src.SiteKey = "meta.site"
	}
	fmt.Fprintf(stderr, "demo: Nomad %s, Consul %s, database %s\n", src.NomadAddr, src.ConsulAddr, dbPath)
	return openTUI(ctx, src, dbPath)
}
