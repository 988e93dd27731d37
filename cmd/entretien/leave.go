package main

import (
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

func (a *app) leaveCmd() *cobra.Command {
	c := group("leave", "leave periods: add, list, remove", a.leaveAddCmd(), a.leaveListCmd(), a.leaveRemoveCmd())
	c.Long = "Leave periods: the rota shows the shifts they clash with.\n\n" + timeHelp
	return c
}

func (a *app) leaveAddCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "add --from TIME --to TIME [--member HANDLE] [--reason R] [--tz ZONE]",
		Short:       "mark leave (default member: you)",
		Args:        noArgs("leave add"),
		Annotations: needsStore(),
	}
	member := c.Flags().String("member", "", "whose leave (default: you)")
	from := c.Flags().String("from", "", "start (TIME)")
	to := c.Flags().String("to", "", "end (a date includes that day; +1d counts from an absolute --from)")
	reason := c.Flags().String("reason", "", "optional, one line")
	tz := c.Flags().String("tz", "", "zone for --from and --to")
	c.MarkFlagRequired("from")
	c.MarkFlagRequired("to")
	a.completeMembers(c, "member")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		loc, err := rotaZone(ctx, a.st, *tz)
		if err != nil {
			return err
		}
		rg, err := oncall.ParseRange("--from", *from, "--to", *to, loc, time.Now())
		if err != nil {
			return err
		}
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		if *member == "" {
			*member = me.Handle
		}
		l, err := a.st.AddLeave(ctx, me.Handle, oncall.Leave{Member: *member, Start: rg.Start, End: rg.End, Reason: *reason})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "leave #%d: %s away %s to %s\n", l.ID, sanitize.Line(l.Member), l.Start.In(loc).Format(rotaClock), l.End.In(loc).Format(rotaClock))
		return nil
	}
	return c
}

func (a *app) leaveListCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "list [--from TIME] [--to TIME] [--member HANDLE] [--tz ZONE]",
		Short:       "leave overlapping the range (default today..+52w)",
		Args:        noArgs("leave list"),
		Annotations: needsStore(),
	}
	p := periodFlags(c, "today", "+52w")
	member := c.Flags().String("member", "", "only this member's leave")
	asJSON := jsonFlag(c)
	a.completeMembers(c, "member")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		loc, rg, err := p.read(ctx, a.st)
		if err != nil {
			return err
		}
		if *member != "" {
			if _, err := a.st.Member(ctx, *member); err != nil {
				return err
			}
		}
		ls, err := a.st.Leaves(ctx, rg.Start, rg.End)
		if err != nil {
			return err
		}
		rows := []leaveJSON{}
		for _, l := range ls {
			if *member == "" || l.Member == *member {
				rows = append(rows, leaveJSON{ID: l.ID, Member: line(l.Member), Start: utc(l.Start), End: utc(l.End), Reason: line(l.Reason),
					MarkedBy: line(l.CreatedBy), CreatedAt: utc(l.CreatedAt)})
			}
		}
		if *asJSON {
			return writeJSON(a.stdout, rows)
		}
		if len(rows) == 0 {
			fmt.Fprintf(a.stdout, "no leave from %s to %s\n", rg.Start.In(loc).Format(rotaClock), rg.End.In(loc).Format(rotaClock))
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tMEMBER\tFROM\tTO\tREASON\tMARKED BY\t")
		for _, l := range rows {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", l.ID, l.Member, l.Start.In(loc).Format(rotaClock), l.End.In(loc).Format(rotaClock), l.Reason, l.MarkedBy)
		}
		return tw.Flush()
	}
	return c
}

func (a *app) leaveRemoveCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "remove ID",
		Short:       "withdraw a leave you are on or marked; one under way ends now, one over stays",
		Args:        exactArgs("leave remove", 1, "exactly one leave ID (see entretien leave list)"),
		Annotations: needsStore(),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || id <= 0 {
			return usageError{msg: fmt.Sprintf("leave ID %q: not a positive number", sanitize.Line(args[0]))}
		}
		ctx := cmd.Context()
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		loc, err := rotaZone(ctx, a.st, "")
		if err != nil {
			return err
		}
		was, err := a.st.Leave(ctx, id)
		if err != nil {
			return err
		}
		if err := a.st.RemoveLeave(ctx, me.Handle, id); err != nil {
			return err
		}
		// Read it back to say which happened: deleted, or cut short at now.
		l, err := a.st.Leave(ctx, id)
		switch {
		case errors.Is(err, oncall.ErrNotFound):
			fmt.Fprintf(a.stdout, "removed leave #%d of %s (%s to %s)\n", id, sanitize.Line(was.Member), was.Start.In(loc).Format(rotaClock), was.End.In(loc).Format(rotaClock))
		case err != nil:
			return err
		default:
			fmt.Fprintf(a.stdout, "leave #%d of %s was under way: it now ends %s (the days taken stay)\n", id, sanitize.Line(l.Member), l.End.In(loc).Format(rotaClock))
		}
		return nil
	}
	return c
}
