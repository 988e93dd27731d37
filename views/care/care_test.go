package care

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"entretien/oncall"
	"entretien/sources"
	"entretien/views/common"
	"entretien/views/theme"
)

// screenModel is the smallest root: it hands the screen the window size
// through the shared context, as tui.Model does.
type screenModel struct {
	ctx    *common.Context
	screen common.Screen
}

func (a *screenModel) Init() tea.Cmd { return a.screen.Init() }

func (a *screenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		a.ctx.Width, a.ctx.Height = ws.Width, ws.Height
		return a, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "ctrl+c" {
		return a, tea.Quit
	}
	var cmd tea.Cmd
	a.screen, cmd = a.screen.Update(msg)
	return a, cmd
}

func (a *screenModel) View() tea.View { return tea.NewView(a.screen.View()) }

var testNow = time.Date(2026, 4, 6, 8, 0, 0, 0, time.UTC)

func at(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// testStore: amelie (Paris) holds the DST week, kenji (Tokyo) the next; one
// incident opened at night by amelie.
func testStore(t *testing.T) *oncall.Store {
	t.Helper()
	ctx := context.Background()
	st, err := oncall.Open(ctx, filepath.Join(t.TempDir(), "care.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := at(2026, 3, 1, 0, 0)
	st.Now = func() time.Time { return clock }
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

func newScreen(t *testing.T) (*teatest.TestModel, *screenModel) {
	ctx := &common.Context{Styles: theme.New(true), Store: testStore(t), Now: func() time.Time { return testNow }}
	a := &screenModel{ctx: ctx, screen: New(ctx)}
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(130, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	return tm, a
}

func waitFor(t *testing.T, tm *teatest.TestModel, wants ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, w := range wants {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// waitRedraw waits until a whole frame holds every want: the renderer only
// writes what changed, so each try forces a full repaint with a resize.
func waitRedraw(t *testing.T, tm *teatest.TestModel, wants ...string) {
	t.Helper()
	var buf []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		buf = buf[:0]
		tm.Send(tea.WindowSizeMsg{Width: 130, Height: 30})
		time.Sleep(100 * time.Millisecond)
		b, _ := io.ReadAll(tm.Output())
		buf = append(buf, b...)
		s, ok := ansi.Strip(string(buf)), true
		for _, w := range wants {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return
		}
	}
	t.Fatalf("no frame with %q; last output:\n%s", wants, ansi.Strip(string(buf)))
}

func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*screenModel).screen.View()
}

func TestCareScreenTable(t *testing.T) {
	tm, _ := newScreen(t)
	waitFor(t, tm, "care work · last 90 days", "167h", "168h")
	// Who hosts which machine comes from the cluster snapshot.
	tm.Send(common.SnapshotMsg{Snap: &sources.Snapshot{Sites: []sources.Site{{Name: "paris", Hosts: map[string]string{"paris-1": "amelie"}}}}})
	waitRedraw(t, tm, "physically reach")
	plain := ansi.Strip(finalView(t, tm))
	for _, want := range []string{
		"attention", "responsibility", "competence", "responsiveness", "writing",
		"MEMBER", "ON CALL", "DAY", "EVE/WKEND", "NIGHT", "NOTICED",
		"amelie", "167h", "62h", "kenji", "168h", "63h",
		"balance", "gini 0.00 · pairs 0.99", // 167 vs 168 hours: nearly even
		"bus factor 1 service garage: only amelie acted on its incidents (1 incidents)",
		"hosting site paris: hosted by amelie · repaired by amelie — only amelie can physically reach paris's machines",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("table lacks %q:\n%s", want, plain)
		}
	}
}

func TestCareScreenDrillDown(t *testing.T) {
	tm, _ := newScreen(t)
	waitFor(t, tm, "167h")
	// Night hours of amelie: the spring-forward week holds 62 of them.
	tm.Type("lll")
	waitRedraw(t, tm, "night on-call hours: 62h")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitRedraw(t, tm, "shift primary")
	plain := ansi.Strip(finalView(t, tm))
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
	tm, _ := newScreen(t)
	waitFor(t, tm, "167h")
	// kenji's acknowledgement, in the responsiveness phase.
	tm.Type("j")
	for range 11 {
		tm.Type("l")
	}
	waitRedraw(t, tm, "acknowledgements: 1 · med 15m")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitRedraw(t, tm, "after detection")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Type("hhhhhhh") // back to amelie's first to notice
	tm.Type("k")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitRedraw(t, tm, "opened it")
	plain := ansi.Strip(finalView(t, tm))
	for _, want := range []string{"amelie · incidents noticed first · 1", "2026-03-24 02:00", "incident #1 garage down", "opened it"} {
		if !strings.Contains(plain, want) {
			t.Errorf("drill-down lacks %q:\n%s", want, plain)
		}
	}
}

func TestCareScreenWindowSwitch(t *testing.T) {
	tm, _ := newScreen(t)
	waitFor(t, tm, "last 90 days", "167h")
	tm.Type("w")
	waitRedraw(t, tm, "care work · last 365 days")
	tm.Type("w")
	waitRedraw(t, tm, "care work · last 30 days")
	plain := ansi.Strip(finalView(t, tm))
	// 30 days back from 6 April: 7 March onwards, both weeks still in.
	if !strings.Contains(plain, "care work · last 30 days") || !strings.Contains(plain, "167h") {
		t.Errorf("window switch:\n%s", plain)
	}
}

func TestCareScreenFollowsTheStore(t *testing.T) {
	tm, a := newScreen(t)
	waitFor(t, tm, "kenji")
	st := a.ctx.Store
	if _, err := st.AddMember(context.Background(), oncall.Member{Handle: "zoe", Name: "Zoé", TZ: "Europe/Lisbon"}); err != nil {
		t.Fatal(err)
	}
	tm.Send(common.StoreChangedMsg{Now: testNow})
	waitRedraw(t, tm, "zoe")
	plain := ansi.Strip(finalView(t, tm))
	// Rows stay ordered by handle, whatever the figures.
	if a, k, z := strings.Index(plain, "amelie"), strings.Index(plain, "kenji"), strings.Index(plain, "zoe"); !(a < k && k < z) {
		t.Errorf("rows not ordered by handle:\n%s", plain)
	}
}
