package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

func init() {
	commands["member"] = command{summary: "members: add --handle --name --tz [--os-user U] [--available W], list, available HANDLE [W]...", run: runMember}
}

const memberUsage = `usage:
  entretien member add --handle H --name NAME --tz ZONE [--contact C] [--os-user U]... [--available "DAYS HH:MM-HH:MM"]...
  entretien member list
  entretien member available HANDLE ["DAYS HH:MM-HH:MM"]...   replace the windows (none: always available)
--os-user: the OS accounts that act as this member (identity is the OS user running entretien).
--available: when the member can be reached, in their zone, e.g. "daily 08:00-22:00" (not nights)
or "weekends"; none means always.`

// rotaStrings is a repeatable string flag.
type rotaStrings []string

func (l *rotaStrings) String() string     { return strings.Join(*l, ",") }
func (l *rotaStrings) Set(s string) error { *l = append(*l, s); return nil }

func runMember(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"member: want a subcommand\n" + memberUsage}
	}
	switch args[0] {
	case "add":
		return memberAdd(args[1:], stdout, stderr)
	case "list":
		return memberList(args[1:], stdout, stderr)
	case "available":
		return memberAvailable(args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("member: unknown subcommand %q\n%s", args[0], memberUsage)}
}

func memberAdd(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("member add", stderr)
	var m oncall.Member
	var users, avail rotaStrings
	fs.StringVar(&m.Handle, "handle", "", "short handle, [a-z][a-z0-9_-]*")
	fs.StringVar(&m.Name, "name", "", "display name")
	fs.StringVar(&m.TZ, "tz", "", "IANA time zone")
	fs.StringVar(&m.Contact, "contact", "", "how to reach them")
	fs.Var(&users, "os-user", "an OS account of this member (repeatable)")
	fs.Var(&avail, "available", `an availability window, e.g. "daily 08:00-22:00" (repeatable)`)
	if err := parseNoArgs("member add", fs, c, args); err != nil {
		return err
	}
	m.OSUsers = users
	// Every input is checked before the first write: nothing is written on bad input.
	var ws []oncall.Window
	for _, a := range avail {
		w, err := oncall.ParseWindow(a)
		if err != nil {
			return inputErr(err)
		}
		ws = append(ws, w)
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	added, err := st.AddMember(ctx, m)
	if err != nil {
		return inputErr(err)
	}
	if len(ws) > 0 {
		if err := st.SetAvailability(ctx, added.Handle, ws); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "added %s (%s, %s)\n", sanitize.Line(added.Handle), sanitize.Line(added.Name), added.TZ)
	return nil
}

func memberList(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("member list", stderr)
	if err := parseNoArgs("member list", fs, c, args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	ms, err := st.Members(ctx)
	if err != nil {
		return err
	}
	avail, err := st.Availability(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "HANDLE\tNAME\tTZ\tOS USERS\tAVAILABLE\tCONTACT\t")
	for _, m := range ms {
		av := "always"
		if ws := avail[m.Handle]; len(ws) > 0 {
			var parts []string
			for _, w := range ws {
				parts = append(parts, w.String())
			}
			av = strings.Join(parts, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", sanitize.Line(m.Handle), sanitize.Line(m.Name), sanitize.Line(m.TZ),
			sanitize.Line(strings.Join(m.OSUsers, ",")), av, sanitize.Line(m.Contact))
	}
	return tw.Flush()
}

// memberAvailable replaces a member's availability windows: availability
// changes (a new job, a baby) and should not need a new member.
func memberAvailable(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("member available", stderr)
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"member available: want HANDLE and the windows (none: always available)\n" + memberUsage}
	}
	var ws []oncall.Window
	for _, a := range pos[1:] {
		w, err := oncall.ParseWindow(a)
		if err != nil {
			return inputErr(err)
		}
		ws = append(ws, w)
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Member(ctx, pos[0]); err != nil {
		return inputErr(err)
	}
	if err := st.SetAvailability(ctx, pos[0], ws); err != nil {
		return inputErr(err)
	}
	say := "always available"
	if len(ws) > 0 {
		var parts []string
		for _, w := range ws {
			parts = append(parts, w.String())
		}
		say = "available " + strings.Join(parts, "; ")
	}
	fmt.Fprintf(stdout, "%s is %s\n", sanitize.Line(pos[0]), say)
	return nil
}
