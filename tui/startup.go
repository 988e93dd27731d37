package tui

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
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
	if answered(snap) {
		g.armed.Do(func() { time.AfterFunc(firstFrameOut, g.open) })
	}
}

// firstFrameOut: the renderer draws a view within a frame (120 FPS) and
// the terminal has it a few milliseconds later.
const firstFrameOut = 20 * time.Millisecond

// answered: the snapshot has both backends' first answer or failure.
func answered(snap *sources.Snapshot) bool {
	return snap != nil && snap.Nomad.State() != sources.Connecting && snap.Consul.State() != sources.Connecting
}

// The first frame is held (Model.held: an empty view, which the renderer
// does not count as a frame) until the cluster's first answers are in, a
// key or a click comes, or firstFrameWait passes. The member's first frame
// is then whole rather than a "connecting" frame replaced a few
// milliseconds later, and the frame with the data is drawn at once instead
// of a frame (120 FPS) after that one (issue 17: under churn it often
// came 2 ms after it). Behind a slow or silent backend the frame saying so
// comes after firstFrameWait, below what reads as a wait.
const firstFrameWait = 100 * time.Millisecond

// firstFrameMsg: firstFrameWait has passed.
type firstFrameMsg struct{}

func waitFirstFrame() tea.Cmd {
	return tea.Tick(firstFrameWait, func(time.Time) tea.Msg { return firstFrameMsg{} })
}

// release ends the hold of the first frame, handing the screens the
// snapshot they were not given while it lasted.
func (m *Model) release() tea.Cmd {
	if !m.held {
		return nil
	}
	m.held = false
	return m.broadcast(common.SnapshotMsg{Snap: m.snap})
}
