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
