package main

import (
	"context"
	"flag"
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
	commands["override"] = command{summary: "covers: add --rotation --covering --covered --from --to, swap, list, accept ID, decline ID", run: runOverride}
}

const overrideUsage = `usage:
  entretien override add --rotation R --covering X --covered Y --from T --to T [--note TEXT] [--tz ZONE]
  entretien override swap --rotation R [--for A] --with B --shift T --their-shift T [--note TEXT] [--tz ZONE]
                                     A (you by default) and B trade the shifts holding those times
  entretien override list [--from T] [--to T]
  entretien override accept ID       give your consent (as the member covering or covered)
  entretien override decline ID      decline a proposal (or cancel your own, or a confirmed one not started)
You are the OS user running entretien. A cover applies once both X and Y agreed; proposing as X or Y
is that member's consent. TIME as for "entretien rota", in --tz (default: the rotation's zone).`

func runOverride(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"override: want a subcommand\n" + overrideUsage}
	}
	switch args[0] {
	case "add":
		return overrideAdd(args[1:], stdout, stderr)
	case "swap":
		return overrideSwap(args[1:], stdout, stderr)
	case "list":
		return overrideList(args[1:], stdout, stderr)
	case "accept", "decline":
		return overrideDecide(args[0], args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("override: unknown subcommand %q\n%s", args[0], overrideUsage)}
}

func overrideAdd(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("override add", stderr)
	var req oncall.OverrideRequest
	fs.StringVar(&req.Rotation, "rotation", "", "rotation name")
	fs.StringVar(&req.Covering, "covering", "", "member taking the pager")
	fs.StringVar(&req.Covered, "covered", "", "member giving it")
	from := fs.String("from", "", "start")
	to := fs.String("to", "", "end (a date includes that day)")
	fs.StringVar(&req.Note, "note", "", "why, for the other member")
	tz := fs.String("tz", "", "zone for --from and --to (default: the rotation's)")
	ctx := context.Background()
	st, loc, err := openForRotation(ctx, "override add", fs, c, args, &req.Rotation, tz,
		flagRef{"--covering", &req.Covering}, flagRef{"--covered", &req.Covered}, flagRef{"--from", from}, flagRef{"--to", to})
	if err != nil {
		return err
	}
	defer st.Close()
	rg, err := oncall.ParseRange("--from", *from, "--to", *to, loc, time.Now())
	if err != nil {
		return inputErr(err)
	}
	req.Start, req.End = rg.Start, rg.End
	me, err := whoAmI(ctx, st)
	if err != nil {
		return err
	}
	o, err := st.ProposeOverride(ctx, me.Handle, req)
	if err != nil {
		return inputErr(err)
	}
	fmt.Fprintf(stdout, "override #%d: %s covers %s on %s, %s to %s; waiting for %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered),
		sanitize.Line(o.Rotation), o.Start.In(loc).Format(rotaClock), o.End.In(loc).Format(rotaClock), sanitize.Line(strings.Join(o.AwaitingFrom(), " and ")))
	return nil
}

// flagRef is a required flag: its name and where its value lands.
type flagRef struct {
	name string
	v    *string
}

// openForRotation parses a rotation command's flags (no arguments), checks
// the required ones, opens the store and returns it with the zone times are
// read in: tz, else the rotation's. The caller closes the store.
func openForRotation(ctx context.Context, name string, fs *flag.FlagSet, c *config, args []string, rotation, tz *string, required ...flagRef) (*oncall.Store, *time.Location, error) {
	if err := parseNoArgs(name, fs, c, args); err != nil {
		return nil, nil, err
	}
	for _, f := range append([]flagRef{{"--rotation", rotation}}, required...) {
		if *f.v == "" {
			return nil, nil, usageError{fmt.Sprintf("%s: %s is required\n%s", name, f.name, overrideUsage)}
		}
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	r, err := st.Rotation(ctx, *rotation)
	if err != nil {
		st.Close()
		return nil, nil, inputErr(err)
	}
	zone := *tz
	if zone == "" {
		zone = r.TZ
	}
	loc, err := rotaZone(ctx, st, zone)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, loc, nil
}

func overrideSwap(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("override swap", stderr)
	var req oncall.SwapRequest
	fs.StringVar(&req.Rotation, "rotation", "", "rotation name")
	fs.StringVar(&req.For, "for", "", "member giving the first shift (default: you)")
	fs.StringVar(&req.With, "with", "", "member giving the second shift")
	shift := fs.String("shift", "", "a time inside the first shift")
	theirs := fs.String("their-shift", "", "a time inside the second shift")
	fs.StringVar(&req.Note, "note", "", "why, for the others")
	tz := fs.String("tz", "", "zone for --shift and --their-shift (default: the rotation's)")
	ctx := context.Background()
	st, loc, err := openForRotation(ctx, "override swap", fs, c, args, &req.Rotation, tz,
		flagRef{"--with", &req.With}, flagRef{"--shift", shift}, flagRef{"--their-shift", theirs})
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	if req.Mine, _, err = oncall.ParseTime("--shift", *shift, loc, now); err != nil {
		return inputErr(err)
	}
	if req.Theirs, _, err = oncall.ParseTime("--their-shift", *theirs, loc, now); err != nil {
		return inputErr(err)
	}
	me, err := whoAmI(ctx, st)
	if err != nil {
		return err
	}
	os, err := st.ProposeSwap(ctx, me.Handle, req)
	if err != nil {
		return inputErr(err)
	}
	for _, o := range os {
		fmt.Fprintf(stdout, "override #%d: %s covers %s on %s, %s to %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered),
			sanitize.Line(o.Rotation), o.Start.In(loc).Format(rotaClock), o.End.In(loc).Format(rotaClock))
	}
	fmt.Fprintf(stdout, "swap #%d proposed; waiting for %s\n", os[0].SwapID, sanitize.Line(strings.Join(oncall.AwaitingAll(os), " and ")))
	return nil
}

func overrideList(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("override list", stderr)
	p := periodFlags(fs, "-1w", "+13w")
	ctx := context.Background()
	st, loc, rg, err := openPeriod(ctx, "override list", fs, c, args, p)
	if err != nil {
		return err
	}
	defer st.Close()
	os, err := st.Overrides(ctx, rg.Start, rg.End)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROTATION\tCOVERING\tCOVERED\tFROM\tTO\tSTATUS\tPROPOSED BY\t")
	for _, o := range os {
		status := string(o.Status)
		if aw := o.AwaitingFrom(); len(aw) > 0 {
			status += ", waiting for " + strings.Join(aw, " and ")
		}
		if o.ClosedBy != "" {
			status += " by " + o.ClosedBy
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", o.ID, sanitize.Line(o.Rotation), sanitize.Line(o.Covering), sanitize.Line(o.Covered),
			o.Start.In(loc).Format(rotaClock), o.End.In(loc).Format(rotaClock), sanitize.Line(status), sanitize.Line(o.ProposedBy))
	}
	return tw.Flush()
}

func overrideDecide(verb string, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("override "+verb, stderr)
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{fmt.Sprintf("override %s: want exactly one override ID", verb)}
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Sprintf("override ID %q: not a positive number", pos[0])}
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
	var got []oncall.Override
	if verb == "accept" {
		got, err = st.ConfirmOverride(ctx, me.Handle, id)
	} else {
		got, err = st.WithdrawOverride(ctx, me.Handle, id)
	}
	if err != nil {
		return inputErr(err)
	}
	for _, o := range got {
		fmt.Fprintf(stdout, "override #%d (%s covers %s): %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered), o.Status)
	}
	return nil
}
