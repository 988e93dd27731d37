package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/seed"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// The real binary in tmux on the demo's database: the status line tells
// amelie of the seeded proposal, tab 0 shows it, she takes a position from
// the proposal's screen; an objection another member writes meanwhile is
// told at once on another tab.
func TestTUIDecisionsInTmux(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "demo.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	user, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Collective(ctx, seed.File(db), user, time.Now()); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 160, 40, []string{"NOMAD_ADDR=" + deadNomad, "CONSUL_HTTP_ADDR=" + deadConsul, "ENTRETIEN_DB=" + db})
	s.waitFor(10*time.Second, "you: amelie", "decisions: #1 opened by lucas — tab 0")
	s.keys("0")
	s.waitFor(10*time.Second, "Decisions · 1 open", seed.ProposalTitle, "2 consent · 1 concern · closes in")
	s.keys("Enter")
	s.waitFor(10*time.Second, "Proposal #1", "Implications", "about 40 GB on her disk", "dara     concern")
	if strings.Contains(s.capture(), "decisions: #1 opened") {
		t.Fatalf("still told after the visit:\n%s", s.capture())
	}
	s.keys("c")
	s.waitFor(5*time.Second, "[concern]")
	s.keys("-l", "the copy to bruxelles needs chloe's uplink")
	s.keys("Enter")
	s.waitFor(10*time.Second, "your position: concern", "amelie   concern   the copy to bruxelles needs chloe's uplink")

	s.keys("1")
	s.waitFor(5*time.Second, "outages")
	if _, err := st.TakePosition(ctx, 1, "kenji", oncall.StanceObjection, "Tokyo cannot reach paris at night"); err != nil {
		t.Fatal(err)
	}
	s.waitFor(10*time.Second, "decisions: objection to #1 by kenji — tab 0")
	got, err := st.Proposal(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if pos, ok := got.PositionOf("amelie"); !ok || pos.Stance != oncall.StanceConcern {
		t.Fatalf("amelie's position %+v", pos)
	}
	s.keys("q")
}
