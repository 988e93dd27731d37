package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/recorder"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/tui"
)

// runTUI is the root command: the TUI on the cluster and the shared database.
func (a *app) runTUI(cmd *cobra.Command, _ []string) error {
	src := a.src
	src.CacheDir = cacheDir()
	return openTUIWith(cmd.Context(), src, a.db, a.readOnly || readOnlyEnv())
}

// cacheDir is $XDG_CACHE_HOME/entretien (~/.cache/entretien): the nodes'
// meta between runs (sources/nodecache.go). "" when there is no home.
func cacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "entretien")
}

// readOnlyEnv is ENTRETIEN_READ_ONLY set to a true value ("1", "true"):
// what a bastion's profile script sets for members who only watch.
func readOnlyEnv() bool {
	v, _ := strconv.ParseBool(os.Getenv("ENTRETIEN_READ_ONLY"))
	return v
}

// frameRate caps redraws. The renderer (third_party/bubbletea, patched)
// sleeps while nothing changes and draws a view queued after an idle frame
// at once (WithLeadingEdgeFrames): a key after a pause is drawn without
// waiting for a tick. Views queued within a frame of the last draw wait for
// the next tick, at most 1/frameRate: the startup's burst of messages, or a
// key held down: 120 FPS keeps that wait under 9 ms.
const frameRate = 120

// startGCPercent and startSpell: the start allocates in a burst (every
// list decoded, SQLite's first statements, the first views): at the default
// GOGC the runtime collects during it, with mark assists on the very
// goroutines the first frame waits for. For its first second the TUI
// collects four times less often, then returns what the start left behind
// to the OS (the heap of a quiet TUI is a few MB; RSS is one of issue 17's
// figures).
const (
	startGCPercent = 400
	startSpell     = time.Second
)

// quietStart applies startGCPercent for startSpell.
func quietStart() (stop func()) {
	old := debug.SetGCPercent(startGCPercent)
	t := time.AfterFunc(startSpell, func() {
		debug.SetGCPercent(old)
		debug.FreeOSMemory()
	})
	return func() {
		if t.Stop() {
			debug.SetGCPercent(old)
		}
	}
}

// tmuxDeferred: TMUX was set, hidden from lipgloss's package init by
// defertmux, so the colour profile found then did not ask tmux.
var tmuxDeferred bool

// tmuxAskDelay leaves the first frame, which needs ~30-60 ms, the CPU that
// forking `tmux info` would take from it.
const tmuxAskDelay = 250 * time.Millisecond

// askTmux detects the colour profile again, tmux included, once the first
// frame is out, and hands it to the program if it differs (bubbletea
// re-renders with the new profile on tea.ColorProfileMsg). The returned
// func cancels it if the TUI ends first.
func askTmux(p *tea.Program, had colorprofile.Profile) (stop func()) {
	t := time.AfterFunc(tmuxAskDelay, func() {
		if cp := colorprofile.Detect(os.Stdout, os.Environ()); cp != had {
			p.Send(tea.ColorProfileMsg{Profile: cp})
		}
	})
	return func() { t.Stop() }
}

// openTUI follows the cluster, opens the shared database and runs the TUI
// until the member quits. Nomad or Consul being down is not an error: the
// TUI says so and keeps the rota and the journal usable.
func openTUI(ctx context.Context, src sources.Config, dbPath string) error {
	return openTUIWith(ctx, src, dbPath, readOnlyEnv())
}

// openTUIWith is openTUI, read-only (no action offered) when asked.
func openTUIWith(ctx context.Context, src sources.Config, dbPath string, readOnly bool) error {
	ctx, cancel := context.WithCancel(oncall.WithWaitNotice(ctx, nil)) // the screen is the TUI's
	defer cancel()
	defer quietStart()()
	w, err := sources.New(src)
	if err != nil {
		return usageError{msg: err.Error()}
	}
	// Subscribe before Run so no transition is missed. The TUI records the
	// transitions touching open incidents like `entretien watch` does; the
	// database keeps one row per incident and transition, so both may run.
	transitions, unsubscribe := w.SubscribeTransitions(256)
	defer unsubscribe()
	// The first queries go out while the database opens: the first frame
	// waits for the slower of the two, not for their sum.
	go w.Run(ctx)
	st, err := openStore(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("database %s: %w", dbPath, err)
	}
	defer st.Close()
	me, meErr := st.Me(ctx)
	m := tui.New(tui.Options{Source: w, Store: st, Me: me, MeErr: meErr, ReadOnly: readOnly})
	// lipgloss detected the terminal's colour profile at start, from the
	// environment and terminfo; bubbletea would detect it again before the
	// first frame. Under tmux, tmux's own answer (true colour passed
	// through or not) comes once the first frame is out: see askTmux.
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithFPS(frameRate), tea.WithLeadingEdgeFrames(),
		tea.WithColorProfile(lipgloss.Writer.Profile))
	if tmuxDeferred {
		stop := askTmux(p, lipgloss.Writer.Profile)
		defer stop()
	}
	rec := &recorder.Recorder{Store: st, By: recorder.DefaultBy(), OnError: func(err error) { p.Send(tui.ErrorMsg(err)) }}
	go rec.Run(ctx, transitions)
	_, err = p.Run()
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
