package decisions

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/internal/screentest"
	"codeberg.org/entretien/entretien/internal/seed"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/views/common"
)

func testStore(t *testing.T) (oncall.Store, oncall.Member) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var me oncall.Member
	for _, h := range []string{"amelie", "chloe", "dara", "lucas"} {
		m, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"})
		if err != nil {
			t.Fatal(err)
		}
		if h == "amelie" {
			me = m
		}
	}
	return st, me
}

// The decisions tab through the real screens and a real store: open a
// proposal from the list, take a position with its text, amend it (the
// author), see the positions to confirm, and record the outcome with the
// action item it creates.
func TestDecisionsScreenPositionAmendClose(t *testing.T) {
	ctx := context.Background()
	st, me := testStore(t)
	p, err := st.OpenProposal(ctx, "amelie", oncall.NewProposal{Title: "move guichet's database off the lyon machine",
		Driver: "lyon's uplink drops every week", Text: "run its postgres in paris", Affects: []string{"service/guichet", "site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakePosition(ctx, p.ID, "lucas", oncall.StanceConsent, ""); err != nil {
		t.Fatal(err)
	}
	h := screentest.Start(t, screentest.Options{Store: st, Me: me, Width: 120, Height: 50, Follow: true},
		func(c *common.Context) common.Screen { return New(c) })
	h.Wait(t, "Decisions · 1 open", "#1   move guichet's database off the lyon machine", "1 consent · closes in 6d", "you have not taken a position",
		"quorum 2 positions on version 1 (half of the 4 members, rounded up): 1 so far")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "Proposal #1 move guichet's database off the lyon machine", "Driver", "lyon's uplink drops every week", "run its postgres in paris")

	// An objection needs its reason: the store refuses it empty, says so.
	h.Send(screentest.Key("x"))
	h.WaitCapturing(t, true)
	h.Send(screentest.Key("enter"))
	h.Wait(t, "refused: position.text", "an objection needs its reason")
	h.Type("no backup in paris yet")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "your position: objection", "amelie   objection no backup in paris yet", "1 consent · 1 objection")

	// The author amends: positions on version 1 are to be confirmed.
	h.Send(screentest.Key("A"))
	h.WaitCapturing(t, true)
	h.Type(", with a nightly copy to bruxelles")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "Proposal (version 2)", "run its postgres in paris, with a nightly copy to bruxelles",
		"lucas    consent   ", "(on version 1: to confirm)", "your objection was on version 1", "2 to confirm")

	h.Send(screentest.Key("y"))
	h.Type("fine with the copy")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "your position: consent", "amelie   consent   fine with the copy")
	for _, who := range []string{"lucas", "chloe", "dara"} {
		if _, err := st.TakePosition(ctx, p.ID, who, oncall.StanceConsent, ""); err != nil {
			t.Fatal(err)
		}
	}
	h.Wait(t, "4 consent · closes in")

	// Expired is refused before the closing time; adopted, with everyone
	// on version 2, is not.
	h.Send(screentest.Key("C"))
	h.WaitCapturing(t, true)
	h.Send(screentest.Key("tab"))
	h.Send(screentest.Key("tab"))
	h.Wait(t, "[outcome expired (tab)]")
	h.Type("nobody read it")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "refused: outcome.outcome", "it has not expired")
	h.Send(screentest.Key("tab")) // back to adopted
	for range len("nobody read it") {
		h.Send(screentest.Key("backspace"))
	}
	h.Type("adopted: lucas moves it review 2999-01-01 + move the database @lucas 2999-02-01")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "outcome recorded: adopted", "Outcome: adopted", "adopted: lucas moves it", "review on 2999-01-01",
		"action #1 move the database — lucas, 2999-02-01")
	got, err := st.Proposal(ctx, p.ID)
	if err != nil || got.State != oncall.OutcomeAdopted || len(got.Actions) != 1 || got.Version != 2 {
		t.Fatalf("stored %+v %v", got, err)
	}
	h.Send(screentest.Key("esc"))
	h.Wait(t, "Decisions · 0 open", "Closed", "4 consent · adopted")
}

// A newcomer to the demo sees the seeded proposal on the decisions tab,
// with its state, and opens it.
func TestSeededProposalOnTheDecisionsTab(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	if err := seed.Collective(ctx, seed.File(st.Describe()), "demo", now); err != nil {
		t.Fatal(err)
	}
	me, err := st.Member(ctx, "kenji")
	if err != nil {
		t.Fatal(err)
	}
	h := screentest.Start(t, screentest.Options{Store: st, Me: me, Width: 140, Height: 50},
		func(c *common.Context) common.Screen { return New(c) })
	h.Wait(t, "Decisions · 1 open", "#1   "+seed.ProposalTitle, "2 consent · 1 concern · closes in 4d", "you have not taken a position",
		"quorum 3 positions on version 1 (half of the 5 members, rounded up): 3 so far")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "from incident #1", "about 40 GB on her disk", "dara     concern", "Move guichet's PostgreSQL to the paris machine")
}

// The form refuses what the cluster does not have, naming it, and opens
// nothing; what it has passes.
func TestFormRefusesUnknownObjects(t *testing.T) {
	snap := fixture.Snapshot()
	if err := Known(snap, []string{"site/lyon", "service/guichet", "node/paris-1", "rotation/primary"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"site/marseille", "node/lyon-9", "service/nothing"} {
		var ve *oncall.ValidationError
		if err := Known(snap, []string{"site/lyon", bad}); !errors.As(err, &ve) || ve.Field != "proposal.affects" || ve.Value != bad {
			t.Errorf("%s: %v", bad, err)
		}
	}
	st, me := testStore(t)
	h := screentest.Start(t, screentest.Options{Store: st, Me: me, Width: 120, Height: 30, Snapshot: snap},
		func(c *common.Context) common.Screen { return NewForm(c, Link{}) })
	h.Wait(t, "Bring a change to the collective")
	h.Type("move guichet")
	h.Send(screentest.Key("tab"))
	h.Type("lyon drops")
	h.Send(screentest.Key("tab"))
	h.Type("site/marseille")
	h.Send(screentest.Key("tab"))
	h.Send(screentest.Key("tab"))
	h.Type("to paris")
	h.Send(screentest.Key("enter"))
	h.Wait(t, `proposal.affects "site/marseille": no such site in the cluster`)
	if ps, err := st.Proposals(context.Background(), oncall.ProposalFilter{}); err != nil || len(ps) != 0 {
		t.Fatalf("opened %v %v", ps, err)
	}
}
