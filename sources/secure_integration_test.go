package sources

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// memberEnv are the variables the official clients read: each test sets
// them all, so nothing of the caller's shell leaks in.
var memberEnv = []string{
	"NOMAD_ADDR", "NOMAD_TOKEN", "NOMAD_REGION", "NOMAD_NAMESPACE", "NOMAD_CACERT", "NOMAD_CAPATH",
	"NOMAD_CLIENT_CERT", "NOMAD_CLIENT_KEY", "NOMAD_TLS_SERVER_NAME", "NOMAD_SKIP_VERIFY",
	"CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "CONSUL_CACERT", "CONSUL_CAPATH",
	"CONSUL_CLIENT_CERT", "CONSUL_CLIENT_KEY", "CONSUL_HTTP_SSL", "CONSUL_HTTP_SSL_VERIFY", "CONSUL_TLS_SERVER_NAME",
}

// setMemberEnv sets exactly env, as a member's profile would, and clears
// the other client variables.
func setMemberEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range memberEnv {
		t.Setenv(k, env[k])
	}
}

// startWatcher runs a watcher built from the environment alone (Config
// defaults, as `entretien` with no flags) until the test ends.
func startWatcher(t *testing.T, ctx context.Context, cfg Config) *Watcher {
	t.Helper()
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	runWatcher(t, ctx, w)
	return w
}

// runWatcher runs w until the test ends.
func runWatcher(t *testing.T, ctx context.Context, w *Watcher) {
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
}

// TestIntegrationSecureCluster follows a cluster with TLS and default-deny
// ACLs the way a member does: NOMAD_ADDR (https), NOMAD_TOKEN,
// NOMAD_CACERT, NOMAD_CLIENT_CERT/KEY, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN,
// CONSUL_CACERT and CONSUL_HTTP_SSL, and the README's read-only policies
// (deploy/policies). With the read-only token every part of the snapshot
// is there with no 403, the event stream follows changes an operator
// makes (a deployment, a killed task, a drained node and its blocked
// evaluation), on-demand reads (allocation detail, logs, agent checks,
// service catalog) work in every namespace; a wrong CA fails with a
// readable error, a token lacking node:read is reported as the 403 it is,
// and no error ever carries a token.
func TestIntegrationSecureCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts real agents")
	}
	setMemberEnv(t, nil) // the cluster's own clients must not read the caller's
	c := devclustertest.Require(t, devcluster.Options{Secure: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.SeedNamespaces(ctx); err != nil {
		t.Fatal(err)
	}
	tok := c.Tokens()
	secrets := []string{tok.Management.Nomad, tok.Management.Consul, tok.Read.Nomad, tok.Read.Consul, tok.Operator.Nomad, tok.Operator.Consul}
	noSecret := func(t *testing.T, what, s string) {
		t.Helper()
		for _, sec := range secrets {
			if sec != "" && strings.Contains(s, sec) {
				t.Errorf("%s carries a token: %q", what, s)
			}
		}
	}

	readEnv := c.Env(tok.Read)
	if !strings.HasPrefix(readEnv["NOMAD_ADDR"], "https://") || strings.Contains(readEnv["CONSUL_HTTP_ADDR"], "://") || readEnv["CONSUL_HTTP_SSL"] != "true" {
		t.Fatalf("member env %v: want an https Nomad address, a bare Consul one and CONSUL_HTTP_SSL", readEnv)
	}
	setMemberEnv(t, readEnv)
	w := startWatcher(t, ctx, Config{})
	all := startWatcher(t, ctx, Config{NomadNamespace: "*"})
	if !strings.HasPrefix(w.ConsulAddr(), "https://") {
		t.Errorf("ConsulAddr %q: CONSUL_HTTP_SSL not honoured", w.ConsulAddr())
	}
	tl := collectTransitions(t, w)

	// The operator acts as a member with the operator token would.
	op := c.Env(tok.Operator)
	opNomad, err := nomadapi.NewClient(&nomadapi.Config{Address: op["NOMAD_ADDR"], SecretID: op["NOMAD_TOKEN"],
		TLSConfig: &nomadapi.TLSConfig{CACert: op["NOMAD_CACERT"], ClientCert: op["NOMAD_CLIENT_CERT"], ClientKey: op["NOMAD_CLIENT_KEY"]}})
	if err != nil {
		t.Fatal(err)
	}

	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, w, 90*time.Second, "seeded state with the read-only token", seededProblem)
	checkSeededOutages(t, s)
	t.Run("read-only and operator tokens see every part", func(t *testing.T) {
		mgmt := c.Env(tok.Management)
		cc, err := consulapi.NewClient(&consulapi.Config{Address: mgmt["CONSUL_HTTP_ADDR"], Scheme: "https", Token: mgmt["CONSUL_HTTP_TOKEN"],
			TLSConfig: consulapi.TLSConfig{CAFile: mgmt["CONSUL_CACERT"]}})
		if err != nil {
			t.Fatal(err)
		}
		mgmtChecks, err := cc.Agent().Checks()
		if err != nil {
			t.Fatal(err)
		}
		tokenSeesAll(t, ctx, w, all, mgmtChecks)
		// The operator token's policies hold the read-only ones.
		setMemberEnv(t, c.Env(tok.Operator))
		ow := startWatcher(t, ctx, Config{})
		oall := startWatcher(t, ctx, Config{NomadNamespace: "*"})
		waitFor(t, ow, 60*time.Second, "seeded state with the operator token", seededProblem)
		tokenSeesAll(t, ctx, ow, oall, mgmtChecks)
	})
	t.Run("deploy then kill a task", func(t *testing.T) { deployAndKill(t, ctx, opNomad, w, tl) })
	t.Run("drain a node", func(t *testing.T) { drainNode(t, opNomad, w, tl) })
	s = w.Snapshot()
	if s.Nomad.Err != nil || s.Consul.Err != nil {
		t.Errorf("after following the changes: nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
	}
	if tl.len() == 0 {
		t.Error("no transition seen")
	}

	t.Run("second datacenter", func(t *testing.T) { secureSecondDC(t, ctx, c) })

	t.Run("wrong CA", func(t *testing.T) {
		env := c.Env(tok.Read)
		other := otherCA(t)
		env["NOMAD_CACERT"], env["CONSUL_CACERT"] = other, other
		setMemberEnv(t, env)
		bad := startWatcher(t, ctx, Config{})
		s := waitFor(t, bad, 30*time.Second, "both backends refused", func(s *Snapshot) string {
			if s.Nomad.Err == nil || s.Consul.Err == nil {
				return fmt.Sprintf("nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
			}
			return ""
		})
		for _, e := range []struct {
			backend, addr string
			err           error
		}{{"nomad", c.NomadAddr(), s.Nomad.Err}, {"consul", "https://" + c.ConsulAddr(), s.Consul.Err}} {
			msg := e.err.Error()
			t.Logf("%s with a wrong CA: %s", e.backend, msg)
			for _, want := range []string{e.backend + ":", e.addr, "certificate signed by unknown authority"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s error %q lacks %q", e.backend, msg, want)
				}
			}
			if strings.Count(msg, "\n") > 0 || len(msg) > 300 {
				t.Errorf("%s error not one readable line: %q", e.backend, msg)
			}
			noSecret(t, e.backend+" error", fmt.Sprintf("%v %+v %#v", e.err, e.err, e.err))
		}
		if len(s.Nomad.Jobs) > 0 || len(s.Consul.Instances) > 0 {
			t.Errorf("data read through an untrusted certificate: %d jobs, %d instances", len(s.Nomad.Jobs), len(s.Consul.Instances))
		}
	})

	t.Run("token lacking node:read", func(t *testing.T) {
		secret, err := c.CreateNomadToken(ctx, "jobs-only", `namespace "*" { policy = "read" }`)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, secret)
		env := c.Env(devcluster.Token{Nomad: secret, Consul: tok.Read.Consul})
		setMemberEnv(t, env)
		short := startWatcher(t, ctx, Config{})
		s := waitFor(t, short, 30*time.Second, "jobs, and nodes refused", func(s *Snapshot) string {
			if s.Nomad.Err == nil || !slices.ContainsFunc(s.Nomad.Jobs, func(j Job) bool { return j.ID == "garage" }) {
				return fmt.Sprintf("nomad err %v, %d jobs", s.Nomad.Err, len(s.Nomad.Jobs))
			}
			// Nomad's lists may land before Consul's first answer.
			if s.Consul.Updated.IsZero() || len(s.Consul.Instances) == 0 {
				return "consul not read yet"
			}
			return ""
		})
		var be *BackendError
		if !errors.As(s.Nomad.Err, &be) || !be.PermissionDenied() || be.Resource != "nodes" {
			t.Fatalf("err = %#v, want a BackendError 403 on nodes", s.Nomad.Err)
		}
		msg := s.Nomad.Err.Error()
		t.Logf("nomad with a token lacking node:read: %s", msg)
		for _, want := range []string{"nomad: permission denied reading nodes at " + c.NomadAddr(), "lacks a capability", "needs node:read"} {
			if !strings.Contains(msg, want) {
				t.Errorf("403 message %q lacks %q", msg, want)
			}
		}
		noSecret(t, "403 error", fmt.Sprintf("%v %+v %#v", s.Nomad.Err, s.Nomad.Err, s.Nomad.Err))
		if len(s.Nomad.Nodes) > 0 || len(s.Nomad.Allocs) == 0 || s.Consul.Err != nil || len(s.Consul.Instances) == 0 {
			t.Errorf("with nodes refused: %d nodes, %d allocs, consul %v with %d instances", len(s.Nomad.Nodes), len(s.Nomad.Allocs), s.Consul.Err, len(s.Consul.Instances))
		}
		// The stream still follows jobs without the Node topic.
		job := devcluster.SleepJob("ecoute", "default", "bruxelles")
		if _, _, err := opNomad.Jobs().Register(job, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, short, 60*time.Second, "ecoute through the stream", func(s *Snapshot) string {
			if !slices.ContainsFunc(s.Nomad.Allocs, func(a Alloc) bool { return a.JobID == "ecoute" && a.ClientStatus == "running" }) {
				return "no running ecoute alloc"
			}
			return ""
		})
	})
}

// tokenSeesAll: with the watchers' token, no part reports an error and
// every kind of data the screens show is there, in every namespace.
func tokenSeesAll(t *testing.T, ctx context.Context, w, all *Watcher, mgmtChecks map[string]*consulapi.AgentCheck) {
	s := w.Snapshot()
	if s.Nomad.Err != nil || s.Consul.Err != nil || s.Nomad.Stale() || s.Consul.Stale() {
		t.Fatalf("nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
	}
	for _, d := range s.Consul.Datacenters {
		if d.Err != nil {
			t.Errorf("datacenter %s: %v", d.Name, d.Err)
		}
	}
	// The region comes with the history, a frame after the first publish.
	if r := waitFor(t, w, 10*time.Second, "the region", func(s *Snapshot) string {
		if s.Nomad.Region != "global" {
			return "region " + s.Nomad.Region
		}
		return ""
	}).Nomad.Region; r != "global" {
		t.Errorf("region %q (agent:read)", r)
	}
	if len(s.Nomad.Nodes) != 3 || len(s.Nomad.Jobs) < 4 || len(s.Nomad.Allocs) < 5 || len(s.Nomad.Deployments) == 0 {
		t.Errorf("nomad: %d nodes, %d jobs, %d allocs, %d deployments", len(s.Nomad.Nodes), len(s.Nomad.Jobs), len(s.Nomad.Allocs), len(s.Nomad.Deployments))
	}
	for _, n := range s.Nomad.Nodes {
		if n.Site == "" || n.Address == "" {
			t.Errorf("node %+v: no site or address (node meta needs node:read)", n)
		}
	}
	if len(s.Consul.Instances) < 5 || len(s.Consul.Checks) == 0 || len(s.Consul.Nodes) < 4 || len(s.Consul.Datacenters) != 1 || s.Consul.Datacenter != "dc1" {
		t.Errorf("consul: %d instances, %d checks, %d nodes, datacenters %+v (%q)", len(s.Consul.Instances), len(s.Consul.Checks), len(s.Consul.Nodes), s.Consul.Datacenters, s.Consul.Datacenter)
	}

	// On-demand reads of the drill-down screens.
	garage := s.AllocsOfJob("garage")
	if len(garage) == 0 {
		t.Fatal("no garage alloc")
	}
	if d, err := w.AllocDetail(ctx, garage[0].ID); err != nil || d.JobID != "garage" || len(d.Tasks) != 1 {
		t.Errorf("AllocDetail: %+v, %v", d, err)
	}
	// The agent's checks, none filtered out by the read-only token.
	checks, err := w.AgentChecks(ctx)
	if err != nil {
		t.Errorf("AgentChecks: %v", err)
	}
	if len(checks) == 0 || len(checks) != len(mgmtChecks) {
		t.Errorf("AgentChecks: %d checks, %d with the management token", len(checks), len(mgmtChecks))
	}
	if ins, err := w.ServiceCatalog(ctx, "dc1", "garage"); err != nil || len(ins) < 3 {
		t.Errorf("ServiceCatalog(garage): %d instances, %v", len(ins), err)
	}

	// Every namespace, with logs (read-logs) in each.
	want := []string{"default/" + devcluster.JobVeille, devcluster.NamespaceOps + "/" + devcluster.JobRelais, devcluster.NamespaceOps + "/" + devcluster.JobVeille}
	sa := waitFor(t, all, 90*time.Second, "every namespace", func(s *Snapshot) string {
		if s.Nomad.Err != nil {
			return s.Nomad.Err.Error()
		}
		return runningJobs(s, want)
	})
	for _, k := range want {
		ns, id, _ := strings.Cut(k, "/")
		as := sa.AllocsOfJobIn(ns, id)
		if len(as) != 1 {
			t.Fatalf("AllocsOfJobIn(%s, %s) = %+v", ns, id, as)
		}
		if got := firstLog(t, ctx, all, as[0].ID); got != id+" in "+ns {
			t.Errorf("log of %s = %q", k, got)
		}
	}
}

// secureSecondDC: a second Consul datacenter with dc1 as its ACL primary;
// the read-only token (a global one) reads its services through the local
// agent, with no error on either datacenter.
func secureSecondDC(t *testing.T, ctx context.Context, c *devcluster.Cluster) {
	const dc2 = "bruxelles-dc"
	addr, err := c.StartConsulDC(ctx, dc2)
	if err != nil {
		t.Fatal(err)
	}
	mgmt := c.Env(c.Tokens().Management)
	cc2, err := consulapi.NewClient(&consulapi.Config{Address: addr, Scheme: "https", Token: mgmt["CONSUL_HTTP_TOKEN"],
		TLSConfig: consulapi.TLSConfig{CAFile: mgmt["CONSUL_CACERT"]}})
	if err != nil {
		t.Fatal(err)
	}
	// The secondary resolves tokens through the primary once joined.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err = cc2.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{
			ID: "archive-1", Name: "archive", Address: "127.0.0.1", Port: 9000,
			Check: &consulapi.AgentServiceCheck{CheckID: "archive-ttl", Name: "archive disk", TTL: "10m"},
		})
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("registering in %s: %v", dc2, err)
	}
	if err := cc2.Agent().UpdateTTL("archive-ttl", "disk full on /srv/archive", consulapi.HealthCritical); err != nil {
		t.Fatal(err)
	}
	setMemberEnv(t, c.Env(c.Tokens().Read))
	w := startWatcher(t, ctx, Config{SiteKey: "meta.site"})
	waitFor(t, w, 60*time.Second, "the other datacenter's instance with the read-only token", func(s *Snapshot) string {
		var remote *ConsulDatacenter
		for i, d := range s.Consul.Datacenters {
			if d.Err != nil {
				return fmt.Sprintf("datacenter %s: %v", d.Name, d.Err)
			}
			if d.Name == dc2 {
				remote = &s.Consul.Datacenters[i]
			}
		}
		if remote == nil || remote.Stale() || s.Consul.Err != nil {
			return fmt.Sprintf("datacenters %+v, consul %v", s.Consul.Datacenters, s.Consul.Err)
		}
		for _, in := range s.Consul.Instances {
			if in.Service == "archive" && in.Datacenter == dc2 && in.Status == StatusCritical {
				return ""
			}
		}
		return "no critical archive instance in " + dc2
	})
}

// otherCA writes a CA certificate that signed nothing of the cluster's.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "someone else's CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
