package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

const memberHelp = `--os-user: the OS accounts that act as this member (identity is the OS user running entretien).
--available / WINDOW: when the member can be reached, in their zone, e.g. "daily 08:00-22:00"
(not nights) or "weekends"; none means always.`

func (a *app) memberCmd() *cobra.Command {
	c := group("member", "members: add, list, available, contact", a.memberAddCmd(), a.memberListCmd(), a.memberAvailableCmd(), a.memberContactCmd())
	c.Long = "The collective's members.\n\n" + memberHelp
	return c
}

func (a *app) memberAddCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         `add --handle H --name NAME --tz ZONE [--contact C] [--os-user U]... [--available "DAYS HH:MM-HH:MM"]...`,
		Short:       "add a member",
		Long:        "Add a member.\n\n" + memberHelp,
		Args:        noArgs("member add"),
		Annotations: needsStore(),
	}
	var m oncall.Member
	f := c.Flags()
	f.StringVar(&m.Handle, "handle", "", "short handle, [a-z][a-z0-9_-]*")
	f.StringVar(&m.Name, "name", "", "display name")
	f.StringVar(&m.TZ, "tz", "", "IANA time zone")
	f.StringVar(&m.Contact, "contact", "", "how to reach them")
	users := f.StringArray("os-user", nil, "an OS account of this member (repeatable)")
	avail := f.StringArray("available", nil, `an availability window, e.g. "daily 08:00-22:00" (repeatable)`)
	for _, n := range []string{"handle", "name", "tz"} {
		c.MarkFlagRequired(n)
	}
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		m.OSUsers = *users
		// Every input is checked before the first write: nothing is written on bad input.
		var ws []oncall.Window
		for _, s := range *avail {
			w, err := oncall.ParseWindow(s)
			if err != nil {
				return err
			}
			ws = append(ws, w)
		}
		added, err := a.st.AddMember(cmd.Context(), m)
		if err != nil {
			return err
		}
		if len(ws) > 0 {
			if err := a.st.SetAvailability(cmd.Context(), added.Handle, ws); err != nil {
				return err
			}
		}
		fmt.Fprintf(a.stdout, "added %s (%s, %s)\n", sanitize.Line(added.Handle), sanitize.Line(added.Name), sanitize.Line(added.TZ))
		return nil
	}
	return c
}

func (a *app) memberListCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "list",
		Short:       "every member, with zone, OS users, availability and contact",
		Args:        noArgs("member list"),
		Annotations: needsStore(),
	}
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ms, err := a.st.Members(cmd.Context())
		if err != nil {
			return err
		}
		avail, err := a.st.Availability(cmd.Context())
		if err != nil {
			return err
		}
		rows := []memberJSON{}
		for _, m := range ms {
			r := memberJSON{Handle: line(m.Handle), Name: line(m.Name), TimeZone: line(m.TZ), Contact: line(m.Contact), OSUsers: []string{}, Available: []string{}}
			for _, u := range m.OSUsers {
				r.OSUsers = append(r.OSUsers, line(u))
			}
			for _, w := range avail[m.Handle] {
				r.Available = append(r.Available, w.String())
			}
			rows = append(rows, r)
		}
		if *asJSON {
			return writeJSON(a.stdout, rows)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "HANDLE\tNAME\tTZ\tOS USERS\tAVAILABLE\tCONTACT\t")
		for _, r := range rows {
			av := "always"
			if len(r.Available) > 0 {
				av = strings.Join(r.Available, "; ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Handle, r.Name, r.TimeZone, strings.Join(r.OSUsers, ","), av, r.Contact)
		}
		return tw.Flush()
	}
	return c
}

// memberAvailable replaces a member's availability windows: availability
// changes (a new job, a baby) and should not need a new member.
func (a *app) memberAvailableCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         `available HANDLE ["DAYS HH:MM-HH:MM"]...`,
		Short:       "replace a member's availability windows (none: always available)",
		Long:        "Replace a member's availability windows (none: always available).\n\n" + memberHelp,
		Args:        minArgs("member available", 1, "HANDLE and the windows (none: always available)"),
		Annotations: needsStore(),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return a.memberCompletions(cmd)
			}
			return []string{"daily 08:00-22:00", "weekdays 09:00-18:00", "weekends"}, cobra.ShellCompDirectiveNoFileComp
		},
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		var ws []oncall.Window
		for _, s := range args[1:] {
			w, err := oncall.ParseWindow(s)
			if err != nil {
				return err
			}
			ws = append(ws, w)
		}
		ctx := cmd.Context()
		if _, err := a.st.Member(ctx, args[0]); err != nil {
			return err
		}
		if err := a.st.SetAvailability(ctx, args[0], ws); err != nil {
			return err
		}
		say := "always available"
		if len(ws) > 0 {
			var parts []string
			for _, w := range ws {
				parts = append(parts, w.String())
			}
			say = "available " + strings.Join(parts, "; ")
		}
		fmt.Fprintf(a.stdout, "%s is %s\n", sanitize.Line(args[0]), say)
		return nil
	}
	return c
}
