package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// Another member (another process) opens a proposal, then objects to it:
// the status line tells me at once; once I look at the decisions tab my
// seen mark moves in the database and the notice goes, for good.
func TestStatusLineTellsOfDecisionsUntilSeen(t *testing.T) {
	st, me := testStore(t)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }, Tick: time.Hour})
	tm := teatestModel(t, m, 200, 30)
	waitScreen(t, tm, "outages")

	other, err := sqlite.Open(context.Background(), st.Describe())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	other.SetClock(func() time.Time { return testNow })
	p, err := other.OpenProposal(ctx, "lucas", oncall.NewProposal{Title: "move guichet", Driver: "lyon drops", Text: "to paris", Affects: []string{"site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "decisions: #1 opened by lucas — tab 0")
	if _, err := other.TakePosition(ctx, p.ID, "lucas", oncall.StanceObjection, "on second thought, no"); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "decisions: objection to #1 by lucas · #1 opened by lucas — tab 0")

	tm.Type("0")
	waitScreen(t, tm, "Decisions · 1 open", "#1   move guichet")
	deadline := time.Now().Add(5 * time.Second)
	for {
		ns, err := st.DecisionNotices(ctx, "amelie")
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) == 0 && !strings.Contains(tm.rec.frames.Last(), "decisions: ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still told of %d decisions after the visit:\n%s", len(ns), tm.rec.frames.Last())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// `?` on the proposal screen shows its own keys beside the global ones.
func TestDecisionsHelp(t *testing.T) {
	st, me := testStore(t)
	if _, err := st.OpenProposal(context.Background(), "lucas", oncall.NewProposal{Title: "move guichet", Driver: "lyon drops", Text: "to paris", Affects: []string{"site/lyon"}}); err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, newStaticSource(testSnapshot()), st, me, 100, 40) // the narrowest the help fits
	tm.Type("0")
	waitScreen(t, tm, "Decisions · 1 open")
	tm.Type("?")
	waitScreen(t, tm, "new proposal", "open proposal", "go to screen (0: the tenth)")
	tm.Type("?")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "Proposal #1 move guichet")
	tm.Type("?")
	waitScreen(t, tm, "objection (say why)", "concern (no block)", "amend (author)", "C outcome", "next outcome", "quit")
}

// The retro's help, with { } and p, still fits beside the global keys at
// 100 columns.
func TestRetroHelpWithPropose(t *testing.T) {
	st, me := testStore(t)
	tm := newTestModel(t, newStaticSource(testSnapshot()), st, me, 100, 40)
	tm.Type("8")
	waitScreen(t, tm, "404 on /health")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "lead —")
	tm.Type("r")
	waitScreen(t, tm, "Key moments")
	tm.Type("?")
	waitScreen(t, tm, "select factor", "propose from it", "quit")
}
