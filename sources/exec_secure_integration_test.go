package sources

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
)

// TestIntegrationSecureExecRefusedSaysWhy: exec into a raw_exec task with the
// operator token (alloc-exec without alloc-node-exec), as the TUI runs it (a
// TTY, the terminal's size sent at once, stdin open), many times over TLS:
// every attempt is a *DeniedError naming alloc-node-exec, never a bare
// "unexpected EOF" (Nomad v1.6.3's agent now and then closes the refused
// exec without its close frame, see Exec).
func TestIntegrationSecureExecRefusedSaysWhy(t *testing.T) {
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
	setMemberEnv(t, c.Env(tok.Operator))
	op := startWatcher(t, ctx, Config{})
	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	var garage Alloc
	waitFor(t, op, 90*time.Second, "garage's web task running", func(s *Snapshot) string {
		for _, a := range s.AllocsOfJob("garage") {
			for _, ts := range a.Tasks {
				if ts.Name == "web" && ts.State == "running" {
					garage = a
					return ""
				}
			}
		}
		return "garage's web task not running"
	})
	const attempts = 100
	var eofs int
	for i := range attempts {
		resize := make(chan TerminalSize, 1)
		resize <- TerminalSize{Width: 80, Height: 24}
		var out strings.Builder
		code, err := op.Exec(ctx, garage.ID, "web", []string{"echo", "hello"}, true, nil, &out, &out, resize)
		var d *DeniedError
		switch {
		case errors.As(err, &d) && strings.Contains(d.Reason, "alloc-node-exec"):
		case err != nil && strings.Contains(err.Error(), "EOF"):
			eofs++
			t.Errorf("attempt %d: a bare EOF: %v (%T)", i, err, err)
		default:
			t.Errorf("attempt %d: exec = %d, %v (%T), output %q; want a DeniedError naming alloc-node-exec", i, code, err, err, out.String())
		}
		for _, sec := range secrets {
			if err != nil && sec != "" && strings.Contains(err.Error(), sec) {
				t.Fatalf("attempt %d: the error carries a token", i)
			}
		}
	}
	t.Logf("%d of %d attempts ended in a bare EOF", eofs, attempts)
}
