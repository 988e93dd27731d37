package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// clusterActionJSON is one row of the action log (an action outside any
// incident; those inside one are action entries of its journal).
type clusterActionJSON struct {
	ID      int64      `json:"id"`
	At      *time.Time `json:"at"`
	By      string     `json:"by"`
	What    string     `json:"what"`
	Touches []string   `json:"touches"`
	OK      bool       `json:"ok"`
	Outcome string     `json:"outcome"`
}

func clusterActionsJSON(as []oncall.ClusterAction) []clusterActionJSON {
	out := []clusterActionJSON{}
	for _, a := range as {
		touches := []string{}
		for _, t := range a.Touches {
			touches = append(touches, line(t))
		}
		out = append(out, clusterActionJSON{ID: a.ID, At: utc(a.At), By: line(a.By), What: line(a.What),
			Touches: touches, OK: a.OK, Outcome: line(a.Outcome)})
	}
	return out
}

func (a *app) actionsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "actions [--from TIME] [--to TIME] [--tz ZONE]",
		Short: "the action log: restarts, drains… done from entretien outside any incident (default the last 30 days)",
		Long: "The action log: what members did to the cluster through entretien (restart, stop, drain,\n" +
			"eligibility, force a periodic job) while no incident in progress touched it, oldest first.\n" +
			"An action touching an incident in progress is an action entry of its journal instead\n" +
			"(entretien incident show ID).\n\n" + timeHelp,
		Args:        noArgs("actions"),
		Annotations: needsStore(),
	}
	p := periodFlags(c, "-30d", "now")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		loc, rg, err := p.read(ctx, a.st)
		if err != nil {
			return err
		}
		as, err := a.st.ClusterActions(ctx, rg.Start, rg.End)
		if err != nil {
			return err
		}
		rows := clusterActionsJSON(as)
		if *asJSON {
			return writeJSON(a.stdout, rows)
		}
		if len(rows) == 0 {
			fmt.Fprintf(a.stdout, "no action outside incidents from %s to %s\n", rg.Start.In(loc).Format(rotaClock), rg.End.In(loc).Format(rotaClock))
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAT\tBY\tWHAT\tRESULT\tTOUCHES\t")
		for _, r := range rows {
			result := "done"
			if !r.OK {
				result = "failed"
			}
			if r.Outcome != "" {
				result += ": " + r.Outcome
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", r.ID, r.At.In(loc).Format(rotaClock), r.By, r.What,
				sanitize.Line(result), strings.Join(r.Touches, ","))
		}
		return tw.Flush()
	}
	return c
}
