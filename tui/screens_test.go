package tui

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/internal/screentest"
)

// newFixtureModel runs the root on the hand-built fixture cluster with a
// fake on-demand Cluster (allocation details, logs).
func newFixtureModel(t *testing.T, w, h int) (*probe, *fixture.Cluster, *staticSource) {
	t.Helper()
	st, me := testStore(t)
	snap := fixture.Snapshot()
	cl := fixture.NewCluster(snap)
	src := newStaticSource(snap)
	m := New(Options{Source: src, Store: st, Me: me, Now: func() time.Time { return fixture.Now }, Tick: 50 * time.Millisecond, Cluster: cl})
	p := &probe{Model: m, t: t}
	p.TestModel = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	return p, cl, src
}

// probe wraps the root so tests can wait on the frame the model would draw
// now (the program's output is a stream of diffs, where a short string
// such as "1/4" may never appear whole).
type probe struct {
	*Model
	*teatest.TestModel
	t    *testing.T
	last atomic.Pointer[string]
}

func (p *probe) Init() tea.Cmd { return p.Model.Init() }

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	s := ansi.Strip(p.Model.View().Content)
	p.last.Store(&s)
	return p, cmd
}

func (p *probe) View() tea.View { return p.Model.View() }

// wait polls the current frame until it holds every want.
func (p *probe) wait(wants ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var s string
	for {
		if v := p.last.Load(); v != nil {
			s = *v
		}
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %q; frame:\n%s", wants, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// final quits and returns the root model.
func (p *probe) final() *Model {
	p.t.Helper()
	if err := p.Quit(); err != nil {
		p.t.Fatal(err)
	}
	return p.FinalModel(p.t, teatest.WithFinalTimeout(5*time.Second)).(*probe).Model
}

func keyMsg(s string) tea.KeyPressMsg { return screentest.Key(s) }

func press(tm *probe, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

// plainFinal quits and returns the last frame without styles.
func plainFinal(t *testing.T, tm *probe) string {
	t.Helper()
	return stripView(tm.final())
}

// step is a key and what must be on screen after it.
type step struct {
	key  string
	want []string
}

func walk(t *testing.T, tm *probe, steps []step) {
	t.Helper()
	for _, s := range steps {
		if s.key != "" {
			press(tm, s.key)
		}
		tm.wait(s.want...)
	}
}

// TestEveryScreenGolden drives the root to each screen on the fixture
// cluster and compares the whole frame (styles stripped) with a golden
// file: go test ./tui -run Golden -update rewrites them.
func TestEveryScreenGolden(t *testing.T) {
	cases := []struct {
		name  string
		w, h  int
		steps []step
	}{
		{"outages", 100, 24, nil},
		{"outages_80x24", 80, 24, nil},
		{"nodes", 100, 24, []step{{"3", []string{"physical access"}}}},
		{"node_detail", 100, 24, []step{{"3", []string{"physical access"}}, {"G", nil}, {"enter", []string{"meta "}}}},
		{"jobs", 100, 24, []step{{"4", []string{"VERSION"}}}},
		{"job_allocs", 100, 24, []step{{"4", []string{"VERSION"}}, {"enter", []string{"RESTARTS", "blocked:"}}}},
		{"alloc_detail", 100, 24, []step{{"4", []string{"VERSION"}}, {"enter", []string{"RESTARTS"}}, {"enter", []string{"Recent task events", "Tasks are running"}}}},
		{"services", 100, 24, []step{{"5", []string{"HEALTH"}}}},
		{"service_instances", 100, 24, []step{{"enter", []string{"FAILING CHECK"}}}},
		{"instance", 100, 24, []step{{"enter", []string{"FAILING CHECK"}}, {"enter", []string{"node check"}}}},
		{"check_output", 100, 24, []step{{"enter", []string{"FAILING CHECK"}}, {"enter", []string{"node check"}}, {"enter", []string{"line two"}}}},
		{"deploys", 100, 24, []step{{"6", []string{"blocked eval"}}}},
		{"help", 100, 24, []step{{"?", []string{"sort by next column"}}}},
		{"incidents", 100, 24, []step{{"8", []string{"enter: open", "404 on /health"}}}},
		{"incident", 100, 24, []step{{"i", []string{"lead —", "404 on /health"}}}},
		{"incident_help", 100, 24, []step{{"i", []string{"lead —"}}, {"?", []string{"read the entry", "quit"}}}},
		{"retro", 100, 24, []step{{"i", []string{"lead —"}}, {"r", []string{"Key moments", "so far"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm, _, _ := newFixtureModel(t, c.w, c.h)
			tm.wait("guichet", "on call (primary) amelie")
			walk(t, tm, c.steps)
			time.Sleep(50 * time.Millisecond)
			out := plainFinal(t, tm)
			checkFrame(t, out, c.w, c.h)
			golden.RequireEqual(t, out)
		})
	}
}

// checkFrame: exactly the terminal height, no line wider than it, and no
// escape sequence from the cluster (the fixture hides some in names).
func checkFrame(t *testing.T, plain string, w, h int) {
	t.Helper()
	lines := strings.Split(plain, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide (> %d): %q", i, n, w, l)
		}
	}
	if strings.Contains(plain, "pwned") {
		t.Errorf("a title-setting escape from the cluster reached the screen:\n%s", plain)
	}
}

func stripView(m *Model) string { return ansi.Strip(m.View().Content) }

func teatestFinal() teatest.FinalOpt { return teatest.WithFinalTimeout(5 * time.Second) }
