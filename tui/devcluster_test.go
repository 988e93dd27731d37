package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/internal/seed"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/sources"
)

// TestOverviewOnTheSeededDevCluster drives the real TUI in-process on real
// Nomad and Consul agents: the seeded jobs, the critical check in lyon and
// the failing job in paris must show on the overview as they happen.
func TestOverviewOnTheSeededDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	w, st, me := seededCluster(t, false)
	m := New(Options{Source: w, Store: st, Me: me})
	tm := teatestModel(t, m, 130, 34)
	tm.Type("2") // the overview

	// Wait on the source (safe to read from here) until the seeded faults
	// are live, then read what the TUI drew from its final model.
	deadline := time.Now().Add(90 * time.Second)
	for !seededFaultsVisible(w.Snapshot()) {
		if time.Now().After(deadline) {
			t.Fatalf("the seeded cluster never showed its faults: %+v", w.Snapshot().Sites)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // let the root take the last update
	plain := ansi.Strip(finalView(t, tm))
	for _, want := range []string{
		"bruxelles", "lyon", "paris", // the three sites
		"1 critical",               // guichet's check in lyon
		"failed",                   // backup keeps failing in paris
		"amelie", "lucas", "chloe", // who hosts each machine
		"now amelie", "next lucas", // the rota
		seed.IncidentTitle, // the open incident
		"nomad ok", "consul ok",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("overview lacks %q:\n%s", want, plain)
		}
	}
}

func seededFaultsVisible(s *sources.Snapshot) bool {
	sites := map[string]sources.Site{}
	for _, x := range s.Sites {
		sites[x.Name] = x
	}
	return sites["lyon"].ServicesCritical >= 1 && sites["paris"].AllocsFailed >= 1 &&
		sites["bruxelles"].ServicesPassing >= 1 && sites["paris"].ServicesPassing >= 1 && sites["lyon"].ServicesPassing >= 1
}

// seededCluster starts the dev cluster with the seeded jobs (settled when
// settle is set), follows it with a real watcher until the test ends, and
// opens a database seeded with the demo collective. Me is amelie.
func seededCluster(t *testing.T, settle bool) (*sources.Watcher, oncall.Store, oncall.Member) {
	t.Helper()
	c := devclustertest.Require(t, devcluster.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	if settle {
		if err := c.WaitSeeded(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w, err := sources.New(sources.Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go w.Run(runCtx)
	dbPath := filepath.Join(t.TempDir(), "entretien.db")
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := seed.Collective(ctx, seed.File(dbPath), "someone", time.Now()); err != nil {
		t.Fatal(err)
	}
	me, err := st.Member(ctx, "amelie")
	if err != nil {
		t.Fatal(err)
	}
	return w, st, me
}
