package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

func init() {
	commands["rota"] = command{summary: "the on-call rota: now, next, show --from --to, ical [--member X]", run: runRota}
}

const rotaUsage = `usage:
  entretien rota now  [--at TIME]                  who is on call in every rotation (exit 0), with handoff notes
  entretien rota next [--count N]                  the next handoffs of every rotation
  entretien rota show [--from T] [--to T] [--tz Z] the schedule: shifts, gaps, leave conflicts, pending proposals
  entretien rota ical [--member X] [--from T] [--to T] [--output FILE]
                                       an RFC 5545 feed on stdout, or replacing FILE whole
                                       (for cron and a web server members subscribe to)
TIME: now, today, tomorrow, +3d, -12h, 2026-03-23, "2026-03-23 10:00" or RFC 3339, in --tz
(default: your member's zone, else UTC); a date-only --to includes that day.`

func runRota(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"rota: want a subcommand\n" + rotaUsage}
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "now":
		return rotaNow(args, stdout, stderr)
	case "next":
		return rotaNext(args, stdout, stderr)
	case "show":
		return rotaShow(args, stdout, stderr)
	case "ical":
		return rotaICal(args, stdout, stderr)
	}
	return usageError{fmt.Sprintf("rota: unknown subcommand %q\n%s", sub, rotaUsage)}
}

// rotaZone is --tz, else the running member's zone, else UTC.
func rotaZone(ctx context.Context, st *oncall.Store, tz string) (*time.Location, error) {
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
		return nil, usageError{fmt.Sprintf("--tz %q: unknown time zone (want an IANA name such as Europe/Paris)", tz)}
	}
	return loc, nil
}

// period is the --from/--to/--tz of the commands that list a stretch of
// time (rota show, override list, leave list).
type period struct{ from, to, tz *string }

func periodFlags(fs *flag.FlagSet, from, to string) period {
	return period{
		from: fs.String("from", from, "start of the range"),
		to:   fs.String("to", to, "end of the range (a date includes that day)"),
		tz:   fs.String("tz", "", "zone for the times (default: your member's, else UTC)"),
	}
}

// openPeriod parses a command that takes no argument but its flags, opens
// the store and reads the period in --tz. The caller closes the store.
func openPeriod(ctx context.Context, name string, fs *flag.FlagSet, c *config, args []string, p period) (*oncall.Store, *time.Location, oncall.Range, error) {
	if err := parseNoArgs(name, fs, c, args); err != nil {
		return nil, nil, oncall.Range{}, err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, oncall.Range{}, err
	}
	loc, err := rotaZone(ctx, st, *p.tz)
	if err == nil {
		var rg oncall.Range
		if rg, err = oncall.ParseRange("--from", *p.from, "--to", *p.to, loc, time.Now()); err == nil {
			return st, loc, rg, nil
		}
		err = inputErr(err)
	}
	st.Close()
	return nil, nil, oncall.Range{}, err
}

const rotaClock = "Mon 02 Jan 15:04 MST"

func rotaNow(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("rota now", stderr)
	at := fs.String("at", "now", "the instant to ask about")
	tz := fs.String("tz", "", "zone for --at and the output")
	if err := parseNoArgs("rota now", fs, c, args); err != nil {
		return err
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
	t, _, err := oncall.ParseTime("--at", *at, loc, time.Now())
	if err != nil {
		return inputErr(err)
	}
	ocs, err := st.OnCallAt(ctx, t)
	if err != nil {
		return err
	}
	if len(ocs) == 0 {
		fmt.Fprintln(stdout, "no rotation yet (entretien rotation create, or rotation apply FILE)")
		return nil
	}
	for _, oc := range ocs {
		name := sanitize.Line(oc.Rotation.Name)
		if !oc.HasNow {
			fmt.Fprintf(stdout, "%s: nobody yet; %s from %s\n", name, sanitize.Line(oc.Next.Member), oc.Next.Start.In(loc).Format(rotaClock))
			continue
		}
		who := sanitize.Line(oc.Now.Member)
		if oc.Now.Covers != "" {
			who += " (covering " + sanitize.Line(oc.Now.Covers) + ")"
		}
		fmt.Fprintf(stdout, "%s: %s until %s, then %s\n", name, who, oc.Now.End.In(loc).Format(rotaClock), sanitize.Line(oc.Next.Member))
		for _, n := range oc.Notes {
			fmt.Fprintf(stdout, "  handoff note from %s (%s):\n", sanitize.Line(n.Author), n.WrittenAt.In(loc).Format(rotaClock))
			for _, l := range strings.Split(sanitize.Text(n.Text), "\n") {
				fmt.Fprintln(stdout, "    "+l)
			}
		}
		for _, n := range oc.NextNotes {
			fmt.Fprintf(stdout, "  note for the next handoff from %s: %s\n", sanitize.Line(n.Author), sanitize.Line(strings.ReplaceAll(n.Text, "\n", " / ")))
		}
	}
	return nil
}

func rotaNext(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("rota next", stderr)
	n := fs.Int("count", 3, "handoffs per rotation")
	tz := fs.String("tz", "", "zone for the output")
	if err := parseNoArgs("rota next", fs, c, args); err != nil {
		return err
	}
	if *n < 1 || *n > 100 {
		return usageError{fmt.Sprintf("--count %d: want 1 to 100", *n)}
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
	now := time.Now()
	sch, err := st.Schedule(ctx, now, now.Add(366*24*time.Hour))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ROTATION\tHANDOFF\tTO\t")
	for _, r := range sch {
		k := 0
		for i, sh := range r.Shifts {
			if !sh.Start.After(now) || (i > 0 && r.Shifts[i-1].Member == sh.Member) {
				continue
			}
			to := sanitize.Line(sh.Member)
			if sh.Covers != "" {
				to += " (covering " + sanitize.Line(sh.Covers) + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", sanitize.Line(r.Rotation.Name), sh.Start.In(loc).Format(rotaClock), to)
			if k++; k == *n {
				break
			}
		}
	}
	return tw.Flush()
}

func rotaShow(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("rota show", stderr)
	p := periodFlags(fs, "now", "+4w")
	ctx := context.Background()
	st, loc, rg, err := openPeriod(ctx, "rota show", fs, c, args, p)
	if err != nil {
		return err
	}
	defer st.Close()
	sch, err := st.Schedule(ctx, rg.Start, rg.End)
	if err != nil {
		return inputErr(err)
	}
	for i, r := range sch {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "%s (%s, %s)\n", sanitize.Line(r.Rotation.Name), r.Rotation.Every(), r.Rotation.TZ)
		tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
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
			fmt.Fprintf(stdout, "  CONFLICT %s %s %s to %s\n", sanitize.Line(c.Member), c.Kind, c.Start.In(loc).Format(rotaClock), c.End.In(loc).Format(rotaClock))
		}
		for _, g := range r.Gaps {
			fmt.Fprintf(stdout, "  GAP %s to %s: %s\n", g.Start.In(loc).Format(rotaClock), g.End.In(loc).Format(rotaClock), sanitize.Line(g.Reason))
		}
		for _, o := range r.Pending {
			fmt.Fprintf(stdout, "  PROPOSED #%d %s covers %s %s to %s, waiting for %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered),
				o.Start.In(loc).Format(rotaClock), o.End.In(loc).Format(rotaClock), sanitize.Line(strings.Join(o.AwaitingFrom(), " and ")))
		}
	}
	if len(sch) == 0 {
		fmt.Fprintln(stdout, "no rotation yet")
	}
	return nil
}

func rotaICal(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("rota ical", stderr)
	member := fs.String("member", "", "only this member's shifts")
	from := fs.String("from", "-1w", "start of the feed")
	to := fs.String("to", "+13w", "end of the feed")
	output := fs.String("output", "", "write the feed to this file (atomically: readers never see half a feed)")
	if err := parseNoArgs("rota ical", fs, c, args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	rg, err := oncall.ParseRange("--from", *from, "--to", *to, time.UTC, time.Now())
	if err != nil {
		return inputErr(err)
	}
	if *output == "" {
		return inputErr(st.ICal(ctx, stdout, *member, rg.Start, rg.End))
	}
	var feed bytes.Buffer
	if err := st.ICal(ctx, &feed, *member, rg.Start, rg.End); err != nil {
		return inputErr(err)
	}
	if err := replaceFile(*output, feed.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", sanitize.Line(*output), feed.Len())
	return nil
}

// replaceFile writes data to a temporary file next to path, syncs it and
// renames it over path, so a web server serving path never sends a half
// feed; on error path is left as it was.
func replaceFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
