package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/sources"
)

// careCmd prints the care table of the care screen, for a meeting or a wiki
// page; --json gives the same table, with every fact, to other tools.
func (a *app) careCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "care [--window 90d] [--json]",
		Short: "care-work figures per member, service and site",
		Args:  noArgs("care"),
	}
	window := c.Flags().String("window", "90d", "window in days before now: 30d, 90d, 365d…")
	asJSON := c.Flags().Bool("json", false, "print the table, with the facts of every figure, as JSON")
	noCluster := c.Flags().Bool("no-cluster", false, "do not ask Nomad who hosts which machine")
	clusterWait := c.Flags().Duration("cluster-wait", 3*time.Second, "how long to wait for Nomad's node list")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		days, err := care.ParseWindow(*window)
		if err != nil {
			return usageError{msg: "--" + err.Error()}
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		st, err := openStore(ctx, a.db)
		if err != nil {
			return fmt.Errorf("database %s: %w", a.db, err)
		}
		defer st.Close()
		from, to := care.Window(time.Now(), days)
		f, err := care.Load(ctx, st, from, to)
		if err != nil {
			return err
		}
		if *noCluster {
			f.Missing = append(f.Missing, "hosting: not asked (--no-cluster)")
		} else {
			ms, sn, why := clusterMachines(ctx, a.src, *clusterWait)
			f.Machines, f.ServiceNodes = ms, sn
			if why != "" {
				f.Missing = append(f.Missing, "hosting: "+why)
			}
		}
		t := care.Compute(f, from, to)
		if *asJSON {
			return writeJSON(a.stdout, t)
		}
		printCare(a.stdout, t, days)
		return nil
	}
	return c
}

// clusterMachines reads once who hosts which machine (node meta) and where
// each service runs, waiting at most wait for Nomad; why says why there are
// none.
func clusterMachines(ctx context.Context, cfg sources.Config, wait time.Duration) ([]care.Machine, map[string][]string, string) {
	snap, why := clusterSnapshot(ctx, cfg, wait)
	if snap == nil {
		return nil, nil, why
	}
	var ms []care.Machine
	for _, m := range snap.Machines() {
		ms = append(ms, care.Machine(m))
	}
	return ms, snap.ServiceNodes(), ""
}

// clusterSnapshot reads the cluster once, waiting at most wait for Nomad's
// first answer; nil and why when there is none.
func clusterSnapshot(ctx context.Context, cfg sources.Config, wait time.Duration) (*sources.Snapshot, string) {
	w, err := sources.New(cfg)
	if err != nil {
		return nil, err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for {
		snap := w.Snapshot()
		// Consul's answer (or its error) too: a service unknown because
		// Consul had not answered yet is not a service absent.
		if snap != nil && !snap.Nomad.Updated.IsZero() && (!snap.Consul.Updated.IsZero() || snap.Consul.Err != nil) {
			return snap, ""
		}
		select {
		case <-w.Updates():
		case <-ctx.Done():
			if snap != nil && !snap.Nomad.Updated.IsZero() {
				return snap, ""
			}
			if snap != nil && snap.Nomad.Err != nil {
				return nil, "Nomad unreachable: " + snap.Nomad.Err.Error()
			}
			return nil, fmt.Sprintf("Nomad did not answer within %s", wait)
		}
	}
}

func printCare(w io.Writer, t care.Table, days int) {
	line := sanitize.Line
	fmt.Fprintf(w, "Care work over the last %d days (%s → %s UTC).\n", days, t.From.UTC().Format("2006-01-02 15:04"), t.To.UTC().Format("2006-01-02 15:04"))
	fmt.Fprintln(w, "The same figures for everyone, ordered by handle: a picture to share the work, not a ranking.")
	for _, phase := range care.Phases {
		var figs []int
		for i, f := range care.Figures {
			if f.Phase == phase {
				figs = append(figs, i)
			}
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(string(phase)))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		hdr := []string{"member"}
		for _, i := range figs {
			hdr = append(hdr, care.Figures[i].Label)
		}
		fmt.Fprintln(tw, strings.Join(hdr, "\t"))
		for _, r := range t.Rows {
			cols := []string{line(r.Member)}
			for _, i := range figs {
				c := r.Cells[i]
				s := line(c.Text)
				if c.AbovePct > 0 {
					s += fmt.Sprintf(" (+%d%%)", c.AbovePct)
				}
				cols = append(cols, s)
			}
			fmt.Fprintln(tw, strings.Join(cols, "\t"))
		}
		gini, pairs := []string{"gini"}, []string{"pair balance"}
		for _, i := range figs {
			gini = append(gini, fmt.Sprintf("%.2f", t.Balance[i].Gini))
			pairs = append(pairs, fmt.Sprintf("%.2f", t.Balance[i].Score))
		}
		fmt.Fprintln(tw, strings.Join(gini, "\t"))
		fmt.Fprintln(tw, strings.Join(pairs, "\t"))
		tw.Flush()
	}
	var flags []string
	for _, r := range t.Rows {
		for i, c := range r.Cells {
			if f := c.Flag(t.Figures[i]); f != "" && c.AbovePct >= 25 {
				flags = append(flags, line(r.Member)+": "+f)
			}
		}
	}
	if len(flags) > 0 {
		fmt.Fprintln(w, "\nShares at least 25% above the average, to talk about and hand on:")
		for _, f := range flags {
			fmt.Fprintln(w, "  "+f)
		}
	}
	fmt.Fprintln(w, "\nServices and sites (bus factor: members who acted on their incidents):")
	if len(t.Services)+len(t.Sites) == 0 {
		fmt.Fprintln(w, "  no incident in the window")
	}
	for _, list := range [][]care.Coverage{t.Services, t.Sites} {
		for _, c := range list {
			risk := ""
			if c.Risk {
				risk = "  ← risk: one person (or nobody) knows it"
			}
			fmt.Fprintf(w, "  %s %s: bus factor %d (%s), %d incidents%s\n", c.Kind, line(c.Name), c.BusFactor, line(strings.Join(c.Actors, ", ")), len(c.Incidents), risk)
		}
	}
	if len(t.Hosting) > 0 {
		fmt.Fprintln(w, "\nHosting (who can physically reach the machines) next to who repairs them:")
		for _, h := range t.Hosting {
			for _, m := range h.Machines {
				fmt.Fprintf(w, "  %s/%s: hosted by %s, repaired by %s\n", line(h.Site), line(m.Node), line(orNobody(m.HostedBy)), line(orNobody(strings.Join(m.Repairers, ", "))))
			}
			if h.Risk {
				fmt.Fprintf(w, "  ← risk: %s\n", line(h.Why))
			}
		}
	}
	if len(t.Unheard) > 0 {
		fmt.Fprintln(w, "\nHosts not heard on changes affecting the machines they host:")
		for _, u := range t.Unheard {
			var ids []string
			for _, id := range u.Proposals {
				ids = append(ids, fmt.Sprintf("#%d", id))
			}
			fmt.Fprintf(w, "  %s hosts %s: no position on proposal %s\n", line(u.Host), line(strings.Join(u.Machines, ", ")), strings.Join(ids, ", "))
		}
	}
	if len(t.Notes) > 0 {
		fmt.Fprintln(w, "\nNot taken into account:")
		for _, n := range t.Notes {
			fmt.Fprintln(w, "  "+line(n))
		}
	}
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}
