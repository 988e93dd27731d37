package sources

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"

	nomadapi "github.com/hashicorp/nomad/api"
)

// TestIntegrationSecureActions: the actions taken from the screens, on
// the secure cluster with the README's tokens, set as a member does. The
// read-only token is refused each (a *DeniedError naming the capability,
// and Permission says so beforehand); the operator token may do each
// (restart a task, node eligibility, drain and undrain, force a periodic
// job). Exec into a raw_exec task is refused to the operator too: the
// operator policy leaves out alloc-node-exec on purpose, and the refusal
// says so. No error carries a token.
func TestIntegrationSecureActions(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts real agents")
	}
	setMemberEnv(t, nil)
	c := devclustertest.Require(t, devcluster.Options{Secure: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	tok := c.Tokens()
	secrets := []string{tok.Management.Nomad, tok.Read.Nomad, tok.Operator.Nomad, tok.Management.Consul, tok.Read.Consul, tok.Operator.Consul}

	op := c.Env(tok.Operator)
	opNomad, err := nomadapi.NewClient(&nomadapi.Config{Address: op["NOMAD_ADDR"], SecretID: op["NOMAD_TOKEN"],
		TLSConfig: &nomadapi.TLSConfig{CACert: op["NOMAD_CACERT"], ClientCert: op["NOMAD_CLIENT_CERT"], ClientKey: op["NOMAD_CLIENT_KEY"]}})
	if err != nil {
		t.Fatal(err)
	}
	periodic := nomadapi.NewBatchJob("menage", "menage", "global", 50)
	periodic.Datacenters = []string{"paris"}
	periodic.Periodic = &nomadapi.PeriodicConfig{Spec: new("0 3 * * *"), SpecType: new("cron"), ProhibitOverlap: new(true)}
	periodic.AddTaskGroup(nomadapi.NewTaskGroup("run", 1).AddTask(nomadapi.NewTask("run", "raw_exec").
		SetConfig("command", "/bin/true").Require(&nomadapi.Resources{CPU: new(20), MemoryMB: new(16)})))
	if _, _, err := opNomad.Jobs().Register(periodic, nil); err != nil {
		t.Fatal(err)
	}

	setMemberEnv(t, c.Env(tok.Read))
	reader := startWatcher(t, ctx, Config{})
	setMemberEnv(t, op)
	operator := startWatcher(t, ctx, Config{})
	ready := func(s *Snapshot) string {
		if p := seededProblem(s); p != "" {
			return p
		}
		if !slices.ContainsFunc(s.Nomad.Jobs, func(j Job) bool { return j.ID == "menage" }) {
			return "no periodic job menage"
		}
		return ""
	}
	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, reader, 90*time.Second, "seeded, read-only", ready)
	waitFor(t, operator, 30*time.Second, "seeded, operator", ready)

	var garage Alloc
	for _, a := range s.AllocsOfJob("garage") {
		if a.ClientStatus == "running" && a.Site == "bruxelles" {
			garage = a
		}
	}
	if garage.ID == "" {
		t.Fatalf("no running garage alloc in bruxelles: %+v", s.AllocsOfJob("garage"))
	}
	node := garage.NodeID
	noSecret := func(t *testing.T, what string, err error) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), sec) {
				t.Errorf("%s carries a token: %v", what, err)
			}
		}
	}
	actions := []struct {
		name       string
		a          Action
		capability string
	}{
		{"restart a task", Action{Kind: RestartTask, AllocID: garage.ID, Task: "web"}, "alloc-lifecycle"},
		{"node ineligible", Action{Kind: NodeIneligible, NodeID: node}, "node:write"},
		{"node eligible", Action{Kind: NodeEligible, NodeID: node}, "node:write"},
		{"force a periodic job", Action{Kind: ForcePeriodic, JobID: "menage"}, "submit-job"},
		{"drain", Action{Kind: DrainNode, NodeID: node, Deadline: time.Minute}, "node:write"},
	}
	undrain := Action{Kind: UndrainNode, NodeID: node}

	t.Run("read-only token", func(t *testing.T) {
		for _, k := range []struct {
			kind       ActionKind
			capability string
		}{{RestartAlloc, "alloc-lifecycle"}, {DrainNode, "node:write"}, {ForcePeriodic, "submit-job"}, {ExecTask, "alloc-exec"}} {
			allowed, why, err := reader.Permission(ctx, k.kind, "")
			if err != nil || allowed || !strings.Contains(why, k.capability) {
				t.Errorf("Permission(%s) = %v, %q, %v: want refused, naming %s", k.kind, allowed, why, err, k.capability)
			}
		}
		for _, x := range actions {
			_, err := reader.Act(ctx, x.a)
			var d *DeniedError
			if !errors.As(err, &d) || !strings.Contains(d.Reason, x.capability) {
				t.Errorf("%s: %v (%T), want a DeniedError naming %s", x.name, err, err, x.capability)
			}
			noSecret(t, x.name, err)
		}
		_, err := reader.Exec(ctx, garage.ID, "web", []string{"/bin/true"}, false, nil, nil, nil, nil)
		var d *DeniedError
		if !errors.As(err, &d) {
			t.Errorf("exec with the read-only token: %v (%T), want a DeniedError", err, err)
		}
		noSecret(t, "exec", err)
	})

	t.Run("operator token", func(t *testing.T) {
		for _, k := range []ActionKind{RestartAlloc, DrainNode, ForcePeriodic} {
			if allowed, why, err := operator.Permission(ctx, k, ""); err != nil || !allowed {
				t.Errorf("Permission(%s) = %v, %q, %v: want allowed", k, allowed, why, err)
			}
		}
		for _, x := range actions {
			res, err := operator.Act(ctx, x.a)
			if err != nil {
				t.Errorf("%s: %v", x.name, err)
				continue
			}
			t.Logf("%s: %s", x.name, res.Message)
			if x.a.Kind == ForcePeriodic && res.EvalID == "" {
				t.Errorf("%s: no evaluation", x.name)
			}
		}
		// The drain moves one raw_exec allocation: it may be over within a
		// second, between two snapshots; a drained node stays ineligible.
		drained := func(n Node) bool { return n.Drain || !n.Eligible }
		waitFor(t, operator, 30*time.Second, "the task restarted, the node drained", func(s *Snapshot) string {
			n, _ := s.NodeByID(node)
			a, _ := s.AllocByID(garage.ID)
			if !drained(n) || len(a.Tasks) != 1 || a.Tasks[0].Restarts < 1 {
				return fmt.Sprintf("node %+v, tasks %+v", n, a.Tasks)
			}
			return ""
		})
		// Once the node drains, the read-only token may not undrain it.
		waitFor(t, reader, 30*time.Second, "the node drained (read-only)", func(s *Snapshot) string {
			if n, _ := s.NodeByID(node); !drained(n) {
				return fmt.Sprintf("node %+v", n)
			}
			return ""
		})
		_, err := reader.Act(ctx, undrain)
		var d *DeniedError
		if !errors.As(err, &d) || !strings.Contains(d.Reason, "node:write") {
			t.Errorf("undrain with the read-only token: %v (%T), want a DeniedError naming node:write", err, err)
		}
		if _, err := operator.Act(ctx, undrain); err != nil {
			t.Errorf("undrain: %v", err)
		}
		waitFor(t, operator, 30*time.Second, "the node no longer draining", func(s *Snapshot) string {
			if n, _ := s.NodeByID(node); n.Drain {
				return fmt.Sprintf("node %+v", n)
			}
			return ""
		})
		if _, err := operator.Act(ctx, Action{Kind: NodeEligible, NodeID: node}); err != nil {
			t.Errorf("node eligible after the drain: %v", err)
		}

		// raw_exec has no filesystem isolation: exec needs alloc-node-exec,
		// which the operator policy does not grant.
		// (The drain stopped garage's alloc here: exec in guichet's.)
		var guichet Alloc
		for _, a := range operator.Snapshot().AllocsOfJob("guichet") {
			if a.ClientStatus == "running" {
				guichet = a
			}
		}
		_, err = operator.Exec(ctx, guichet.ID, "web", []string{"/bin/true"}, false, nil, nil, nil, nil)
		if !errors.As(err, &d) || !strings.Contains(d.Reason, "alloc-node-exec") {
			t.Errorf("exec into raw_exec with the operator token: %v (%T), want a DeniedError naming alloc-node-exec", err, err)
		}
		noSecret(t, "exec", err)
	})
}
