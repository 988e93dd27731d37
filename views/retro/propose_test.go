package retro

import (
	"context"
	"path/filepath"
	"testing"

	"codeberg.org/entretien/entretien/internal/screentest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/views/common"
)

// p on a retro's factor opens a proposal form with the link, the driver
// and what it affects filled in; the proposal it opens keeps the link.
func TestProposeFromAFactor(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var me oncall.Member
	for _, h := range []string{"amelie", "lucas"} {
		m, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "UTC"})
		if err != nil {
			t.Fatal(err)
		}
		if h == "amelie" {
			me = m
		}
	}
	inc, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "guichet down", Severity: 2, Affects: []string{"job/guichet", "site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddAction(ctx, inc.ID, "lucas", oncall.NewAction{Title: "add a disk alert"}); err != nil {
		t.Fatal(err)
	}
	f, err := st.AddRetroNote(ctx, inc.ID, "lucas", oncall.SectionFactor, "the database shares lyon's uplink")
	if err != nil {
		t.Fatal(err)
	}
	h := screentest.Start(t, screentest.Options{Store: st, Me: me, Width: 130, Height: 60},
		func(c *common.Context) common.Screen { return New(c, inc.ID) })
	h.Wait(t, "the database shares lyon's uplink")
	h.Send(screentest.Key("}"))
	h.Send(screentest.Key("p"))
	h.Wait(t, "Bring a change to the collective", "from incident #1, its retro's factor 1",
		"incident #1 guichet down: the database shares lyon's uplink", "service/guichet site/lyon")
	h.Type("move guichet's database to paris")
	for range 4 {
		h.Send(screentest.Key("tab"))
	}
	h.Type("run its postgres in paris")
	h.Send(screentest.Key("enter"))
	h.Wait(t, "Proposal #1 move guichet's database to paris", "from incident #1, its retro's factor 1")
	p, err := st.Proposal(ctx, 1)
	if err != nil || p.FactorID != f.ID || p.IncidentID != inc.ID || p.ActionItemID != 0 || len(p.Affects) != 2 {
		t.Fatalf("stored %+v %v", p, err)
	}
}
