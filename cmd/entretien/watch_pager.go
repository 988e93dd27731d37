package main

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/pager"
	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/paging"
	"codeberg.org/entretien/entretien/sources"
)

// pagerFlags are the delivery settings of the process that pages (watch)
// or sends a test page: the SMTP server and its TLS from flags, its
// credentials from the environment only (ENTRETIEN_SMTP_USER,
// ENTRETIEN_SMTP_PASSWORD), never from the database.
type pagerFlags struct {
	smtpAddr, smtpFrom, smtpTLS string
	timeout, commandTimeout     time.Duration
	attempts                    int
	backoff                     time.Duration
}

func addPagerFlags(c *cobra.Command) *pagerFlags {
	p := &pagerFlags{}
	f := c.Flags()
	f.StringVar(&p.smtpAddr, "smtp-addr", "", "SMTP server host:port for email pages (credentials: ENTRETIEN_SMTP_USER, ENTRETIEN_SMTP_PASSWORD)")
	f.StringVar(&p.smtpFrom, "smtp-from", "entretien@localhost", "the From address of email pages")
	f.StringVar(&p.smtpTLS, "smtp-tls", "starttls", "starttls (required), opportunistic or none")
	f.DurationVar(&p.timeout, "page-timeout", 10*time.Second, "per delivery attempt (email, webhook)")
	f.DurationVar(&p.commandTimeout, "command-timeout", 10*time.Second, "a command contact's time limit")
	f.IntVar(&p.attempts, "page-attempts", 3, "attempts per contact method before the next one")
	f.DurationVar(&p.backoff, "page-backoff", time.Second, "wait before the second attempt, doubled after")
	c.RegisterFlagCompletionFunc("smtp-tls", cobra.FixedCompletions([]string{"starttls", "opportunistic", "none"}, cobra.ShellCompDirectiveNoFileComp))
	return p
}

func (p *pagerFlags) pager() (*pager.Pager, error) {
	switch p.smtpTLS {
	case "starttls", "opportunistic", "none":
	default:
		return nil, usagef("--smtp-tls %q: want starttls, opportunistic or none", sanitize.Line(p.smtpTLS))
	}
	if p.attempts < 1 {
		return nil, usagef("--page-attempts %d: want at least 1", p.attempts)
	}
	return &pager.Pager{
		SMTP: pager.SMTP{Addr: p.smtpAddr, From: p.smtpFrom, TLS: p.smtpTLS,
			User: os.Getenv("ENTRETIEN_SMTP_USER"), Password: os.Getenv("ENTRETIEN_SMTP_PASSWORD")},
		Timeout: p.timeout, CommandTimeout: p.commandTimeout, Attempts: p.attempts, Backoff: p.backoff,
	}, nil
}

// runPager pages from the watcher's snapshots: a round at every snapshot
// and every tick (escalations are due with time, not with changes). The
// lease lives in the store: who pages never depends on Consul.
func runPager(ctx context.Context, w *sources.Watcher, e *paging.Engine, tick time.Duration, log *slog.Logger) {
	t := time.NewTicker(tick)
	defer t.Stop()
	// Under churn snapshots come many times a second: a round (a lease
	// write at least) at most every minGap, the ticker catches up the rest.
	minGap := min(tick/4, 250*time.Millisecond)
	var last time.Time
	for {
		if time.Since(last) < minGap {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		last = time.Now()
		var current []oncall.PagedOutage
		fresh := false
		if snap := w.Snapshot(); snap != nil {
			fresh = snap.Nomad.Health.State() == sources.Current && snap.Consul.Health.State() == sources.Current
			current = pagedOutages(snap)
		}
		if err := e.Tick(ctx, current, fresh); err != nil && ctx.Err() == nil {
			log.Error("paging round failed", "err", sanitize.Line(err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.Updates():
		}
	}
}

// pagedOutages turns a snapshot's outages into the pager's, each with the
// member who hosts its machine.
func pagedOutages(s *sources.Snapshot) []oncall.PagedOutage {
	out := make([]oncall.PagedOutage, 0, len(s.Outages))
	for _, o := range s.Outages {
		p := oncall.PagedOutage{Subject: paging.SubjectOf(o.Kind, o.Namespace, o.Name, o.Site), Kind: o.Kind, Name: o.Name, Site: o.Site,
			Status: o.Status, Detail: o.Detail, Since: o.Since}
		if n, ok := s.NodeByID(o.NodeID); ok {
			p.Host = s.HostOf(n)
		} else if o.Kind == "site" {
			if st, ok := s.SiteByName(o.Site); ok {
				var hs []string
				for _, h := range st.Hosts {
					if !slices.Contains(hs, h) {
						hs = append(hs, h)
					}
				}
				slices.Sort(hs)
				p.Host = strings.Join(hs, ", ")
			}
		}
		out = append(out, p)
	}
	return out
}
