package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/pager"
	"codeberg.org/entretien/entretien/internal/recorder"
	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/paging"
	"codeberg.org/entretien/entretien/sources"
)

// watchCmd is the headless recorder: it follows Nomad and Consul and writes
// every transition touching an incident in progress into its timeline. Any
// number may run beside the TUIs: the database writes each change once.
func (a *app) watchCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "watch [--log-format text|json] [--quiet] [--no-page] [--smtp-addr HOST:PORT] [--lease 15s] [--ack-via CMD]",
		Short: "follow the cluster, record its transitions into open incidents and page (for systemd or a Nomad job)",
		Long: `Follow the cluster, record its transitions into open incidents and page whoever is on
call (for systemd or a Nomad job). It logs on stderr, with log/slog: what it follows, each
backend lost and regained, each entry recorded, each page and how it was delivered, each
write that failed. Several may run: one pages at a time (a lease in the database), and a
page is never sent twice. SMTP credentials come from ENTRETIEN_SMTP_USER and
ENTRETIEN_SMTP_PASSWORD, never from flags or the database.`,
		Args: noArgs("watch"),
	}
	quiet := c.Flags().Bool("quiet", false, "do not log each recorded entry")
	noPage := c.Flags().Bool("no-page", false, "record only: never page")
	lease := c.Flags().Duration("lease", 15*time.Second, "the paging lease: another watcher pages this long after this one stopped")
	tick := c.Flags().Duration("page-every", time.Second, "how often escalations are checked")
	ackVia := c.Flags().String("ack-via", "ssh bastion", "how members reach entretien, shown in pages: ssh bastion entretien page ack 12")
	pf := addPagerFlags(c)
	format := c.Flags().String("log-format", "text", "log format: text or json")
	c.RegisterFlagCompletionFunc("log-format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		log, err := newLogger(a.stderr, *format)
		if err != nil {
			return err
		}
		var pg *pagerSettings
		if !*noPage {
			p, err := pf.pager()
			if err != nil {
				return err
			}
			if *lease < time.Second || *tick <= 0 || *tick >= *lease {
				return usagef("--lease %s, --page-every %s: want a lease of 1s at least, longer than --page-every", *lease, *tick)
			}
			pg = &pagerSettings{pager: p, lease: *lease, tick: *tick, ackVia: *ackVia}
		}
		return a.runWatch(cmd.Context(), log, *quiet, pg)
	}
	return c
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, usageError{msg: fmt.Sprintf("--log-format %q: want text or json", sanitize.Line(format))}
}

type pagerSettings struct {
	pager       *pager.Pager
	lease, tick time.Duration
	ackVia      string
}

func (a *app) runWatch(ctx context.Context, log *slog.Logger, quiet bool, pg *pagerSettings) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := sources.New(a.src)
	if err != nil {
		return usageError{msg: err.Error()}
	}
	st, err := openStore(ctx, a.db)
	if err != nil {
		return fmt.Errorf("database %s: %w", a.db, err)
	}
	defer st.Close()
	ch, unsubscribe := w.SubscribeTransitions(256)
	defer unsubscribe()
	go w.Run(ctx)

	host, _ := os.Hostname()
	rec := &recorder.Recorder{
		Store: st,
		By:    "watch@" + host,
		OnError: func(err error) {
			log.Error("transition not recorded", "err", sanitize.Line(err.Error()))
		},
	}
	if !quiet {
		rec.OnRecord = func(e oncall.Entry) {
			log.Info("transition recorded", "incident", e.IncidentID, "entry", e.ID, "text", sanitize.Line(e.Text))
		}
	}
	log.Info("watch started", "nomad", sanitize.Line(w.NomadAddr()), "consul", sanitize.Line(w.ConsulAddr()), "db", a.db, "recorded_by", rec.By)
	go logHealth(ctx, w, log)
	if pg != nil {
		e := &paging.Engine{Store: st, Deliver: pg.pager, Holder: fmt.Sprintf("%s/%d", rec.By, os.Getpid()),
			LeaseTTL: pg.lease, AckVia: pg.ackVia, Log: log}
		go runPager(ctx, w, e, pg.tick, log)
	}
	err = rec.Run(ctx, ch)
	if errors.Is(err, context.Canceled) {
		log.Info("watch stopped")
		return nil
	}
	return err
}

// logHealth logs each change of a backend's state (connecting, ok, stale,
// unreachable) as the watcher's snapshots show it: a change, not every poll.
func logHealth(ctx context.Context, w *sources.Watcher, log *slog.Logger) {
	type backend struct {
		name   string
		health func(*sources.Snapshot) sources.Health
		last   sources.HealthState
	}
	bs := []*backend{
		{name: "nomad", health: func(s *sources.Snapshot) sources.Health { return s.Nomad.Health }, last: sources.Connecting},
		{name: "consul", health: func(s *sources.Snapshot) sources.Health { return s.Consul.Health }, last: sources.Connecting},
	}
	for {
		if snap := w.Snapshot(); snap != nil {
			for _, b := range bs {
				h := b.health(snap)
				s := h.State()
				if s == b.last {
					continue
				}
				attrs := []any{"backend", b.name, "addr", sanitize.Line(h.Addr), "state", s.String(), "was", b.last.String()}
				switch s {
				case sources.Current:
					log.Info("backend reachable", attrs...)
				case sources.StaleData, sources.Unreachable:
					if h.Err != nil {
						attrs = append(attrs, "err", sanitize.Line(h.Err.Error()))
					}
					log.Warn("backend lost", attrs...)
				}
				b.last = s
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-w.Updates():
		}
	}
}
