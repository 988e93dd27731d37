package tui

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/sources"
)

// hiddenLoadsAfter bounds how long the tabs not on screen wait for their
// first loads (see startGate).
const hiddenLoadsAfter = 250 * time.Millisecond

// startGate holds the first loads of the tabs not on screen (the rota,
// the journal, care, decisions…: SQLite reads, then a message and a view
// each) until the first frame has the cluster's data, a key or a click
// comes, or hiddenLoadsAfter passes. They are a dozen messages on the 2
// cores of a bastion that the first frame waits for (issue 17); nobody
// sees those tabs before pressing a key.
type startGate struct {
	once, armed sync.Once
	ch          chan struct{}
}

func newStartGate() *startGate { return &startGate{ch: make(chan struct{})} }

func (g *startGate) open() { g.once.Do(func() { close(g.ch) }) }

// hold runs cmd once the gate is open.
func (g *startGate) hold(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		t := time.NewTimer(hiddenLoadsAfter)
		defer t.Stop()
		select {
		case <-g.ch:
		case <-t.C:
		}
		return cmd()
	}
}

// openOn opens the gate a frame after a snapshot has both backends' first
// answer (or failure), so that the frame showing it is out first. The root
// opens it at once on the member's first key or click.
func (g *startGate) openOn(snap *sources.Snapshot) {
	if snap != nil && snap.Nomad.State() != sources.Connecting && snap.Consul.State() != sources.Connecting {
		g.armed.Do(func() { time.AfterFunc(firstFrameOut, g.open) })
	}
}

// firstFrameOut: the renderer draws a view within a frame (120 FPS) and
// the terminal has it a few milliseconds later.
const firstFrameOut = 20 * time.Millisecond
