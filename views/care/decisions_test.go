package care

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/screentest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// The deciding tab counts decision work per member; below the table, the
// host of a machine a proposal affects, who took no position, is named.
func TestCareScreenDecidingAndUnheardHosts(t *testing.T) {
	st := testStore(t)
	ctx := context.Background()
	st.SetClock(func() time.Time { return testNow.Add(-time.Hour) })
	p, err := st.OpenProposal(ctx, "kenji", oncall.NewProposal{Title: "retire paris-1", Driver: "old disk", Text: "retire it", Affects: []string{"site/paris"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddImplication(ctx, p.ID, "kenji", "paris has no machine left"); err != nil {
		t.Fatal(err)
	}
	h := screentest.Start(t, screentest.Options{Store: st, Now: func() time.Time { return testNow }, Width: 150, Height: 40},
		func(ctx *common.Context) common.Screen { return New(ctx) })
	h.Wait(t, "167h")
	h.Send(common.SnapshotMsg{Snap: &sources.Snapshot{Sites: []sources.Site{{Name: "paris", Hosts: map[string]string{"paris-1": "amelie"}}}}})
	h.Wait(t, "not heard amelie hosts paris/paris-1 and took no position on 1 proposal affecting it (#1)")
	for range care.FigureIndex(care.Proposals) {
		h.Send(screentest.Key("l"))
	}
	h.Wait(t, "PROPOSED", "IMPLIED", "POSITIONS", "OUTCOMES", "amelie · proposals brought: 0 (0 facts)")
	h.Send(screentest.Key("j"))
	h.Send(screentest.Key("enter")) // kenji's facts: the proposal event
	plain := ansi.Strip(h.Wait(t, "kenji · proposals brought · 1", "proposal #1"))
	if !strings.Contains(plain, "opened: retire paris-1") {
		t.Errorf("deciding tab:\n%s", plain)
	}
}
