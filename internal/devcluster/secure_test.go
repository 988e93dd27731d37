package devcluster

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// TestSecureCluster starts the cluster with TLS and ACLs and checks it is
// one: plain HTTP and anonymous requests are refused, HTTPS without a
// client certificate too (Nomad), the read token reads but cannot write,
// the operator token can, and the seeded jobs still come up with their
// services registered in Consul through the Nomad agents' own token.
func TestSecureCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := require(t, Options{Secure: true})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	if !strings.HasPrefix(c.NomadAddr(), "https://") {
		t.Fatalf("NomadAddr %s: want https", c.NomadAddr())
	}
	tok, files := c.Tokens(), c.TLS()
	for name, v := range map[string]string{
		"management nomad": tok.Management.Nomad, "management consul": tok.Management.Consul,
		"read nomad": tok.Read.Nomad, "read consul": tok.Read.Consul,
		"operator nomad": tok.Operator.Nomad, "operator consul": tok.Operator.Consul,
	} {
		if len(v) != 36 {
			t.Errorf("token %s: %q is not a secret ID", name, v)
		}
	}
	ca, err := os.ReadFile(files.CACert)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(ca); b == nil {
		t.Fatal("CA file is not PEM")
	} else if cert, err := x509.ParseCertificate(b.Bytes); err != nil || !cert.IsCA {
		t.Fatalf("CA file: %v (IsCA %v)", err, cert != nil && cert.IsCA)
	}

	// Plain HTTP on the same ports: refused.
	plain := &http.Client{Timeout: 5 * time.Second}
	if resp, err := plain.Get(strings.Replace(c.NomadAddr(), "https", "http", 1) + "/v1/jobs"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("nomad answers plain HTTP")
		}
	}
	if resp, err := plain.Get("http://" + c.ConsulAddr() + "/v1/catalog/services"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("consul answers plain HTTP")
		}
	}

	// Nomad over HTTPS with the CA but without a client certificate.
	noCert, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr(), TLSConfig: &nomadapi.TLSConfig{CACert: files.CACert}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := noCert.Jobs().List(nil); err == nil {
		t.Error("nomad answered an HTTPS client without a certificate")
	}

	nomadAs := func(secret string) *nomadapi.Client {
		nc, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr(), SecretID: secret,
			TLSConfig: &nomadapi.TLSConfig{CACert: files.CACert, ClientCert: files.ClientCert, ClientKey: files.ClientKey}})
		if err != nil {
			t.Fatal(err)
		}
		return nc
	}
	consulAs := func(secret string) *consulapi.Client {
		cc, err := consulapi.NewClient(&consulapi.Config{Address: c.ConsulAddr(), Scheme: "https", Token: secret,
			TLSConfig: consulapi.TLSConfig{CAFile: files.CACert}})
		if err != nil {
			t.Fatal(err)
		}
		return cc
	}

	// Anonymous: denied (default deny). A new anonymous client each time:
	// the helpers fall back to NOMAD_TOKEN, which must not leak in here.
	t.Setenv("NOMAD_TOKEN", "")
	t.Setenv("CONSUL_HTTP_TOKEN", "")
	if _, _, err := nomadAs("").Nodes().List(nil); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("anonymous nomad node list: %v, want 403", err)
	}
	if svcs, _, err := consulAs("").Catalog().Services(nil); err != nil || len(svcs) > 1 {
		// Consul filters what a token may not see rather than refusing.
		t.Errorf("anonymous consul services: %v, %v (want at most the consul service)", svcs, err)
	}

	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}

	read, op := nomadAs(tok.Read.Nomad), nomadAs(tok.Operator.Nomad)
	if jobs, _, err := read.Jobs().List(nil); err != nil || len(jobs) < 3 {
		t.Errorf("read token: jobs %d, %v", len(jobs), err)
	}
	if nodes, _, err := read.Nodes().List(nil); err != nil || len(nodes) != 3 {
		t.Errorf("read token: nodes %d, %v", len(nodes), err)
	}
	job := SleepJob("essai", "default", "paris")
	if _, _, err := read.Jobs().Register(job, nil); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("read token registered a job: %v", err)
	}
	if _, _, err := op.Jobs().Register(job, nil); err != nil {
		t.Errorf("operator token cannot register a job: %v", err)
	}
	if svcs, _, err := consulAs(tok.Read.Consul).Catalog().Services(nil); err != nil || svcs[jobGarage] == nil {
		t.Errorf("consul read token: services %v, %v", svcs, err)
	}
	// Consul's read token may not put a service in maintenance; the
	// operator's may (it is the site agents that hold the services).
	site := c.agentConsul(t, "lyon")
	if err := site(tok.Read.Consul).Agent().EnableNodeMaintenance("test"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("consul read token put a node in maintenance: %v", err)
	}
	if err := site(tok.Operator.Consul).Agent().EnableNodeMaintenance("test"); err != nil {
		t.Errorf("consul operator token: node maintenance: %v", err)
	} else if err := site(tok.Operator.Consul).Agent().DisableNodeMaintenance(); err != nil {
		t.Errorf("consul operator token: end of node maintenance: %v", err)
	}

	operatorActions(t, c, read, op)

	env := c.Env(tok.Read)
	for _, k := range []string{"NOMAD_ADDR", "NOMAD_TOKEN", "NOMAD_CACERT", "NOMAD_CLIENT_CERT", "NOMAD_CLIENT_KEY",
		"CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN", "CONSUL_CACERT", "CONSUL_HTTP_SSL"} {
		if env[k] == "" {
			t.Errorf("Env lacks %s", k)
		}
	}
	if env["NOMAD_TOKEN"] != tok.Read.Nomad || env["CONSUL_HTTP_TOKEN"] != tok.Read.Consul {
		t.Error("Env does not carry the token it was given")
	}
}

// agentConsul returns a client maker for a site's Consul agent (HTTPS).
func (c *Cluster) agentConsul(t *testing.T, site string) func(token string) *consulapi.Client {
	idx := -1
	for i, s := range c.o.Sites {
		if s == site {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("no site %s", site)
	}
	return func(token string) *consulapi.Client {
		cc, err := consulapi.NewClient(&consulapi.Config{Address: "127.0.0.1:" + strconv.Itoa(c.ports.Clients[idx].ConsulHTTP),
			Scheme: "https", Token: token, TLSConfig: consulapi.TLSConfig{CAFile: c.sec.ca}})
		if err != nil {
			t.Fatal(err)
		}
		return cc
	}
}

// operatorActions: each action taken from the screens is refused to the
// read-only token (403) and allowed to the operator's.
func operatorActions(t *testing.T, c *Cluster, read, op *nomadapi.Client) {
	t.Helper()
	// A periodic job (forced from the screen) and a parameterized one.
	periodic := nomadapi.NewBatchJob("menage", "menage", "global", 50)
	periodic.Datacenters = []string{"paris"}
	periodic.Periodic = &nomadapi.PeriodicConfig{Spec: new("0 3 * * *"), SpecType: new("cron"), ProhibitOverlap: new(true)}
	param := nomadapi.NewBatchJob("relance", "relance", "global", 50)
	param.Datacenters = []string{"paris"}
	param.ParameterizedJob = &nomadapi.ParameterizedJobConfig{}
	for _, j := range []*nomadapi.Job{periodic, param} {
		task := nomadapi.NewTask("run", "raw_exec").SetConfig("command", "/bin/true").
			Require(&nomadapi.Resources{CPU: new(20), MemoryMB: new(16)})
		j.AddTaskGroup(nomadapi.NewTaskGroup("run", 1).AddTask(task))
		if _, _, err := op.Jobs().Register(j, nil); err != nil {
			t.Fatalf("operator registering %s: %v", *j.ID, err)
		}
	}
	stubs, _, err := op.Jobs().Allocations(jobGarage, false, nil)
	if err != nil || len(stubs) == 0 {
		t.Fatalf("garage allocs: %v, %v", stubs, err)
	}
	alloc, _, err := op.Allocations().Info(stubs[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	nodes, _, err := op.Nodes().List(nil)
	if err != nil || len(nodes) == 0 {
		t.Fatalf("nodes: %v, %v", nodes, err)
	}
	node := nodes[0].ID
	actions := []struct {
		name string
		do   func(*nomadapi.Client) error
	}{
		{"force the periodic job (submit-job)", func(nc *nomadapi.Client) error {
			_, _, err := nc.Jobs().PeriodicForce("menage", nil)
			return err
		}},
		{"dispatch (dispatch-job)", func(nc *nomadapi.Client) error {
			_, _, err := nc.Jobs().Dispatch("relance", nil, nil, "", nil)
			return err
		}},
		{"restart a task (alloc-lifecycle)", func(nc *nomadapi.Client) error {
			return nc.Allocations().Restart(alloc, "web", nil)
		}},
		{"node ineligible (node:write)", func(nc *nomadapi.Client) error {
			_, err := nc.Nodes().ToggleEligibility(node, false, nil)
			return err
		}},
		{"node eligible again (node:write)", func(nc *nomadapi.Client) error {
			_, err := nc.Nodes().ToggleEligibility(node, true, nil)
			return err
		}},
		{"stop an allocation (alloc-lifecycle)", func(nc *nomadapi.Client) error {
			_, err := nc.Allocations().Stop(alloc, nil)
			return err
		}},
	}
	for _, a := range actions {
		if err := a.do(read); err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("read-only token may %s: %v", a.name, err)
		}
		if err := a.do(op); err != nil {
			t.Errorf("operator token may not %s: %v", a.name, err)
		}
	}
}
