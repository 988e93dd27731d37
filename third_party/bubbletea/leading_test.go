package tea

// entretien patch (PATCH.md): WithLeadingEdgeFrames draws a view queued
// after an idle frame at once, and coalesces what follows within a frame.

import (
	"testing"
	"time"
)

func TestLeadingEdgeFrames(t *testing.T) {
	for _, edge := range []bool{false, true} {
		var out lockedBuffer
		opts := []ProgramOption{WithInput(nil), WithOutput(&out), WithoutSignals(), WithFPS(2), WithWindowSize(80, 24)}
		if edge {
			opts = append(opts, WithLeadingEdgeFrames())
		}
		p := NewProgram(&idleModel{text: "hello"}, opts...)
		done := make(chan error, 1)
		go func() { _, err := p.Run(); done <- err }()
		waitOutput(t, &out, "hello")
		// Let the ticker stop (one empty frame: half a second at 2 FPS).
		waitIdle(t, p)
		base := p.edgeDraws.Load()

		p.Send(setTextMsg("world"))
		waitOutput(t, &out, "world")
		if got := p.edgeDraws.Load() - base; edge && got != 1 || !edge && got != 0 {
			t.Errorf("edge=%v: %d draws at a wake for one view after an idle frame", edge, got)
		}
		p.Quit()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// waitIdle waits until the renderer loop has stopped its ticker: two
// wakeup counts a frame and a half apart are equal.
func waitIdle(t *testing.T, p *Program) {
	t.Helper()
	for range 20 {
		n := p.rendererWakeups.Load()
		sleepFrames(p, 1.5)
		if p.rendererWakeups.Load() == n {
			return
		}
	}
	t.Fatal("the renderer never went idle")
}

func sleepFrames(p *Program, n float64) {
	time.Sleep(time.Duration(n * float64(time.Second) / float64(p.fps)))
}

// TestLeadingEdgeAfterEmptyView: a flush that drew nothing (the view still
// empty: entretien holds its first frame until the cluster's first answers)
// is not a frame to pace the next one after, so the first view with content
// is drawn at once rather than at the tick a frame later.
func TestLeadingEdgeAfterEmptyView(t *testing.T) {
	var out lockedBuffer
	p := NewProgram(&idleModel{}, WithInput(nil), WithOutput(&out), WithoutSignals(),
		WithFPS(2), WithWindowSize(80, 24), WithLeadingEdgeFrames())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	// The empty view's flush sets the terminal's modes: output, no frame.
	deadline := time.Now().Add(5 * time.Second)
	for out.String() == "" {
		if time.Now().After(deadline) {
			t.Fatal("nothing written at start")
		}
		time.Sleep(time.Millisecond)
	}
	base := p.edgeDraws.Load()
	p.Send(setTextMsg("first"))
	waitOutput(t, &out, "first")
	// Before the change the empty flush armed the ticker, and "first" waited
	// for its tick (half a second at 2 FPS): no draw at a wake.
	if got := p.edgeDraws.Load() - base; got != 1 {
		t.Errorf("%d draws at a wake for the first view with content after an empty one, want 1", got)
	}
	p.Quit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
