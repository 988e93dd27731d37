package care

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// A small history of decisions, its figures worked out by hand:
//
//	#1 "move guichet's database to paris" (site/lyon, service/guichet), opened by lucas in the window:
//	   amelie implication, amelie consent, kenji objection, kenji concern (a change: 2 positions),
//	   lucas closes it (not adopted).
//	#2 "retire lyon-2" (node/lyon-2), opened by amelie before the window; amelie consent in the window.
//	   kenji hosts lyon-2 and never took a position on it.
//	a position after the window does not count.
//
// By hand: proposals lucas 1 (#2 was opened before); implications amelie 1;
// positions amelie 2, kenji 2, lucas 0; outcomes lucas 1. Unheard: kenji on
// #2 (lyon-2) and #3 (garage runs on lyon-2) — he spoke on #1; lucas hosts lyon-1, which #1 affects
// through site/lyon, and took no position on it: unheard on #1, though he
// wrote its outcome (recording is not a say).
func TestDecisionWorkByHand(t *testing.T) {
	in := func(d int) time.Time { return winFrom.Add(time.Duration(d) * 24 * time.Hour) }
	f := recorded()
	f.Decisions = []DecisionEvent{
		{ID: 1, ProposalID: 2, At: winFrom.Add(-time.Hour), By: "amelie", Kind: oncall.EventOpened},
		{ID: 2, ProposalID: 1, At: in(1), By: "lucas", Kind: oncall.EventOpened},
		{ID: 3, ProposalID: 1, At: in(1), By: "amelie", Kind: oncall.EventImplication, Text: "paris hosts the data"},
		{ID: 4, ProposalID: 1, At: in(2), By: "amelie", Kind: oncall.EventPosition},
		{ID: 5, ProposalID: 1, At: in(2), By: "kenji", Kind: oncall.EventObjection},
		{ID: 6, ProposalID: 1, At: in(3), By: "kenji", Kind: oncall.EventPosition},
		{ID: 7, ProposalID: 2, At: in(3), By: "amelie", Kind: oncall.EventPosition},
		{ID: 8, ProposalID: 1, At: in(4), By: "lucas", Kind: oncall.EventAmended}, // not counted
		{ID: 9, ProposalID: 1, At: in(5), By: "lucas", Kind: oncall.EventClosed, Text: "not adopted"},
		{ID: 10, ProposalID: 2, At: winTo, By: "lucas", Kind: oncall.EventPosition},
	}
	f.Proposals = []Proposal{
		{ID: 1, Title: "move guichet's database to paris", Affects: []string{"site/lyon", "service/guichet"}, OpenedAt: in(1),
			State: oncall.OutcomeNotAdopted, Heard: []string{"amelie", "kenji"}},
		{ID: 2, Title: "retire lyon-2", Affects: []string{"node/lyon-2"}, OpenedAt: winFrom.Add(-time.Hour), State: oncall.ProposalOpen, Heard: []string{"amelie"}},
		// garage runs on paris-1 (amelie's, who spoke) and lyon-2 (kenji's, who did not).
		{ID: 3, Title: "garage on object storage", Affects: []string{"service/garage"}, OpenedAt: in(2), State: oncall.ProposalOpen, Heard: []string{"amelie"}},
	}
	f.ServiceNodes = map[string][]string{"garage": {"lyon-2", "paris-1"}}
	tab := Compute(f, winFrom, winTo)
	want := map[string]map[string]float64{
		Proposals:    {"amelie": 0, "kenji": 0, "lucas": 1},
		Implications: {"amelie": 1, "kenji": 0, "lucas": 0},
		Positions:    {"amelie": 2, "kenji": 2, "lucas": 0},
		Outcomes:     {"amelie": 0, "kenji": 0, "lucas": 1},
	}
	for fig, per := range want {
		for who, v := range per {
			c, ok := tab.Cell(who, fig)
			if !ok || c.Value != v || len(c.Facts) != int(v) {
				t.Errorf("%s of %s = %v (%d facts), want %v", fig, who, c.Value, len(c.Facts), v)
			}
		}
	}
	if len(tab.Unheard) != 2 {
		t.Fatalf("unheard %+v", tab.Unheard)
	}
	k, l := tab.Unheard[0], tab.Unheard[1]
	if k.Host != "kenji" || len(k.Proposals) != 2 || k.Proposals[0] != 2 || k.Proposals[1] != 3 || len(k.Machines) != 1 || k.Machines[0] != "lyon/lyon-2" {
		t.Errorf("kenji unheard %+v", k)
	}
	if l.Host != "lucas" || len(l.Proposals) != 1 || l.Proposals[0] != 1 || len(l.Machines) != 1 || l.Machines[0] != "lyon/lyon-1" {
		t.Errorf("lucas unheard %+v", l)
	}
}

// The same kind of history through a real store: Load reads what the
// decisions wrote, and the figures count it.
func TestLoadDecisionWork(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := utc(2026, 3, 2, 9, 0)
	st.SetClock(func() time.Time { return now })
	for _, h := range []string{"amelie", "kenji", "lucas"} {
		if _, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := st.OpenProposal(ctx, "lucas", oncall.NewProposal{Title: "retire lyon-2", Driver: "old", Text: "retire it", Affects: []string{"node/lyon-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddImplication(ctx, p.ID, "amelie", "kenji's shelf frees up"); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"amelie", "lucas"} {
		if _, err := st.TakePosition(ctx, p.ID, who, oncall.StanceConsent, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CloseProposal(ctx, p.ID, "amelie", oncall.NewOutcome{State: oncall.OutcomeNotAdopted, Statement: "kenji was not heard"}); err != nil {
		t.Fatal(err)
	}
	f, err := Load(ctx, st, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.Machines = []Machine{{Node: "lyon-2", Site: "lyon", HostedBy: "kenji"}}
	tab := Compute(f, now.Add(-time.Hour), now.Add(time.Hour))
	for _, c := range []struct {
		who, fig string
		want     float64
	}{{"lucas", Proposals, 1}, {"amelie", Implications, 1}, {"amelie", Positions, 1}, {"lucas", Positions, 1}, {"amelie", Outcomes, 1}, {"kenji", Positions, 0}} {
		if got, _ := tab.Cell(c.who, c.fig); got.Value != c.want {
			t.Errorf("%s %s = %v, want %v", c.who, c.fig, got.Value, c.want)
		}
	}
	if len(tab.Unheard) != 1 || tab.Unheard[0].Host != "kenji" || tab.Unheard[0].Proposals[0] != p.ID {
		t.Fatalf("unheard %+v", tab.Unheard)
	}
}
