package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// The path a member takes when something breaks: the outage, the service,
// its allocation, the task's logs followed live, paused, then back.
func TestDrillDownToLiveLogsAndBack(t *testing.T) {
	tm, cl, _ := newFixtureModel(t, 100, 30)
	tm.wait("service guichet", "#1 open")
	walk(t, tm, []step{
		{"enter", []string{"outages › service guichet", "FAILING CHECK"}},
		{"a", []string{"› alloc 7c1e2b3a", "Recent task events", "Task started by client"}},
		{"enter", []string{"› web stdout", "following"}},
	})
	cl.Log(fixture.GuichetAlloc, "web", "stdout", "GET /health 404\n\x1b]0;pwned\x07hello \x1b[31mred\x1b[0m\npartial")
	tm.wait("GET /health 404", "hello red", "partial")
	walk(t, tm, []step{{"p", []string{"paused"}}})
	cl.Log(fixture.GuichetAlloc, "web", "stdout", " line\nmore\n")
	tm.wait("2 new lines")
	walk(t, tm, []step{
		{"G", []string{"following"}},
		{"e", []string{"web stderr"}},
	})
	cl.Log(fixture.GuichetAlloc, "web", "stderr", "oops on stderr\n")
	tm.wait("oops on stderr")
	walk(t, tm, []step{{"esc", []string{"Recent task events"}}})
	// Leaving the logs screen ends its stream (and the stdout one ended
	// when e switched to stderr).
	deadline := time.Now().Add(2 * time.Second)
	for {
		opened, closed := cl.Counts()
		if opened == 2 && closed == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log streams opened %d, closed %d; want 2 and 2", opened, closed)
		}
		time.Sleep(20 * time.Millisecond)
	}
	walk(t, tm, []step{{"esc", []string{"FAILING CHECK"}}, {"esc", []string{"on call (primary)"}}})
	plain := plainFinal(t, tm)
	checkFrame(t, plain, 100, 30)
	if strings.Contains(plain, "›") {
		t.Errorf("esc did not come back to the root:\n%s", plain)
	}
}

func TestFilterNarrowsLiveAndEscClears(t *testing.T) {
	tm, _, _ := newFixtureModel(t, 100, 30)
	tm.wait("service guichet")
	walk(t, tm, []step{{"3", []string{"paris-2"}}, {"/", []string{"/█"}}})
	press(tm, "l", "y")
	tm.wait("/ly", "1/1 (of 4)")
	fm := tm.final()
	plain := strings.Join(strings.Split(stripView(fm), "\n")[2:], "\n")
	if strings.Contains(plain, "paris-1") || !strings.Contains(plain, "lyon-1") {
		t.Errorf("filter ly should show lyon-1 only:\n%s", plain)
	}

	// esc leaves the filter and clears it; enter keeps it.
	tm, _, _ = newFixtureModel(t, 100, 30)
	tm.wait("service guichet")
	walk(t, tm, []step{{"3", []string{"paris-2"}}, {"/", []string{"/█"}}})
	press(tm, "b", "x", "l")
	tm.wait("1/1 (of 4)")
	walk(t, tm, []step{{"enter", []string{"filter /bxl"}}, {"esc", []string{"1/4"}}})
	plain = stripView(tm.final())
	if strings.Contains(plain, "filter /") {
		t.Errorf("esc should clear the filter:\n%s", plain)
	}
}

func TestCommandModeSiteSortAndMouse(t *testing.T) {
	tm, _, _ := newFixtureModel(t, 100, 30)
	tm.wait("service guichet")
	command := func(c string, wants ...string) {
		t.Helper()
		press(tm, ":")
		for _, r := range c {
			tm.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		press(tm, "enter")
		tm.wait(wants...)
	}
	command("nodes", "physical access", "1/4")
	command("site lyon", "site lyon", "1/1 (of 4)")
	command("jobs", "1/2 (of 3)") // garage and guichet run in lyon
	command("site all", "backup")
	command("services", "HEALTH")
	command("frobnicate", `unknown command "frobnicate"`)
	command("site atlantis", `unknown site "atlantis"`)
	// s sorts by the next column (SERVICE▲), s again by STATUS.
	walk(t, tm, []step{{"s", []string{"SERVICE▲"}}, {"s", []string{"STATUS▲"}}})
	// The wheel moves the cursor like j/k.
	tm.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	tm.wait("2/3")
	command("q")
	tm.WaitFinished(t, teatestFinal())
}

func TestResizeTo80x24KeepsEveryScreenInside(t *testing.T) {
	tm, _, _ := newFixtureModel(t, 140, 40)
	tm.wait("service guichet")
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	tm.wait("2 3 4")
	fm := tm.final()
	for i := range fm.tabs {
		fm.active = i
		checkFrame(t, stripView(fm), 80, 24)
	}
}

// The watcher is the on-demand Cluster the binary uses.
var _ common.Cluster = (*sources.Watcher)(nil)

// Consul's catalog holds a check's output back for minutes when only the
// output changed; the service screens read the agent's live output.
func TestCheckOutputIsTheAgentsLiveOne(t *testing.T) {
	tm, cl, _ := newFixtureModel(t, 180, 30)
	for _, c := range cl.Snap.Consul.Checks {
		if c.Service == "guichet" {
			cl.Live = map[string]string{c.ID: "HTTP GET /does-not-exist: 404 Not Found (live from the agent)"}
		}
	}
	tm.wait("service guichet")
	walk(t, tm, []step{
		{"enter", []string{"(live from the agent)"}},
		{"enter", []string{"check", "(live from the agent)"}},
	})
}

// NO_COLOR must reach the renderer: bubbletea picks the colour profile
// with colorprofile, which reads it from the environment.
func TestNoColorEnvironmentMeansNoColour(t *testing.T) {
	env := []string{"TERM=xterm-256color", "COLORTERM=truecolor"}
	if p := colorprofile.Env(env); p != colorprofile.TrueColor {
		t.Fatalf("without NO_COLOR the profile is %v, want TrueColor", p)
	}
	if p := colorprofile.Env(append(env, "NO_COLOR=1")); p > colorprofile.Ascii {
		t.Errorf("NO_COLOR=1 gives profile %v, want Ascii or less", p)
	}
	// Styled with that profile, a screen keeps its status words and has
	// no colour sequence.
	tm, _, _ := newFixtureModel(t, 100, 30)
	tm.wait("service guichet")
	fm := tm.final()
	var b strings.Builder
	w := colorprofile.NewWriter(&b, append(env, "NO_COLOR=1"))
	if _, err := w.WriteString(fm.View().Content); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b[38") || strings.Contains(out, "\x1b[48") {
		t.Errorf("colour left under NO_COLOR: %q", out)
	}
	for _, word := range []string{"critical", "down", "failed", "degraded"} {
		if !strings.Contains(out, word) {
			t.Errorf("status word %q missing without colour", word)
		}
	}
}
