package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"codeberg.org/entretien/entretien/internal/recorder"
	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
)

func init() {
	commands["watch"] = command{summary: "follow the cluster and record its transitions into open incidents (for systemd or a Nomad job)", run: runWatch}
}

// runWatch is the headless recorder: it follows Nomad and Consul and writes
// every transition touching an incident in progress into its timeline. Any
// number may run beside the TUIs: the database writes each change once.
func runWatch(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("watch", stderr)
	quiet := fs.Bool("quiet", false, "do not log each recorded entry")
	if err := parseNoArgs("watch", fs, c, args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := sources.New(c.src)
	if err != nil {
		return usageError{err.Error()}
	}
	st, err := oncall.Open(ctx, c.db)
	if err != nil {
		return fmt.Errorf("database %s: %w", c.db, err)
	}
	defer st.Close()
	ch, unsubscribe := w.SubscribeTransitions(256)
	defer unsubscribe()
	go w.Run(ctx)

	host, _ := os.Hostname()
	rec := &recorder.Recorder{
		Store:   st,
		By:      "watch@" + host,
		OnError: func(err error) { fmt.Fprintln(stderr, "watch:", sanitize.Line(err.Error())) },
	}
	if !*quiet {
		rec.OnRecord = func(e oncall.Entry) {
			fmt.Fprintf(stdout, "incident #%d: %s\n", e.IncidentID, sanitize.Line(e.Text))
		}
	}
	fmt.Fprintf(stderr, "watch: following %s and %s, recording into %s\n", w.NomadAddr(), w.ConsulAddr(), c.db)
	err = rec.Run(ctx, ch)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
