package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// The whole life of a proposal through the real binary: refused input
// (exit 2, nothing written), unknown ids (exit 3), --json read back into
// the typed documents.
func TestProposalCommands(t *testing.T) {
	db := seededDB(t) // the OS user running the tests is amelie; 5 members
	ctx := context.Background()
	run := func(want int, args ...string) string {
		t.Helper()
		out, code := runBin(t, nil, append([]string{"--db", db, "proposal"}, args...)...)
		if code != want {
			t.Fatalf("entretien proposal %q: exit %d, want %d\n%s", args, code, want, out)
		}
		return out
	}
	rows := func() int {
		st, err := sqlite.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ps, err := st.Proposals(ctx, oncall.ProposalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range ps {
			n += 1 + len(p.Positions) + len(p.History)
		}
		return n
	}
	// Without a cluster to ask, what it affects is not checked, and stderr
	// says so (TestProposalAffectsCheckedAgainstTheCluster asks one).
	open := []string{"open", "--title", "move guichet's database to paris", "--driver", "lyon's uplink drops", "--affects", "service/guichet,site/lyon", "--incident", "1",
		"--nomad-addr", deadNomad, "--consul-addr", deadConsul, "--cluster-wait", "300ms"}
	for _, bad := range []struct {
		field string
		args  []string
	}{
		{"--driver", []string{"open", "--title", "t", "--affects", "site/lyon", "x"}},
		{"proposal.affects", append(append([]string{}, open[:5]...), "--affects", "job/guichet", "x")},
		{"proposal.closes_at", append(append([]string{}, open...), "--closes", "-1d", "x")},
		{"proposal.process", append(append([]string{}, open...), "--process", "vote", "x")},
		{"proposal.incident", append(append([]string{}, open...), "--incident", "42", "x")},
	} {
		if out := run(exitUsage, bad.args...); !strings.Contains(out, bad.field) {
			t.Errorf("%v: %q does not name %s", bad.args, out, bad.field)
		}
	}
	if n := rows(); n != 0 {
		t.Fatalf("refused opens wrote %d rows", n)
	}
	if out := run(0, append(open, "--", "run its postgres in paris")...); !strings.Contains(out, "opened proposal #1") || !strings.Contains(out, "not checked against the cluster: Nomad unreachable") {
		t.Fatalf("open: %q", out)
	}
	if out := run(exitUsage, "position", "1", "objection"); !strings.Contains(out, "position.text") {
		t.Fatalf("objection without reason: %q", out)
	}
	run(exitNotFound, "position", "9", "consent")
	before := rows()
	run(exitUsage, "close", "1", "adopted", "--statement", "too early")
	if rows() != before {
		t.Fatal("a refused close wrote")
	}

	// Positions taken at the same moment by several processes all land.
	var wg sync.WaitGroup
	for _, stance := range []string{"concern", "consent", "abstain"} {
		wg.Go(func() {
			if out, code := runBin(t, nil, "--db", db, "proposal", "position", "1", stance, "from a parallel process"); code != 0 {
				t.Errorf("position %s: %d %s", stance, code, out)
			}
		})
	}
	wg.Wait()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"lucas", "chloe", "dara", "kenji"} {
		if _, err := st.TakePosition(ctx, 1, who, oncall.StanceConsent, ""); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	run(0, "position", "1", "consent", "--", "-fine by me")
	run(0, "imply", "1", "amelie hosts guichet's data afterwards")

	var p proposalJSON
	if err := json.Unmarshal([]byte(run(0, "show", "1", "--json")), &p); err != nil {
		t.Fatal(err)
	}
	if p.State != "open" || p.Quorum != 3 || len(p.Positions) != 5 || p.IncidentID != 1 || len(p.Implications) != 1 ||
		p.StateLine != "5 consent · "+p.StateLine[len("5 consent · "):] || !strings.HasPrefix(p.StateLine, "5 consent · closes in ") {
		t.Fatalf("show --json: %+v", p)
	}
	var history int
	for _, e := range p.History {
		if e.Actor == "amelie" && e.Kind == "position" {
			history++
		}
	}
	if history != 4 { // three parallel, then the last: all kept
		t.Fatalf("amelie's positions in the history: %d, want 4: %+v", history, p.History)
	}
	if p.Positions[0].Member != "amelie" || p.Positions[0].Text != "-fine by me" {
		t.Fatalf("amelie's current position: %+v", p.Positions[0])
	}

	if out := run(exitUsage, "close", "1", "adopted", "--statement", "s", "--action", "move it @nobody"); !strings.Contains(out, "action.owner") {
		t.Fatalf("unknown owner: %q", out)
	}
	out := run(0, "close", "1", "adopted", "--statement", "adopted: lucas moves it", "--review", "2999-01-01", "--action", "move the database @lucas 2999-01-01")
	if !strings.Contains(out, "adopted; 1 action item") {
		t.Fatalf("close: %q", out)
	}
	var ps []proposalJSON
	if err := json.Unmarshal([]byte(run(0, "list", "--json")), &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Outcome == nil || ps[0].Outcome.Outcome != "adopted" || len(ps[0].Actions) != 1 || ps[0].Actions[0].Owner != "lucas" {
		t.Fatalf("list --json: %+v", ps)
	}
	run(exitUsage, "withdraw", "1", "too late")
	var d digestJSON
	if err := json.Unmarshal([]byte(run(0, "digest", "--json")), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Closed) != 1 || len(d.Open) != 0 || len(d.Opened) != 1 {
		t.Fatalf("digest --json: %+v", d)
	}
	if out := run(0, "digest"); !strings.Contains(out, "#1 move guichet's database to paris: adopted") || !strings.Contains(out, "action: move the database — lucas") {
		t.Fatalf("digest:\n%s", out)
	}
}

// Against a real cluster, a site, node or service it does not have is
// refused, naming it; what it has passes.
func TestProposalAffectsCheckedAgainstTheCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	db := seededDB(t)
	open := func(affects string) (string, int) {
		return runBin(t, nil, "--db", db, "--nomad-addr", c.NomadAddr(), "--consul-addr", c.ConsulAddr(), "proposal", "open",
			"--title", "t", "--driver", "d", "--affects", affects, "--cluster-wait", "20s", "x")
	}
	for _, bad := range []string{"site/marseille", "node/nowhere-1", "service/nothing-here"} {
		if out, code := open("site/lyon," + bad); code != exitUsage || !strings.Contains(out, `proposal.affects "`+bad+`": no such`) {
			t.Errorf("%s: exit %d\n%s", bad, code, out)
		}
	}
	if out, code := open("site/lyon,site/paris"); code != 0 || !strings.Contains(out, "opened proposal #1") || strings.Contains(out, "not checked") {
		t.Fatalf("known sites: exit %d\n%s", code, out)
	}
}
