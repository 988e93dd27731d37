package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

func init() {
	commands["leave"] = command{summary: "leave periods: add --from --to [--member X], list, remove ID", run: runLeave}
}

const leaveUsage = `usage:
  entretien leave add --from T --to T [--member X] [--reason R] [--tz Z]   mark leave (default member: you)
  entretien leave list [--from T] [--to T] [--member X] [--tz Z]          leave overlapping the range (default today..+52w)
  entretien leave remove ID          withdraw a leave you are on or marked; one under way ends now, one over stays
TIME as for "entretien rota", in --tz (default: your member's zone, else UTC); a date-only --to includes that day.`

func runLeave(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"leave: want a subcommand\n" + leaveUsage}
	}
	switch args[0] {
	case "add":
		return leaveAdd(args[1:], stdout, stderr)
	case "list":
		return leaveList(args[1:], stdout, stderr)
	case "remove":
		return leaveRemove(args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("leave: unknown subcommand %q\n%s", sanitize.Line(args[0]), leaveUsage)}
}

func leaveAdd(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("leave add", stderr)
	member := fs.String("member", "", "whose leave (default: you)")
	from := fs.String("from", "", "start")
	to := fs.String("to", "", "end (a date includes that day)")
	reason := fs.String("reason", "", "optional, one line")
	tz := fs.String("tz", "", "zone for --from and --to")
	if err := parseNoArgs("leave add", fs, c, args); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"--from", *from}, {"--to", *to}} {
		if f.v == "" {
			return usageError{fmt.Sprintf("leave add: %s is required\n%s", f.name, leaveUsage)}
		}
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	loc, err := rotaZone(ctx, st, *tz)
	if err != nil {
		return err
	}
	rg, err := oncall.ParseRange("--from", *from, "--to", *to, loc, time.Now())
	if err != nil {
		return inputErr(err)
	}
	me, err := whoAmI(ctx, st)
	if err != nil {
		return err
	}
	if *member == "" {
		*member = me.Handle
	}
	l, err := st.AddLeave(ctx, me.Handle, oncall.Leave{Member: *member, Start: rg.Start, End: rg.End, Reason: *reason})
	if err != nil {
		return inputErr(err)
	}
	fmt.Fprintf(stdout, "leave #%d: %s away %s to %s\n", l.ID, sanitize.Line(l.Member), l.Start.In(loc).Format(rotaClock), l.End.In(loc).Format(rotaClock))
	return nil
}

func leaveList(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("leave list", stderr)
	p := periodFlags(fs, "today", "+52w")
	member := fs.String("member", "", "only this member's leave")
	ctx := context.Background()
	st, loc, rg, err := openPeriod(ctx, "leave list", fs, c, args, p)
	if err != nil {
		return err
	}
	defer st.Close()
	if *member != "" {
		if _, err := st.Member(ctx, *member); err != nil {
			return inputErr(err)
		}
	}
	ls, err := st.Leaves(ctx, rg.Start, rg.End)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tMEMBER\tFROM\tTO\tREASON\tMARKED BY\t")
	n := 0
	for _, l := range ls {
		if *member != "" && l.Member != *member {
			continue
		}
		n++
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", l.ID, sanitize.Line(l.Member), l.Start.In(loc).Format(rotaClock), l.End.In(loc).Format(rotaClock),
			sanitize.Line(l.Reason), sanitize.Line(l.CreatedBy))
	}
	if n == 0 {
		fmt.Fprintf(stdout, "no leave from %s to %s\n", rg.Start.In(loc).Format(rotaClock), rg.End.In(loc).Format(rotaClock))
		return nil
	}
	return tw.Flush()
}

func leaveRemove(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("leave remove", stderr)
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"leave remove: want exactly one leave ID (see entretien leave list)"}
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Sprintf("leave ID %q: not a positive number", sanitize.Line(pos[0]))}
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	me, err := whoAmI(ctx, st)
	if err != nil {
		return err
	}
	loc, err := rotaZone(ctx, st, "")
	if err != nil {
		return err
	}
	was, err := st.Leave(ctx, id)
	if err != nil {
		return inputErr(err)
	}
	if err := st.RemoveLeave(ctx, me.Handle, id); err != nil {
		return inputErr(err)
	}
	// Read it back to say which happened: deleted, or cut short at now.
	l, err := st.Leave(ctx, id)
	switch {
	case errors.Is(err, oncall.ErrNotFound):
		fmt.Fprintf(stdout, "removed leave #%d of %s (%s to %s)\n", id, sanitize.Line(was.Member), was.Start.In(loc).Format(rotaClock), was.End.In(loc).Format(rotaClock))
	case err != nil:
		return err
	default:
		fmt.Fprintf(stdout, "leave #%d of %s was under way: it now ends %s (the days taken stay)\n", id, sanitize.Line(l.Member), l.End.In(loc).Format(rotaClock))
	}
	return nil
}
