package care

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/internal/screentest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

var testNow = time.Date(2026, 4, 6, 8, 0, 0, 0, time.UTC)

func at(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// testStore: amelie (Paris) holds the DST week, kenji (Tokyo) the next; one
// incident opened at night by amelie.
func testStore(t *testing.T) oncall.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "care.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := at(2026, 3, 1, 0, 0)
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
	_, err = st.CreateRotation(ctx, oncall.Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks,
		Handoff: "10:00", Start: at(2026, 3, 23, 9, 0), Participants: []string{"amelie", "kenji"}})
	must(err)
	clock = at(2026, 3, 24, 1, 0)
	inc, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "garage down", Severity: 1, Affects: []string{"service/garage", "site/paris"}})
	must(err)
	clock = clock.Add(15 * time.Minute)
	must(st.SetStatus(ctx, inc.ID, "kenji", oncall.StatusAcknowledged))
	clock = clock.Add(5 * time.Minute)
	_, err = st.AddEntry(ctx, inc.ID, "amelie", oncall.KindAction, "restarted garage")
	must(err)
	clock = clock.Add(10 * time.Minute)
	must(st.SetStatus(ctx, inc.ID, "amelie", oncall.StatusResolved))
	clock = testNow // the on-call history runs up to the store's now
	return st
}

func newScreen(t *testing.T) (*teatest.TestModel, *screentest.Harness) {
	h := screentest.Start(t, screentest.Options{Store: testStore(t), Now: func() time.Time { return testNow }, Width: 130, Height: 30},
		func(ctx *common.Context) common.Screen { return New(ctx) })
	return h.TestModel, h
}

// waitFor waits until the frame on screen holds every want.
func waitFor(t *testing.T, h *screentest.Harness, wants ...string) {
	t.Helper()
	h.Wait(t, wants...)
}

func TestCareScreenTable(t *testing.T) {
	tm, a := newScreen(t)
	waitFor(t, a, "care work · last 90 days", "167h", "168h")
	// Who hosts which machine comes from the cluster snapshot.
	tm.Send(common.SnapshotMsg{Snap: &sources.Snapshot{Sites: []sources.Site{{Name: "paris", Hosts: map[string]string{"paris-1": "amelie"}}}}})
	waitFor(t, a, "physically reach")
	plain := ansi.Strip(a.Final(t))
	for _, want := range []string{
		"attention", "responsibility", "competence", "responsiveness", "writing",
		"MEMBER", "ON CALL", "DAY", "EVE/WKEND", "NIGHT", "NOTICED",
		"amelie", "167h", "62h", "kenji", "168h", "63h",
		"balance", "gini 0.00 · pairs 0.99", // 167 vs 168 hours: nearly even
		"bus factor 1 service garage: only amelie acted on its incidents (1 incident)",
		"hosting site paris: hosted by amelie · repaired by amelie — only amelie can physically reach paris's machines",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("table lacks %q:\n%s", want, plain)
		}
	}
}

func TestCareScreenDrillDown(t *testing.T) {
	tm, a := newScreen(t)
	waitFor(t, a, "167h")
	// Night hours of amelie: the spring-forward week holds 62 of them.
	tm.Type("lll")
	waitFor(t, a, "night on-call hours: 62h")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, a, "shift primary")
	plain := ansi.Strip(a.Final(t))
	for _, want := range []string{
		"amelie · night on-call hours · 62h",
		"on-call hours 22:00-07:00 in the member's time zone; times in Europe/Paris",
		"2026-03-23 10:00 → 2026-03-30 10:00", "+62h", "shift primary", "day 55h · eve/wkend 50h · night 62h (Europe/Paris)",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("drill-down lacks %q:\n%s", want, plain)
		}
	}
}

func TestCareScreenDrillDownAcrossPhases(t *testing.T) {
	tm, a := newScreen(t)
	waitFor(t, a, "167h")
	// kenji's acknowledgement, in the responsiveness phase.
	tm.Type("j")
	for range 11 {
		tm.Type("l")
	}
	waitFor(t, a, "acknowledgements: 1 · med 15m")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, a, "after detection")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Type("hhhhhhh") // back to amelie's first to notice
	tm.Type("k")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, a, "opened it")
	plain := ansi.Strip(a.Final(t))
	for _, want := range []string{"amelie · incidents noticed first · 1", "2026-03-24 02:00", "incident #1 garage down", "opened it"} {
		if !strings.Contains(plain, want) {
			t.Errorf("drill-down lacks %q:\n%s", want, plain)
		}
	}
}

func TestCareScreenWindowSwitch(t *testing.T) {
	tm, a := newScreen(t)
	waitFor(t, a, "last 90 days", "167h")
	tm.Type("w")
	waitFor(t, a, "care work · last 365 days")
	tm.Type("w")
	waitFor(t, a, "care work · last 30 days")
	plain := ansi.Strip(a.Final(t))
	// 30 days back from 6 April: 7 March onwards, both weeks still in.
	if !strings.Contains(plain, "care work · last 30 days") || !strings.Contains(plain, "167h") {
		t.Errorf("window switch:\n%s", plain)
	}
}

func TestCareScreenFollowsTheStore(t *testing.T) {
	tm, a := newScreen(t)
	waitFor(t, a, "kenji")
	st := a.Ctx.Store
	if _, err := st.AddMember(context.Background(), oncall.Member{Handle: "zoe", Name: "Zoé", TZ: "Europe/Lisbon"}); err != nil {
		t.Fatal(err)
	}
	tm.Send(common.StoreChangedMsg{Now: testNow})
	waitFor(t, a, "zoe")
	plain := ansi.Strip(a.Final(t))
	// Rows stay ordered by handle, whatever the figures.
	if a, k, z := strings.Index(plain, "amelie"), strings.Index(plain, "kenji"), strings.Index(plain, "zoe"); !(a < k && k < z) {
		t.Errorf("rows not ordered by handle:\n%s", plain)
	}
}

// The demo's store says its history is seeded; the first line says so, and
// only then.
func TestCareScreenSaysSeeded(t *testing.T) {
	const notice = "demo: this history is seeded, not real"
	tm, a := newScreen(t)
	waitFor(t, a, "care work · last 90 days", "167h")
	if first := strings.SplitN(ansi.Strip(a.Frame()), "\n", 2)[0]; strings.Contains(first, "seeded") {
		t.Fatalf("unseeded store, first line %q", first)
	}
	if err := a.Ctx.Store.MarkSeeded(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	tm.Send(common.StoreChangedMsg{Now: testNow})
	waitFor(t, a, notice)
	plain := ansi.Strip(a.Final(t))
	if first := strings.SplitN(plain, "\n", 2)[0]; !strings.HasPrefix(first, "care work · last 90 days  "+notice) {
		t.Errorf("first line %q, want the seeded notice after the title", first)
	}
}
