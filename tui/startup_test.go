package tui

import (
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/sources"
)

type heldMsg struct{}

// TestStartGateHoldsUntilBothBackendsAnswered: a hidden tab's first load
// waits for a snapshot in which Nomad and Consul both answered (or
// failed), then runs.
func TestStartGateHoldsUntilBothBackendsAnswered(t *testing.T) {
	g := newStartGate()
	ran := make(chan tea.Msg, 1)
	go func() { ran <- g.hold(func() tea.Msg { return heldMsg{} })() }()

	connecting := &sources.Snapshot{}
	nomadOnly := &sources.Snapshot{}
	nomadOnly.Nomad.Updated = time.Now()
	for _, s := range []*sources.Snapshot{nil, connecting, nomadOnly} {
		g.openOn(s)
	}
	select {
	case <-ran:
		t.Fatal("the load ran before Consul answered")
	case <-time.After(hiddenLoadsAfter / 5):
	}

	both := &sources.Snapshot{}
	both.Nomad.Updated = time.Now()
	both.Consul.Err = errors.New("connection refused") // failing counts: the start is over
	g.openOn(both)
	select {
	case msg := <-ran:
		if _, ok := msg.(heldMsg); !ok {
			t.Fatalf("the held load returned %T", msg)
		}
	case <-time.After(hiddenLoadsAfter / 2):
		t.Fatal("the load did not run once both backends had answered")
	}
	g.open() // opening twice is harmless
	if g.hold(nil) != nil {
		t.Error("holding no command made one")
	}
}

// TestStartGateGivesUp: without an answer, the loads run after
// hiddenLoadsAfter all the same.
func TestStartGateGivesUp(t *testing.T) {
	g := newStartGate()
	start := time.Now()
	g.hold(func() tea.Msg { return heldMsg{} })()
	if waited := time.Since(start); waited < hiddenLoadsAfter {
		t.Errorf("the load ran after %v, before hiddenLoadsAfter (%v)", waited, hiddenLoadsAfter)
	}
}

// TestFirstFrameHeldUntilAnswered: nothing is drawn while both backends
// are connecting; the snapshot with their answers, a key, or firstFrameWait
// draws the first frame.
func TestFirstFrameHeldUntilAnswered(t *testing.T) {
	release := map[string]func(m *Model, src *staticSource){
		"answers": func(m *Model, src *staticSource) {
			src.snap = testSnapshot()
			m.Update(updateMsg{})
		},
		"key":       func(m *Model, _ *staticSource) { m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) },
		"wait over": func(m *Model, _ *staticSource) { m.Update(firstFrameMsg{}) },
	}
	for name, release := range release {
		t.Run(name, func(t *testing.T) {
			src := newStaticSource(&sources.Snapshot{}) // both connecting
			m := New(Options{Source: src})
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
			if v := m.View(); v.Content != "" || v.AltScreen {
				t.Fatalf("a frame was drawn before any answer: %q", v.Content)
			}
			nomadOnly := &sources.Snapshot{}
			nomadOnly.Nomad.Updated = testNow
			src.snap = nomadOnly
			m.Update(updateMsg{})
			if v := m.View(); v.Content != "" {
				t.Fatalf("a frame was drawn with Consul still connecting: %q", v.Content)
			}
			release(m, src)
			if v := m.View(); v.Content == "" || !v.AltScreen {
				t.Fatal("no frame once released")
			}
		})
	}
	// A source that has answered already draws at once.
	m := New(Options{Source: newStaticSource(testSnapshot())})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	if m.View().Content == "" {
		t.Error("the first frame was held although both backends had answered")
	}
}
