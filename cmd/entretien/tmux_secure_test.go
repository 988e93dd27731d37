package main

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
)

// secureMemberVars are the official clients' variables: the session gets
// exactly the ones Cluster.Env sets, the others unset, as a member's shell.
var secureMemberVars = []string{"NOMAD_ADDR", "NOMAD_TOKEN", "NOMAD_REGION", "NOMAD_NAMESPACE", "NOMAD_CACERT", "NOMAD_CAPATH",
	"NOMAD_CLIENT_CERT", "NOMAD_CLIENT_KEY", "NOMAD_TLS_SERVER_NAME", "NOMAD_SKIP_VERIFY",
	"CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "CONSUL_CACERT", "CONSUL_CAPATH",
	"CONSUL_CLIENT_CERT", "CONSUL_CLIENT_KEY", "CONSUL_HTTP_SSL", "CONSUL_HTTP_SSL_VERIFY", "CONSUL_TLS_SERVER_NAME"}

// secureOperatorTmux starts the secure dev cluster with the seeded jobs and
// the real binary in tmux, configured only by the member's variables with
// the operator token (the others unset); nc is a Nomad client with it.
func secureOperatorTmux(t *testing.T) (s *tmuxSession, nc *nomadapi.Client, noSecret, typeText, filter func(string)) {
	t.Helper()
	for _, k := range secureMemberVars { // the cluster's own clients must not read the caller's
		t.Setenv(k, "")
	}
	c := devclustertest.Require(t, devcluster.Options{Secure: true})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	tokens := c.Tokens()
	tlsFiles := c.TLS()
	nc, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr(), SecretID: tokens.Operator.Nomad,
		TLSConfig: &nomadapi.TLSConfig{CACert: tlsFiles.CACert, ClientCert: tlsFiles.ClientCert, ClientKey: tlsFiles.ClientKey}})
	if err != nil {
		t.Fatal(err)
	}
	memberEnv := c.Env(tokens.Operator)
	var env, set []string
	for _, k := range secureMemberVars {
		if _, ok := memberEnv[k]; !ok {
			env = append(env, "-u", k)
		}
	}
	for k, v := range memberEnv {
		set = append(set, k+"="+v)
	}
	sort.Strings(set)
	env = append(env, set...)
	env = append(env, "ENTRETIEN_DB="+seededDB(t))
	s = startTmux(t, 150, 40, env)
	secrets := []string{tokens.Read.Nomad, tokens.Read.Consul, tokens.Operator.Nomad, tokens.Operator.Consul,
		tokens.Management.Nomad, tokens.Management.Consul}
	noSecret = func(screen string) {
		t.Helper()
		for _, sec := range secrets {
			if sec != "" && strings.Contains(screen, sec) {
				t.Fatalf("a token is on screen:\n%s", screen)
			}
		}
	}
	typeText = func(text string) {
		for _, r := range text {
			s.keys("-l", string(r))
		}
	}
	filter = func(q string) {
		s.keys("/")
		typeText(q)
		s.waitFor(5*time.Second, "/"+q)
		s.keys("Enter")
	}
	return s, nc, noSecret, typeText, filter
}

// TestTUIActsOnTheSecureDevCluster is TestTUIActsOnTheDevCluster on agents
// with TLS and default-deny ACLs, the binary configured only by the
// member's variables with the operator token: outage → n → the incident →
// a confirmed restart of a live backup allocation → its entry in the
// incident's timeline.
func TestTUIActsOnTheSecureDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	s, nc, noSecret, _, filter := secureOperatorTmux(t)
	s.waitFor(90*time.Second, "job backup", "failed", "nomad ok", "consul ok")
	filter("backup")
	s.keys("n")
	s.waitFor(10*time.Second, "prefilled from the outage: job backup failed", "job/backup")
	s.keys("Enter")
	s.waitFor(10*time.Second, "› #", "job backup failed in paris")
	s.keys("Escape")
	s.waitFor(5*time.Second, "1/1")
	s.keys("Enter") // the backup job's allocations
	s.waitFor(10*time.Second, "job backup", "ALLOC")

	var short string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no restart accepted; screen:\n%s", s.capture())
		}
		id, ok := liveAlloc(nc, "backup")
		if !ok {
			time.Sleep(300 * time.Millisecond)
			continue
		}
		short = id[:8]
		filter(short)
		s.keys("Enter")
		s.waitFor(10*time.Second, id, "Recent task events")
		s.keys("R")
		s.waitFor(5*time.Second, "restart allocation "+short+" of backup on paris? type y")
		s.keys("y")
		screen := waitAny(t, s, 30*time.Second, "restart accepted", "failed:", "refused:")
		if strings.Contains(screen, "refused:") {
			t.Fatalf("the operator token was refused a restart:\n%s", screen)
		}
		if strings.Contains(screen, "restart accepted") {
			s.waitFor(10*time.Second, "timeline")
			break
		}
		s.keys("Escape")
		time.Sleep(200 * time.Millisecond)
		s.keys("Escape")
		time.Sleep(time.Second)
	}
	s.keys("8")
	filter("job backup failed")
	s.keys("Enter")
	noSecret(s.waitFor(10*time.Second, "restart allocation "+short+" of backup on paris: restart accepted"))
}

// TestTUIExecRefusedOnTheSecureDevCluster: x in garage's web task (raw_exec)
// with the operator token, which has alloc-exec but not alloc-node-exec
// (left out of deploy/policies/nomad-operator.hcl on purpose): asked and
// confirmed, refused by Nomad's client; the refusal is on screen, the TUI
// takes keys again at once, and echo never ran.
func TestTUIExecRefusedOnTheSecureDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	s, nc, noSecret, typeText, filter := secureOperatorTmux(t)
	s.waitFor(90*time.Second, "guichet", "nomad ok", "consul ok")
	// Exec needs the task running (as the binary's watcher sees it).
	for deadline := time.Now().Add(90 * time.Second); !garageWebRunning(nc); {
		if time.Now().After(deadline) {
			t.Fatal("garage's web task never ran")
		}
		time.Sleep(200 * time.Millisecond)
	}
	// No wait for the binary's own watcher, which follows Nomad up to 2 s
	// later under churn: exec asks Nomad when its snapshot lacks the task.
	s.keys("4")
	filter("garage")
	s.keys("Enter")
	s.waitFor(10*time.Second, "job garage", "ALLOC")
	s.keys("Enter")
	s.waitFor(10*time.Second, "Recent task events", "web")
	s.keys("x")
	s.waitFor(5*time.Second, "command to run in task web", "/bin/sh")
	s.keys("C-u")
	typeText("echo hello-from-exec")
	s.keys("Enter")
	s.waitFor(5*time.Second, "exec echo hello-from-exec in task web of allocation", "type y")
	s.keys("y")
	screen := waitAny(t, s, 30*time.Second, "refused:", "exit code", "failed:")
	if !strings.Contains(screen, "refused: your token cannot run commands in tasks") || !strings.Contains(screen, "alloc-node-exec for tasks without isolation") {
		t.Fatalf("x was not refused with Nomad's reason:\n%s", screen)
	}
	noSecret(screen)
	s.waitFor(5*time.Second, "Recent task events", "you: amelie") // the TUI is back
	s.keys("q")
	for end := time.Now().Add(5 * time.Second); !s.paneDead() && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
	}
	if !s.paneDead() {
		screen := s.capture()
		s.keys("q") // tells a key eaten from a TUI that ignores keys
		for end := time.Now().Add(5 * time.Second); !s.paneDead() && time.Now().Before(end); {
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("q did not quit after the refused exec (a second q quit: %v); screen:\n%s", s.paneDead(), screen)
	}
	out, _ := s.tmux("capture-pane", "-p", "-S", "-200", "-t", s.name).Output()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(line) == "hello-from-exec" {
			t.Errorf("echo ran although Nomad refused the exec:\n%s", out)
		}
	}
}

// garageWebRunning: every garage allocation meant to run has its web task running.
func garageWebRunning(nc *nomadapi.Client) bool {
	as, _, err := nc.Jobs().Allocations("garage", false, nil)
	if err != nil {
		return false
	}
	n := 0
	for _, a := range as {
		if a.DesiredStatus != "run" {
			continue
		}
		if ts, ok := a.TaskStates["web"]; !ok || ts.State != "running" {
			return false
		}
		n++
	}
	return n > 0
}
