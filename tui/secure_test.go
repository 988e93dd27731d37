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

// TestScreensOnTheSecureDevCluster drives the real TUI on agents with TLS
// and default-deny ACLs, configured as a member is: only the NOMAD_* and
// CONSUL_* variables, with the README's read-only tokens, then the
// operator's. The outages and the overview must show the seeded faults,
// with both backends ok (no 403 anywhere: the read-only policy is enough).
func TestScreensOnTheSecureDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c, st, me := secureSeededCluster(t)
	tokens := c.Tokens()
	secrets := []string{tokens.Read.Nomad, tokens.Read.Consul, tokens.Operator.Nomad, tokens.Operator.Consul,
		tokens.Management.Nomad, tokens.Management.Consul}
	for _, role := range []struct {
		name string
		tok  devcluster.Token
	}{{"read-only", tokens.Read}, {"operator", tokens.Operator}} {
		t.Run(role.name, func(t *testing.T) {
			w := memberWatcher(t, c.Env(role.tok))
			deadline := time.Now().Add(90 * time.Second)
			for !seededFaultsVisible(w.Snapshot()) {
				if time.Now().After(deadline) {
					s := w.Snapshot()
					t.Fatalf("the secure cluster never showed its faults (nomad %v, consul %v): %+v", s.Nomad.Err, s.Consul.Err, s.Sites)
				}
				time.Sleep(200 * time.Millisecond)
			}
			if s := w.Snapshot(); s.Nomad.Err != nil || s.Consul.Err != nil {
				t.Fatalf("nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
			}
			if !strings.HasPrefix(w.NomadAddr(), "https://") || !strings.HasPrefix(w.ConsulAddr(), "https://") {
				t.Errorf("following %s and %s: want https", w.NomadAddr(), w.ConsulAddr())
			}
			t.Run("outages", func(t *testing.T) {
				tm := teatestModel(t, New(Options{Source: w, Store: st, Me: me}), 130, 34)
				waitScreenFor(t, tm, 30*time.Second, "guichet", "backup")
				time.Sleep(500 * time.Millisecond)
				plain := ansi.Strip(finalView(t, tm))
				screenHas(t, plain, secrets,
					"lyon", "guichet", "critical", // the critical check
					"paris", "backup", // the failing job
					"amelie", // on call
					"nomad ok", "consul ok")
			})
			t.Run("overview", func(t *testing.T) {
				tm := teatestModel(t, New(Options{Source: w, Store: st, Me: me}), 130, 34)
				tm.Type("2")
				waitScreenFor(t, tm, 30*time.Second, "1 critical", "failed")
				time.Sleep(500 * time.Millisecond)
				plain := ansi.Strip(finalView(t, tm))
				screenHas(t, plain, secrets,
					"bruxelles", "lyon", "paris",
					"1 critical",               // guichet's check in lyon
					"failed",                   // backup keeps failing in paris
					"amelie", "lucas", "chloe", // who hosts each machine (node meta: node:read)
					"now amelie", "next lucas",
					seed.IncidentTitle,
					"nomad ok", "consul ok")
			})
		})
	}
}

// screenHas checks the frame holds every want, and neither an ACL or TLS
// error nor any secret.
func screenHas(t *testing.T, plain string, secrets []string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(plain, want) {
			t.Errorf("screen lacks %q:\n%s", want, plain)
		}
	}
	for _, bad := range append([]string{"permission denied", "403", "certificate"}, secrets...) {
		if strings.Contains(plain, bad) {
			t.Errorf("screen shows %q:\n%s", bad, plain)
		}
	}
}

// memberVars are the official clients' variables: a member's environment
// is exactly the ones set, the others cleared.
var memberVars = []string{"NOMAD_ADDR", "NOMAD_TOKEN", "NOMAD_REGION", "NOMAD_NAMESPACE", "NOMAD_CACERT", "NOMAD_CAPATH",
	"NOMAD_CLIENT_CERT", "NOMAD_CLIENT_KEY", "NOMAD_TLS_SERVER_NAME", "NOMAD_SKIP_VERIFY",
	"CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "CONSUL_CACERT", "CONSUL_CAPATH",
	"CONSUL_CLIENT_CERT", "CONSUL_CLIENT_KEY", "CONSUL_HTTP_SSL", "CONSUL_HTTP_SSL_VERIFY", "CONSUL_TLS_SERVER_NAME"}

// memberWatcher sets env as a member's profile would and follows the
// cluster with a watcher built from it alone (sources.Config defaults)
// until the test ends.
func memberWatcher(t *testing.T, env map[string]string) *sources.Watcher {
	t.Helper()
	for _, k := range memberVars {
		t.Setenv(k, env[k])
	}
	w, err := sources.New(sources.Config{})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	return w
}

// secureSeededCluster starts the secure dev cluster with the seeded jobs
// and opens a database seeded with the demo collective. Me is amelie.
func secureSeededCluster(t *testing.T) (*devcluster.Cluster, oncall.Store, oncall.Member) {
	t.Helper()
	for _, k := range memberVars { // the cluster's own clients must not read the caller's
		t.Setenv(k, "")
	}
	c := devclustertest.Require(t, devcluster.Options{Secure: true})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
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
	return c, st, me
}
