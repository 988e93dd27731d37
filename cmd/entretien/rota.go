package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

const timeHelp = `TIME: now, today, tomorrow, +3d, -12h, 2026-03-23, "2026-03-23 10:00" or RFC 3339, in --tz
(default: your member's zone, else UTC); a date-only --to includes that day, and a relative
--to counts from an absolute --from ("--from 2026-12-03 --to +1d").`

func (a *app) rotaCmd() *cobra.Command {
	c := group("rota", "the on-call rota: now, next, show, ical", a.rotaNowCmd(), a.rotaNextCmd(), a.rotaShowCmd(), a.rotaICalCmd())
	c.Long = "The on-call rota.\n\n" + timeHelp
	return c
}

// rotaZone is --tz, else the running member's zone, else UTC.
func rotaZone(ctx context.Context, st oncall.Store, tz string) (*time.Location, error) {
	if tz == "" {
		if me, err := st.Me(ctx); err == nil {
			tz = me.TZ
		}
	}
	if tz == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return nil, usageError{msg: fmt.Sprintf("--tz %q: unknown time zone (want an IANA name such as Europe/Paris)", sanitize.Line(tz))}
	}
	return loc, nil
}

// period is the --from/--to/--tz of the commands that list a stretch of
// time (rota show, override list, leave list).
type period struct{ from, to, tz *string }

func periodFlags(c *cobra.Command, from, to string) period {
	return period{
		from: c.Flags().String("from", from, "start of the range (TIME)"),
		to:   c.Flags().String("to", to, "end of the range (a date includes that day)"),
		tz:   c.Flags().String("tz", "", "zone for the times (default: your member's, else UTC)"),
	}
}

// read parses the period in --tz.
func (p period) read(ctx context.Context, st oncall.Store) (*time.Location, oncall.Range, error) {
	loc, err := rotaZone(ctx, st, *p.tz)
	if err != nil {
		return nil, oncall.Range{}, err
	}
	rg, err := oncall.ParseRange("--from", *p.from, "--to", *p.to, loc, time.Now())
	return loc, rg, err
}

const rotaClock = "Mon 02 Jan 15:04 MST"

func (a *app) rotaNowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "now [--at TIME] [--tz ZONE]",
		Short:       "who is on call in every rotation, with handoff notes",
		Args:        noArgs("rota now"),
		Annotations: needsStore(),
	}
	at := c.Flags().String("at", "now", "the instant to ask about (TIME)")
	tz := c.Flags().String("tz", "", "zone for --at and the output")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		loc, err := rotaZone(ctx, a.st, *tz)
		if err != nil {
			return err
		}
		t, _, err := oncall.ParseTime("--at", *at, loc, time.Now())
		if err != nil {
			return err
		}
		ocs, err := a.st.OnCallAt(ctx, t)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, rotaNowJSON(t, ocs))
		}
		out := a.stdout
		if len(ocs) == 0 {
			fmt.Fprintln(out, "no rotation yet (entretien rotation create, or rotation apply FILE)")
			return nil
		}
		for _, oc := range ocs {
			name := sanitize.Line(oc.Rotation.Name)
			if !oc.HasNow {
				fmt.Fprintf(out, "%s: nobody yet; %s from %s\n", name, sanitize.Line(oc.Next.Member), oc.Next.Start.In(loc).Format(rotaClock))
				continue
			}
			who := sanitize.Line(oc.Now.Member)
			if oc.Now.Covers != "" {
				who += " (covering " + sanitize.Line(oc.Now.Covers) + ")"
			}
			fmt.Fprintf(out, "%s: %s until %s, then %s\n", name, who, oc.Now.End.In(loc).Format(rotaClock), sanitize.Line(oc.Next.Member))
			for _, n := range oc.Notes {
				fmt.Fprintf(out, "  handoff note from %s (%s):\n", sanitize.Line(n.Author), n.WrittenAt.In(loc).Format(rotaClock))
				for _, l := range strings.Split(sanitize.Text(n.Text), "\n") {
					fmt.Fprintln(out, "    "+l)
				}
			}
			for _, n := range oc.NextNotes {
				fmt.Fprintf(out, "  note for the next handoff from %s: %s\n", sanitize.Line(n.Author), sanitize.Line(strings.ReplaceAll(n.Text, "\n", " / ")))
			}
		}
		return nil
	}
	return c
}

func (a *app) rotaNextCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "next [--count N] [--tz ZONE]",
		Short:       "the next handoffs of every rotation",
		Args:        noArgs("rota next"),
		Annotations: needsStore(),
	}
	n := c.Flags().Int("count", 3, "handoffs per rotation (1 to 100)")
	tz := c.Flags().String("tz", "", "zone for the output")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if *n < 1 || *n > 100 {
			return usageError{msg: fmt.Sprintf("--count %d: want 1 to 100", *n)}
		}
		ctx := cmd.Context()
		loc, err := rotaZone(ctx, a.st, *tz)
		if err != nil {
			return err
		}
		now := time.Now()
		sch, err := a.st.Schedule(ctx, now, now.Add(366*24*time.Hour))
		if err != nil {
			return err
		}
		handoffs := []handoffJSON{}
		for _, r := range sch {
			k := 0
			for i, sh := range r.Shifts {
				if !sh.Start.After(now) || (i > 0 && r.Shifts[i-1].Member == sh.Member) {
					continue
				}
				handoffs = append(handoffs, handoffJSON{Rotation: sanitize.Line(r.Rotation.Name), At: utc(sh.Start),
					Member: sanitize.Line(sh.Member), Covers: sanitize.Line(sh.Covers), OverrideID: sh.OverrideID})
				if k++; k == *n {
					break
				}
			}
		}
		if *asJSON {
			return writeJSON(a.stdout, handoffs)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ROTATION\tHANDOFF\tTO\t")
		for _, h := range handoffs {
			to := h.Member
			if h.Covers != "" {
				to += " (covering " + h.Covers + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", h.Rotation, h.At.In(loc).Format(rotaClock), to)
		}
		return tw.Flush()
	}
	return c
}

func (a *app) rotaShowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "show [--from TIME] [--to TIME] [--tz ZONE]",
		Short:       "the schedule: shifts, gaps, leave conflicts, pending proposals",
		Long:        "The schedule of every rotation: shifts, gaps, leave conflicts, pending proposals.\n\n" + timeHelp,
		Args:        noArgs("rota show"),
		Annotations: needsStore(),
	}
	p := periodFlags(c, "now", "+4w")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		loc, rg, err := p.read(ctx, a.st)
		if err != nil {
			return err
		}
		sch, err := a.st.Schedule(ctx, rg.Start, rg.End)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, scheduleJSON(rg, sch))
		}
		out := a.stdout
		for i, r := range sch {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "%s (%s, %s)\n", sanitize.Line(r.Rotation.Name), r.Rotation.Every(), r.Rotation.TZ)
			tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "  FROM\tTO\tMEMBER\t")
			for _, sh := range r.Shifts {
				who := sanitize.Line(sh.Member)
				if sh.Covers != "" {
					who += fmt.Sprintf(" (covering %s, override #%d)", sanitize.Line(sh.Covers), sh.OverrideID)
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", sh.Start.In(loc).Format(rotaClock), sh.End.In(loc).Format(rotaClock), who)
			}
			tw.Flush()
			for _, c := range r.Conflicts {
				fmt.Fprintf(out, "  CONFLICT %s %s %s to %s\n", sanitize.Line(c.Member), c.Kind, c.Start.In(loc).Format(rotaClock), c.End.In(loc).Format(rotaClock))
			}
			for _, g := range r.Gaps {
				fmt.Fprintf(out, "  GAP %s to %s: %s\n", g.Start.In(loc).Format(rotaClock), g.End.In(loc).Format(rotaClock), sanitize.Line(g.Reason))
			}
			for _, o := range r.Pending {
				fmt.Fprintf(out, "  PROPOSED #%d %s covers %s %s to %s, waiting for %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered),
					o.Start.In(loc).Format(rotaClock), o.End.In(loc).Format(rotaClock), sanitize.Line(strings.Join(o.AwaitingFrom(), " and ")))
			}
		}
		if len(sch) == 0 {
			fmt.Fprintln(out, "no rotation yet")
		}
		return nil
	}
	return c
}

func (a *app) rotaICalCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "ical [--member HANDLE] [--from TIME] [--to TIME] [-o FILE]",
		Short: "an RFC 5545 feed of the shifts, on stdout or replacing FILE whole",
		Long: `An RFC 5545 feed of the shifts, on stdout or, with -o, replacing FILE whole
(for cron and a web server members subscribe to: readers never see half a feed).

` + timeHelp,
		Args:        noArgs("rota ical"),
		Annotations: needsStore(),
	}
	member := c.Flags().String("member", "", "only this member's shifts")
	from := c.Flags().String("from", "-1w", "start of the feed")
	to := c.Flags().String("to", "+13w", "end of the feed")
	output := outputFlag(c, "the feed")
	a.completeMembers(c, "member")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		rg, err := oncall.ParseRange("--from", *from, "--to", *to, time.UTC, time.Now())
		if err != nil {
			return err
		}
		var feed bytes.Buffer
		if err := a.st.ICal(cmd.Context(), &feed, *member, rg.Start, rg.End); err != nil {
			return err
		}
		return a.emit(*output, feed.Bytes(), 0o644)
	}
	return c
}
