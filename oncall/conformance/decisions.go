package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

var decisionTables = []string{"proposals", "proposal_affects", "proposal_versions", "proposal_implications",
	"proposal_positions", "proposal_outcomes", "proposal_actions", "proposal_events", "proposal_seen", "decision_notices"}

func decisionCounts(t *testing.T, st oncall.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range decisionTables {
		out[tb] = count(t, st, tb)
	}
	return out
}

// fourMembers: quorum by default is 2.
func decisionStore(t *testing.T, open Opener) (oncall.Store, *clock) {
	st, c := openTemp(t, open)
	for _, h := range []string{"amelie", "chloe", "dara", "lucas"} {
		mustMember(t, st, h, "Europe/Paris")
	}
	return st, c
}

func openMove(t *testing.T, st oncall.Store) oncall.Proposal {
	t.Helper()
	p, err := st.OpenProposal(context.Background(), "lucas", oncall.NewProposal{
		Title: "move guichet's database off the lyon machine", Driver: "the lyon uplink drops every week",
		Text: "run guichet's postgres in paris", Affects: []string{"service/guichet", "site/lyon"},
		ClosesAt: t0.Add(72 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func position(t *testing.T, st oncall.Store, id int64, who string, s oncall.Stance, text string) {
	t.Helper()
	if _, err := st.TakePosition(context.Background(), id, who, s, text); err != nil {
		t.Fatalf("%s %s: %v", who, s, err)
	}
}

func testConsentAdoptedWithoutObjection(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := decisionStore(t, open)
	p := openMove(t, st)
	if p.Version != 1 || p.Process != oncall.ProcessConsent || p.QuorumNeeded() != 2 || p.State != oncall.ProposalOpen {
		t.Fatalf("opened %+v", p)
	}
	position(t, st, p.ID, "amelie", oncall.StanceConsent, "")
	position(t, st, p.ID, "chloe", oncall.StanceConcern, "paris has less disk")
	position(t, st, p.ID, "dara", oncall.StanceConsent, "")
	im, err := st.AddImplication(ctx, p.ID, "chloe", "amelie hosts guichet's data afterwards")
	if err != nil {
		t.Fatal(err)
	}
	adopt := oncall.NewOutcome{State: oncall.OutcomeAdopted, Statement: "adopted: amelie moves it", ReviewOn: "2026-06-01",
		Actions: []oncall.NewAction{{Title: "move the database", Owner: "amelie", Due: "2026-03-20"}}}
	// Before the closing time, not everyone has spoken: not yet.
	_, err = st.CloseProposal(ctx, p.ID, "lucas", adopt)
	wantValidation(t, err, "outcome.outcome")
	c.add(73 * time.Hour)
	// An owner who did not consent cannot be handed the work.
	bad := adopt
	bad.Actions = []oncall.NewAction{{Title: "move it", Owner: "chloe"}}
	_, err = st.CloseProposal(ctx, p.ID, "lucas", bad)
	wantValidation(t, err, "action.owner")
	got, err := st.CloseProposal(ctx, p.ID, "lucas", adopt)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != oncall.OutcomeAdopted || got.Outcome == nil || got.Outcome.By != "lucas" || got.Outcome.ReviewOn != "2026-06-01" {
		t.Fatalf("closed %+v %+v", got, got.Outcome)
	}
	if len(got.Actions) != 1 || got.Actions[0].Owner != "amelie" || got.Actions[0].Due != "2026-03-20" {
		t.Fatalf("actions %+v", got.Actions)
	}
	if len(got.Implications) != 1 || got.Implications[0].ID != im.ID {
		t.Fatalf("implications %+v", got.Implications)
	}
	var kinds []string
	for _, e := range got.History {
		kinds = append(kinds, string(e.Kind))
	}
	if strings.Join(kinds, ",") != "opened,position,position,position,implication,closed" {
		t.Fatalf("history %v", kinds)
	}
	// Closed: no more positions, nothing changes.
	_, err = st.TakePosition(ctx, p.ID, "lucas", oncall.StanceConsent, "")
	wantValidation(t, err, "proposal.state")
}

func testObjectionBlocksConsent(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := decisionStore(t, open)
	p := openMove(t, st)
	position(t, st, p.ID, "amelie", oncall.StanceConsent, "")
	position(t, st, p.ID, "dara", oncall.StanceObjection, "paris has no backup yet")
	c.add(73 * time.Hour)
	adopt := oncall.NewOutcome{State: oncall.OutcomeAdopted, Statement: "adopted"}
	before := decisionCounts(t, st)
	_, err := st.CloseProposal(ctx, p.ID, "lucas", adopt)
	wantValidation(t, err, "outcome.outcome")
	if after := decisionCounts(t, st); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("refused outcome wrote: %v → %v", before, after)
	}
	got, err := st.CloseProposal(ctx, p.ID, "amelie", oncall.NewOutcome{State: oncall.OutcomeNotAdopted, Statement: "backup first"})
	if err != nil || got.State != oncall.OutcomeNotAdopted {
		t.Fatalf("not adopted: %+v %v", got.State, err)
	}
}

func testObjectionLiftedByItsAuthor(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := decisionStore(t, open)
	p := openMove(t, st)
	position(t, st, p.ID, "amelie", oncall.StanceConsent, "")
	position(t, st, p.ID, "dara", oncall.StanceObjection, "paris has no backup yet")
	position(t, st, p.ID, "dara", oncall.StanceConcern, "backup added: fine")
	c.add(73 * time.Hour)
	got, err := st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeAdopted, Statement: "adopted"})
	if err != nil || got.State != oncall.OutcomeAdopted {
		t.Fatalf("adopted: %v %v", got.State, err)
	}
	if len(got.Positions) != 2 || count(t, st, "proposal_positions") != 3 {
		t.Fatalf("current %+v, rows %d: the history keeps every position", got.Positions, count(t, st, "proposal_positions"))
	}
}

func testQuorumNotReached(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := decisionStore(t, open)
	p := openMove(t, st)
	position(t, st, p.ID, "amelie", oncall.StanceConsent, "")
	c.add(73 * time.Hour)
	_, err := st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeAdopted, Statement: "adopted by silence"})
	wantValidation(t, err, "outcome.outcome")
	if err == nil || !strings.Contains(err.Error(), "quorum not reached: 1 of 2") {
		t.Fatalf("err %v", err)
	}
	got, err := st.CloseProposal(ctx, p.ID, "chloe", oncall.NewOutcome{State: oncall.OutcomeExpired, Statement: "nobody read it"})
	if err != nil || got.State != oncall.OutcomeExpired {
		t.Fatalf("expired: %v %v", got.State, err)
	}
}

func testAmendmentAsksToConfirm(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := decisionStore(t, open)
	p := openMove(t, st)
	position(t, st, p.ID, "amelie", oncall.StanceConsent, "")
	position(t, st, p.ID, "dara", oncall.StanceConsent, "")
	_, err := st.Amend(ctx, p.ID, "amelie", "run it in bruxelles")
	wantValidation(t, err, "amendment.by")
	c.add(time.Hour)
	p, err = st.Amend(ctx, p.ID, "lucas", "run guichet's postgres in paris, with a nightly copy to bruxelles")
	if err != nil {
		t.Fatal(err)
	}
	tl := p.Tally()
	if p.Version != 2 || len(p.Versions) != 2 || tl.Current != 0 || strings.Join(tl.Stale, ",") != "amelie,dara" {
		t.Fatalf("amended: version %d, tally %+v", p.Version, tl)
	}
	// The authors of positions on version 1 are asked to confirm; chloe,
	// who took none, is not told of the amendment.
	for who, want := range map[string]string{"amelie": "opened,amended", "chloe": "opened"} {
		ns, err := st.DecisionNotices(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, n := range ns {
			kinds = append(kinds, string(n.Kind))
		}
		if strings.Join(kinds, ",") != want {
			t.Errorf("%s told of %v, want %s", who, kinds, want)
		}
	}
	c.add(73 * time.Hour)
	_, err = st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeAdopted, Statement: "adopted"})
	wantValidation(t, err, "outcome.outcome") // consents on version 1 do not count
	c.add(-73 * time.Hour)
	position(t, st, p.ID, "amelie", oncall.StanceConsent, "still fine")
	position(t, st, p.ID, "dara", oncall.StanceConsent, "")
	c.add(73 * time.Hour)
	if p, err = st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeAdopted, Statement: "adopted"}); err != nil {
		t.Fatal(err)
	}
	if pos, _ := p.PositionOf("amelie"); pos.Version != 2 {
		t.Fatalf("amelie's position %+v", pos)
	}
}

func testWithdrawByTheAuthorOnly(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := decisionStore(t, open)
	p := openMove(t, st)
	_, err := st.Withdraw(ctx, p.ID, "dara", "not mine")
	wantValidation(t, err, "outcome.by")
	got, err := st.Withdraw(ctx, p.ID, "lucas", "the uplink is fixed")
	if err != nil || got.State != oncall.OutcomeWithdrawn || got.Outcome.Statement != "the uplink is fixed" {
		t.Fatalf("withdrawn %+v %v", got.State, err)
	}
}

func testDecisionNoticesAndSeenMark(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := decisionStore(t, open)
	p := openMove(t, st)
	position(t, st, p.ID, "amelie", oncall.StanceConsent, "")
	position(t, st, p.ID, "dara", oncall.StanceObjection, "no backup")
	ns, err := st.DecisionNotices(ctx, "chloe")
	if err != nil || len(ns) != 2 || ns[0].Kind != oncall.EventOpened || ns[1].Kind != oncall.EventObjection || ns[1].Actor != "dara" {
		t.Fatalf("chloe's notices %+v %v", ns, err)
	}
	// One's own doings are not news.
	if ns, _ := st.DecisionNotices(ctx, "lucas"); len(ns) != 1 || ns[0].Kind != oncall.EventObjection {
		t.Fatalf("lucas's notices %+v", ns)
	}
	if err := st.MarkDecisionsSeen(ctx, "chloe", ns[len(ns)-1].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkDecisionsSeen(ctx, "chloe", 1); err != nil { // never back
		t.Fatal(err)
	}
	if ns, _ := st.DecisionNotices(ctx, "chloe"); len(ns) != 0 {
		t.Fatalf("after seen: %+v", ns)
	}
	_, err = st.DecisionNotices(ctx, "nobody")
	wantValidation(t, err, "member")
}

// Every rule refused names its field and writes nothing.
func testDecisionBadInput(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := decisionStore(t, open)
	if _, err := st.CreateRotation(ctx, oncall.Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks,
		Handoff: "10:00", Start: t0, Participants: []string{"lucas"}}); err != nil {
		t.Fatal(err)
	}
	inc, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "guichet down", Severity: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := openMove(t, st)
	position(t, st, p.ID, "dara", oncall.StanceObjection, "no backup")
	good := func() oncall.NewProposal {
		return oncall.NewProposal{Title: "t", Driver: "d", Text: "x", Affects: []string{"rotation/primary"}, IncidentID: inc.ID}
	}
	if _, err := st.OpenProposal(ctx, "lucas", good()); err != nil {
		t.Fatal(err) // the base case is valid: each case below breaks one thing
	}
	opens := []struct {
		field string
		by    string
		edit  func(*oncall.NewProposal)
	}{
		{"proposal.by", "nobody", func(*oncall.NewProposal) {}},
		{"proposal.title", "lucas", func(n *oncall.NewProposal) { n.Title = " " }},
		{"proposal.driver", "lucas", func(n *oncall.NewProposal) { n.Driver = "" }},
		{"proposal.text", "lucas", func(n *oncall.NewProposal) { n.Text = "" }},
		{"proposal.process", "lucas", func(n *oncall.NewProposal) { n.Process = "vote" }},
		{"proposal.closes_at", "lucas", func(n *oncall.NewProposal) { n.ClosesAt = t0.Add(-time.Minute) }},
		{"proposal.quorum", "lucas", func(n *oncall.NewProposal) { n.Quorum = 9 }},
		{"proposal.affects", "lucas", func(n *oncall.NewProposal) { n.Affects = nil }},
		{"proposal.affects", "lucas", func(n *oncall.NewProposal) { n.Affects = []string{"job/x y"} }},
		{"proposal.affects", "lucas", func(n *oncall.NewProposal) { n.Affects = []string{"rotation/secondary"} }},
		{"proposal.incident", "lucas", func(n *oncall.NewProposal) { n.IncidentID = 99 }},
		{"proposal.action_item", "lucas", func(n *oncall.NewProposal) { n.ActionItemID = 99 }},
		{"proposal.factor", "lucas", func(n *oncall.NewProposal) { n.FactorID = 99 }},
	}
	before := decisionCounts(t, st)
	for _, tc := range opens {
		n := good()
		tc.edit(&n)
		_, err := st.OpenProposal(ctx, tc.by, n)
		wantValidation(t, err, tc.field)
	}
	others := []struct {
		field string
		err   func() error
	}{
		{"position.text", func() error { _, err := st.TakePosition(ctx, p.ID, "amelie", oncall.StanceObjection, ""); return err }},
		{"position.stance", func() error { _, err := st.TakePosition(ctx, p.ID, "amelie", "yes", ""); return err }},
		{"member", func() error { _, err := st.TakePosition(ctx, p.ID, "nobody", oncall.StanceConsent, ""); return err }},
		{"implication.text", func() error { _, err := st.AddImplication(ctx, p.ID, "amelie", " "); return err }},
		{"proposal.text", func() error { _, err := st.Amend(ctx, p.ID, "lucas", p.Text); return err }},
		{"outcome.statement", func() error {
			_, err := st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeNotAdopted})
			return err
		}},
		{"outcome.outcome", func() error {
			_, err := st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: "maybe", Statement: "s"})
			return err
		}},
		{"outcome.review_on", func() error {
			_, err := st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeNotAdopted, Statement: "s", ReviewOn: "soon"})
			return err
		}},
		{"outcome.actions", func() error {
			_, err := st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeNotAdopted, Statement: "s", Actions: []oncall.NewAction{{Title: "a", Owner: "dara"}}})
			return err
		}},
		{"outcome.outcome", func() error { // an objection stands under consent
			c.add(73 * time.Hour)
			defer c.add(-73 * time.Hour)
			_, err := st.CloseProposal(ctx, p.ID, "lucas", oncall.NewOutcome{State: oncall.OutcomeAdopted, Statement: "s"})
			return err
		}},
	}
	for _, tc := range others {
		wantValidation(t, tc.err(), tc.field)
	}
	if _, err := st.TakePosition(ctx, 99, "amelie", oncall.StanceConsent, ""); err == nil {
		t.Fatal("position on an unknown proposal")
	} else {
		wantNotFound(t, err)
	}
	if after := decisionCounts(t, st); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("refused input wrote: %v → %v", before, after)
	}
}

// Members take positions at the same moment, each from their own process
// (a oncall.Store of its own on the shared file): every one lands.
func testConcurrentPositionsFromSeparateStores(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := open(t)
	const n = 8
	for i := range n {
		mustMember(t, setup, fmt.Sprintf("m%d", i), "Europe/Paris")
	}
	p, err := setup.OpenProposal(ctx, "m0", oncall.NewProposal{Title: "t", Driver: "d", Text: "x", Affects: []string{"site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		st := again(t, setup)
		wg.Go(func() {
			<-start
			who := fmt.Sprintf("m%d", i)
			stance := oncall.StanceConsent
			if i%3 == 0 {
				stance = oncall.StanceConcern
			}
			if _, err := st.TakePosition(ctx, p.ID, who, stance, "from "+who); err != nil {
				errs <- err
			}
			if _, err := st.AddImplication(ctx, p.ID, who, "implied by "+who); err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := setup.Proposal(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Positions) != n || len(got.Implications) != n || got.Tally().Current != n {
		t.Fatalf("%d positions, %d implications, want %d each", len(got.Positions), len(got.Implications), n)
	}
}

// The message about an event is claimed once per member, whichever store
// (watcher) claims it, and only under the lease.
func testDecisionNoticeClaimedOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := decisionStore(t, open)
	other := again(t, st)
	other.SetClock(c.now)
	openMove(t, st)
	evs, err := st.NotableProposalEvents(ctx, t0.Add(-time.Hour))
	if err != nil || len(evs) != 1 || evs[0].Kind != oncall.EventOpened {
		t.Fatalf("notable events %+v %v", evs, err)
	}
	l, ok, err := st.AcquireLease(ctx, "w1", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lease %v %v", ok, err)
	}
	id, created, err := st.ClaimDecisionNotice(ctx, l, evs[0].ID, "chloe")
	if err != nil || !created || id == 0 {
		t.Fatalf("first claim: %d %v %v", id, created, err)
	}
	if _, created, err := other.ClaimDecisionNotice(ctx, l, evs[0].ID, "chloe"); err != nil || created {
		t.Fatalf("second claim from another store: %v %v", created, err)
	}
	if err := st.RecordDecisionNotice(ctx, id, true, "email ok"); err != nil {
		t.Fatal(err)
	}
	stale := l
	stale.Epoch--
	if _, _, err := other.ClaimDecisionNotice(ctx, stale, evs[0].ID, "dara"); !errors.Is(err, oncall.ErrFenced) {
		t.Fatalf("a stale lease claimed: %v", err)
	}
	if n := count(t, st, "decision_notices"); n != 1 {
		t.Fatalf("%d notices, want 1", n)
	}
}
