package tui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/internal/frames"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/sources"
)

// staticSource stands in for the watcher in view-level tests: it hands the
// root snapshots the test builds. (The integration test in this package
// drives the TUI on the real dev cluster.)
type staticSource struct {
	snap *sources.Snapshot
	ch   chan struct{}
}

func newStaticSource(s *sources.Snapshot) *staticSource {
	return &staticSource{snap: s, ch: make(chan struct{}, 1)}
}
func (s *staticSource) Snapshot() *sources.Snapshot { return s.snap }
func (s *staticSource) Updates() <-chan struct{}    { return s.ch }

var testNow = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

func testSnapshot() *sources.Snapshot {
	ok := sources.Health{Updated: testNow.Add(-2 * time.Second)}
	n, c := ok, ok
	n.Addr, c.Addr = "http://127.0.0.1:4646", "127.0.0.1:8500"
	return &sources.Snapshot{
		Taken:  testNow,
		Nomad:  sources.NomadState{Health: n},
		Consul: sources.ConsulState{Health: c},
		Sites: []sources.Site{
			{Name: "bruxelles", NodesUp: 1, AllocsRunning: 1, ServicesPassing: 1, Hosts: map[string]string{"bxl-1": "chloe"}},
			{Name: "lyon", NodesUp: 1, AllocsRunning: 2, ServicesPassing: 1, ServicesCritical: 1, Hosts: map[string]string{"lyon-1": "lucas\x1b]0;pwned\x07"}},
			{Name: "paris", NodesUp: 1, AllocsRunning: 1, AllocsFailed: 3, ServicesPassing: 1, Hosts: map[string]string{"paris-1": "amelie"}},
		},
	}
}

// testStore is a real SQLite file with two members, a rotation and an
// incident written through the store API.
func testStore(t *testing.T) (oncall.Store, oncall.Member) { return testStoreOn(t, backends.SQLite()) }

func testStoreOn(t *testing.T, be backends.Backend) (oncall.Store, oncall.Member) {
	t.Helper()
	ctx := context.Background()
	st := be.Open(t)
	clock := testNow.Add(-time.Hour)
	st.SetClock(func() time.Time { return clock })
	me, err := st.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "Amélie", TZ: "Europe/Paris", OSUsers: []string{"amelie"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddMember(ctx, oncall.Member{Handle: "lucas", Name: "Lucas", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRotation(ctx, oncall.Rotation{
		Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks, Handoff: "10:00",
		Start: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), Participants: []string{"amelie", "lucas"},
	}); err != nil {
		t.Fatal(err)
	}
	in, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{
		Title: "guichet check failing in lyon", Severity: 2, Affects: []string{"service/guichet"},
	})
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(5 * time.Minute)
	if _, err := st.AddEntry(ctx, in.ID, "amelie", "observation", "404 on /health since the deploy \x1b[2J\x1b]0;pwned\x07"); err != nil {
		t.Fatal(err)
	}
	return st, me
}

func newTestModel(t *testing.T, src Source, st oncall.Store, me oncall.Member, w, h int) *testUI {
	m := New(Options{Source: src, Store: st, Me: me, Now: func() time.Time { return testNow }, Tick: 50 * time.Millisecond})
	return teatestModel(t, m, w, h)
}

// testUI runs the root in teatest and records every frame it draws, so
// tests wait on what is on screen, not on the renderer's diff stream.
type testUI struct {
	*teatest.TestModel
	rec *recorded
}

type recorded struct {
	*Model
	frames frames.Recorder
}

func (r *recorded) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.Model.Update(msg)
	return r, cmd
}

func (r *recorded) View() tea.View {
	v := r.Model.View()
	r.frames.Record(v.Content)
	return v
}

func teatestModel(t *testing.T, m *Model, w, h int) *testUI {
	r := &recorded{Model: m}
	tm := teatest.NewTestModel(t, r,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	return &testUI{TestModel: tm, rec: r}
}

func waitScreen(t *testing.T, tm *testUI, wants ...string) {
	t.Helper()
	waitScreenFor(t, tm, 5*time.Second, wants...)
}

// waitScreenFor waits until the frame on screen holds every want.
func waitScreenFor(t *testing.T, tm *testUI, d time.Duration, wants ...string) {
	t.Helper()
	tm.rec.frames.Wait(t, d, wants...)
}

// finalView quits and returns the last frame.
func finalView(t *testing.T, tm *testUI) string {
	return finalModel(t, tm).View().Content
}

func finalModel(t *testing.T, tm *testUI) *Model {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*recorded).Model
}

func TestOverviewShowsSitesRotaAndIncidents(t *testing.T) {
	st, me := testStore(t)
	tm := newTestModel(t, newStaticSource(testSnapshot()), st, me, 120, 30)
	tm.Type("2")
	waitScreen(t, tm, "paris", "3 failed", "critical", "amelie", "guichet check failing")
	tm.Type("8") // the journal screen draws the entry with escapes
	waitScreen(t, tm, "404 on /health")
	tm.Type("2")
	fm := finalModel(t, tm)
	view := fm.View().Content
	plain := ansi.Strip(view)
	for _, want := range []string{
		"1 outages", "2 overview", "7 rota", "8 incidents",
		"lyon", "1 passing · 1 critical", "1 running · 3 failed", "lucas", "chloe",
		"primary", "now amelie", "next lucas",
		"#1", "sev2", "open",
		"nomad ok", "127.0.0.1:4646", "consul ok", "you: amelie",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("overview lacks %q:\n%s", want, plain)
		}
	}
	// No screen lets an escape sequence from the cluster or the journal
	// through: only the styles' own SGR sequences remain.
	for i := range fm.tabs {
		fm.active = i
		v := fm.View().Content
		if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x07") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "pwned") {
			t.Errorf("screen %d: an escape sequence reached the screen: %q", i+1, v)
		}
	}
}

func TestUnreachableBackendsStillShowRotaAndJournal(t *testing.T) {
	st, me := testStore(t)
	snap := &sources.Snapshot{
		Nomad:  sources.NomadState{Health: sources.Health{Addr: "http://127.0.0.1:1", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}},
		Consul: sources.ConsulState{Health: sources.Health{Addr: "127.0.0.1:2", Err: errors.New("dial tcp 127.0.0.1:2: connect: connection refused")}},
	}
	tm := newTestModel(t, newStaticSource(snap), st, me, 120, 30)
	tm.Type("2")
	waitScreen(t, tm, "nomad unreachable", "now amelie")
	plain := ansi.Strip(finalView(t, tm))
	for _, want := range []string{"nomad unreachable", "http://127.0.0.1:1", "consul unreachable", "127.0.0.1:2", "connection refused", "now amelie", "guichet check failing"} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks %q:\n%s", want, plain)
		}
	}
}

func TestScreensTabsHelpAndLiveUpdates(t *testing.T) {
	st, me := testStore(t)
	src := newStaticSource(testSnapshot())
	tm := newTestModel(t, src, st, me, 100, 30)
	waitScreen(t, tm, "paris")

	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	waitScreen(t, tm, "HOSTED BY")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	tm.Type("7")
	waitScreen(t, tm, "coming shifts")
	tm.Type("8")
	waitScreen(t, tm, "404 on /health since the deploy")
	tm.Type("?")
	waitScreen(t, tm, "quit", "next screen")
	tm.Type("?")
	tm.Type("2")

	// A new snapshot from the source is drawn without any key.
	next := testSnapshot()
	next.Sites[1].ServicesCritical = 0
	next.Sites[1].ServicesPassing = 2
	src.snap = next
	src.ch <- struct{}{}
	waitScreen(t, tm, "2 passing")

	// Another member (another connection) writes: the screen follows.
	other, err := sqlite.Open(context.Background(), st.Describe())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.OpenIncident(context.Background(), "lucas", oncall.NewIncident{Title: "disk dying on paris-1", Severity: 1}); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "disk dying on paris-1")
	plain := ansi.Strip(finalView(t, tm))
	if !strings.Contains(plain, "sev1") {
		t.Errorf("new incident not shown:\n%s", plain)
	}
}

func TestSmallTerminalNeverWraps(t *testing.T) {
	st, me := testStore(t)
	tm := newTestModel(t, newStaticSource(testSnapshot()), st, me, 80, 24)
	tm.Type("2")
	waitScreen(t, tm, "paris")
	tm.Send(tea.WindowSizeMsg{Width: 60, Height: 20})
	time.Sleep(100 * time.Millisecond)
	view := finalView(t, tm)
	lines := strings.Split(view, "\n")
	if len(lines) != 20 {
		t.Errorf("got %d lines, want exactly the terminal height 20", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 60 {
			t.Errorf("line %d is %d cells wide (> 60): %q", i, w, ansi.Strip(l))
		}
	}
	if !bytes.Contains([]byte(ansi.Strip(view)), []byte("…")) {
		t.Errorf("expected truncation with an ellipsis at 60 columns:\n%s", ansi.Strip(view))
	}
}

// A write landing after the screens' first loads but before the first
// database poll is still seen (the version is read before the loads).
func TestWriteBeforeTheFirstPollIsShown(t *testing.T) {
	st, me := testStore(t)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }, Tick: 400 * time.Millisecond})
	tm := teatestModel(t, m, 100, 30)
	tm.Type("2")
	waitScreen(t, tm, "Open incidents", "guichet check failing")
	other, err := sqlite.Open(context.Background(), st.Describe())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.OpenIncident(context.Background(), "lucas", oncall.NewIncident{Title: "uplink down in bruxelles", Severity: 1}); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "uplink down in bruxelles")
}
