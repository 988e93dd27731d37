package care

import (
	"context"
	"fmt"

	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/oncall"
)

// TestLoadReadsTheStore writes a fortnight through the store API (a DST
// week and a member in Tokyo) and checks Load+Compute against hand figures.
func TestLoadReadsTheStore(t *testing.T) { backends.ForEach(t, testLoadReadsTheStore) }

func testLoadReadsTheStore(t *testing.T, be backends.Backend) {
	ctx := context.Background()
	st := be.Open(t)
	var err error
	clock := utc(2026, 3, 1, 0, 0)
	st.SetClock(func() time.Time { return clock })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []oncall.Member{{Handle: "amelie", Name: "Amélie", TZ: "Europe/Paris"}, {Handle: "kenji", Name: "Kenji", TZ: "Asia/Tokyo"}} {
		_, err := st.AddMember(ctx, m)
		must(err)
	}
	// Weekly, handoff Monday 10:00 Paris: amelie 23->30 March (167 h, the
	// clocks spring forward), kenji 30 March -> 6 April (168 h in Tokyo).
	_, err = st.CreateRotation(ctx, oncall.Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks,
		Handoff: "10:00", Start: utc(2026, 3, 23, 9, 0), Participants: []string{"amelie", "kenji"}})
	must(err)

	// kenji covers amelie from Friday 27 10:00 to Saturday 28 10:00 Paris.
	ov, err := st.ProposeOverride(ctx, "amelie", oncall.OverrideRequest{Rotation: "primary", Covering: "kenji", Covered: "amelie",
		Start: utc(2026, 3, 27, 9, 0), End: utc(2026, 3, 28, 9, 0)})
	must(err)
	_, err = st.ConfirmOverride(ctx, "kenji", ov.ID)
	must(err)

	clock = utc(2026, 3, 24, 1, 0) // 02:00 in Paris
	inc, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "garage down", Severity: 1, Affects: []string{"service/garage", "site/paris"}})
	must(err)
	clock = clock.Add(10 * time.Minute)
	_, err = st.TakeRole(ctx, inc.ID, "amelie", oncall.RoleLead, false)
	must(err)
	clock = clock.Add(5 * time.Minute) // 10:15 in Tokyo: kenji is not on call
	must(st.SetStatus(ctx, inc.ID, "kenji", oncall.StatusAcknowledged))
	clock = clock.Add(5 * time.Minute)
	_, err = st.AddEntry(ctx, inc.ID, "amelie", oncall.KindAction, "restarted garage")
	must(err)
	clock = clock.Add(10 * time.Minute)
	must(st.SetStatus(ctx, inc.ID, "amelie", oncall.StatusResolved))
	clock = utc(2026, 3, 26, 9, 0)
	_, err = st.AddRetroNote(ctx, inc.ID, "kenji", oncall.SectionFactor, "one disk only")
	must(err)
	item, err := st.AddAction(ctx, inc.ID, "kenji", oncall.NewAction{Title: "second disk", Owner: "amelie"})
	must(err)
	clock = utc(2026, 4, 2, 9, 0)
	_, err = st.UpdateAction(ctx, item.ID, "amelie", oncall.ActionDone, nil, nil)
	must(err)

	clock = utc(2026, 4, 10, 0, 0) // the history stops at the store's now
	from, to := utc(2026, 3, 23, 9, 0), utc(2026, 4, 6, 8, 0)
	f, err := Load(ctx, st, from, to)
	must(err)
	f.Machines = []Machine{{Node: "paris-1", Site: "paris", HostedBy: "amelie"}}
	tab := Compute(f, from, to)
	want := map[string]map[string]float64{
		// Without the covered day (one night of 9 h) of her DST week.
		"amelie": {HoursHeld: 143, HoursNight: 53, ShiftsCovered: 0, FirstNotice: 1, RolesTaken: 1, ItemsOwned: 1, Repairs: 1,
			ServicesActed: 1, SitesActed: 1, Acks: 0, OffCallAnswers: 0, NightEntries: 2, EntriesWritten: 1, ItemsClosed: 1},
		// Tokyo, own week: 5 weekdays x 11 h of day, 2 x 15 + 5 x 4 of
		// evening and weekend, 7 x 9 of night; the covered day (Fri 18:00 ->
		// Sat 18:00 Tokyo): evening 4 + 11, night 9.
		"kenji": {HoursHeld: 192, HoursDay: 55, HoursEvening: 65, HoursNight: 72, ShiftsCovered: 1, Acks: 1, OffCallAnswers: 1,
			NightEntries: 0, EntriesWritten: 0, RetrosWritten: 1, Repairs: 0},
	}
	for member, figs := range want {
		for fig, v := range figs {
			if c, _ := tab.Cell(member, fig); c.Value != v {
				t.Errorf("%s %s = %v, want %v (%+v)", member, fig, c.Value, v, c.Facts)
			}
		}
	}
	if c, _ := tab.Cell("kenji", Acks); c.Text != "1 · med 15m" {
		t.Errorf("kenji acks %q", c.Text)
	}
	if g := tab.Services; len(g) != 1 || g[0].Name != "garage" || g[0].BusFactor != 1 || !g[0].Risk {
		t.Errorf("services %+v", g)
	}
	if len(tab.Hosting) != 1 || !tab.Hosting[0].Risk || !slices.Equal(tab.Hosting[0].Repairers, []string{"amelie"}) {
		t.Errorf("hosting %+v", tab.Hosting)
	}
	if c, _ := tab.Cell("kenji", ShiftsCovered); len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Note, "covering amelie") || !c.Facts[0].Start.Equal(utc(2026, 3, 27, 9, 0)) {
		t.Errorf("kenji's covered shift %+v", c.Facts)
	}
	if c, _ := tab.Cell("kenji", HoursHeld); len(c.Facts) != 2 || strings.Contains(c.Facts[1].Note, "in progress") {
		t.Errorf("kenji's recorded shift %+v", c.Facts)
	}
}

// TestLoadActionsAreRepairs records cluster actions through the store as
// the screens do: one touching an incident in progress lands in its
// journal, one touching nothing open lands in the action log; both are
// repairs of who did them, each traceable to its entry or log row.
func TestLoadActionsAreRepairs(t *testing.T) { backends.ForEach(t, testLoadActionsAreRepairs) }

func testLoadActionsAreRepairs(t *testing.T, be backends.Backend) {
	ctx := context.Background()
	st := be.Open(t)
	clock := utc(2026, 3, 24, 1, 0)
	st.SetClock(func() time.Time { return clock })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []oncall.Member{{Handle: "amelie", Name: "Amélie", TZ: "Europe/Paris"}, {Handle: "lucas", Name: "Lucas", TZ: "Europe/Paris"}} {
		_, err := st.AddMember(ctx, m)
		must(err)
	}
	inc, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "backup failing", Severity: 2, Affects: []string{"job/backup", "site/paris"}})
	must(err)
	clock = clock.Add(10 * time.Minute)
	in, err := st.RecordAction(ctx, oncall.ClusterAction{By: "lucas", What: "restarted allocation 3f2a1b2c of backup (paris)",
		Touches: []string{"job/backup", "node/paris-1", "site/paris"}, OK: true, Outcome: "restart accepted"})
	must(err)
	clock = clock.Add(10 * time.Minute)
	out, err := st.RecordAction(ctx, oncall.ClusterAction{By: "amelie", What: "marked node lyon-1 (lyon) ineligible",
		Touches: []string{"node/lyon-1", "site/lyon"}, OK: true, Outcome: "node marked ineligible"})
	must(err)
	if len(in.Entries) != 1 || in.Entries[0].IncidentID != inc.ID || out.LogID == 0 {
		t.Fatalf("recorded %+v and %+v", in, out)
	}
	f, err := Load(ctx, st, winFrom, winTo)
	must(err)
	tab := Compute(f, winFrom, winTo)
	c, _ := tab.Cell("lucas", Repairs)
	if c.Value != 1 || c.Facts[0].Ref != fmt.Sprintf("entry #%d", in.Entries[0].ID) || c.Facts[0].Incident != inc.ID {
		t.Errorf("lucas repairs %+v, want his action entry in incident %d", c, inc.ID)
	}
	c, _ = tab.Cell("amelie", Repairs)
	if c.Value != 1 || c.Facts[0].Ref != fmt.Sprintf("action #%d", out.LogID) || !strings.Contains(c.Facts[0].Note, "marked node lyon-1 (lyon) ineligible") {
		t.Errorf("amelie repairs %+v, want her action log row", c)
	}
}
