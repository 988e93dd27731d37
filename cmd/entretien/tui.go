package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/recorder"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/tui"
)

// runTUI is the root command: the TUI on the cluster and the shared database.
func (a *app) runTUI(cmd *cobra.Command, _ []string) error {
	return openTUIWith(cmd.Context(), a.src, a.db, a.readOnly || readOnlyEnv())
}

// readOnlyEnv is ENTRETIEN_READ_ONLY set to a true value ("1", "true"):
// what a bastion's profile script sets for members who only watch.
func readOnlyEnv() bool {
	v, _ := strconv.ParseBool(os.Getenv("ENTRETIEN_READ_ONLY"))
	return v
}

// frameRate caps redraws. The renderer (third_party/bubbletea, patched)
// sleeps while nothing changes and draws a new view at the next frame, so
// the rate costs nothing idle and is the latency of a key: 60 FPS, 17 ms.
const frameRate = 60

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
	// lipgloss detected the terminal's colour profile at start (under tmux
	// that runs `tmux info`, ~20-40 ms); bubbletea would run it again before
	// the first frame, on the same output and environment.
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithFPS(frameRate), tea.WithColorProfile(lipgloss.Writer.Profile))
	rec := &recorder.Recorder{Store: st, By: recorder.DefaultBy(), OnError: func(err error) { p.Send(tui.ErrorMsg(err)) }}
	go rec.Run(ctx, transitions)
	_, err = p.Run()
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
