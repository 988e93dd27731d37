package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/paging"
)

const contactHelp = `Methods, tried in the order added until one delivers:
  email ADDRESS                 through the SMTP server of entretien watch (--smtp-addr)
  webhook URL [--preset ntfy]   an HTTP POST: ntfy (text body, Title/Priority/Tags headers) or json (the default)
  command /PATH                 a program run with ENTRETIEN_PAGE_ID, _MEMBER, _TITLE, _TEXT, _RESOLVED in its environment`

func (a *app) memberContactCmd() *cobra.Command {
	c := group("contact", "how a member is paged: add, list, remove, test", a.contactAddCmd(), a.contactListCmd(), a.contactRemoveCmd(), a.contactTestCmd())
	c.Long = "How a member is paged.\n\n" + contactHelp
	return c
}

func (a *app) contactAddCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "add HANDLE email|webhook|command TARGET [--preset ntfy|json]",
		Short:       "add a contact method after the member's others",
		Long:        "Add a contact method after the member's others.\n\n" + contactHelp,
		Args:        exactArgs("member contact add", 3, "HANDLE, a method and its TARGET"),
		Annotations: needsStore(),
	}
	preset := c.Flags().String("preset", "", "webhooks: ntfy or json (default json)")
	c.RegisterFlagCompletionFunc("preset", cobra.FixedCompletions([]string{"ntfy", "json"}, cobra.ShellCompDirectiveNoFileComp))
	a.completeMembers(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ct, err := a.st.AddContact(cmd.Context(), args[0], oncall.Contact{Method: args[1], Target: args[2], Preset: *preset})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "contact #%d of %s: %d. %s\n", ct.ID, line(ct.Member), ct.Position, contactText(ct))
		return nil
	}
	return c
}

func contactText(c oncall.Contact) string {
	s := c.Method + " " + line(c.Target)
	if c.Preset != "" {
		s += " (" + c.Preset + ")"
	}
	return s
}

type contactJSON struct {
	ID       int64      `json:"id"`
	Member   string     `json:"member"`
	Position int        `json:"position"`
	Method   string     `json:"method"`
	Target   string     `json:"target"`
	Preset   string     `json:"preset"`
	Created  *time.Time `json:"created_at"`
}

func (a *app) contactListCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "list [HANDLE]",
		Short:       "contact methods, in order, of every member or one",
		Args:        cobra.MaximumNArgs(1),
		Annotations: needsStore(),
	}
	asJSON := jsonFlag(c)
	a.completeMembers(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		all, err := a.st.Contacts(ctx)
		if err != nil {
			return err
		}
		ms, err := a.st.Members(ctx)
		if err != nil {
			return err
		}
		if len(args) == 1 {
			if _, err := a.st.Member(ctx, args[0]); err != nil {
				return err
			}
		}
		rows := []contactJSON{}
		for _, m := range ms {
			if len(args) == 1 && m.Handle != args[0] {
				continue
			}
			for _, ct := range all[m.Handle] {
				rows = append(rows, contactJSON{ID: ct.ID, Member: line(ct.Member), Position: ct.Position, Method: ct.Method,
					Target: line(ct.Target), Preset: ct.Preset, Created: utc(ct.CreatedAt)})
			}
		}
		if *asJSON {
			return writeJSON(a.stdout, rows)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tMEMBER\t#\tMETHOD\tTARGET\tPRESET\t")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t\n", r.ID, r.Member, r.Position, r.Method, r.Target, r.Preset)
		}
		return tw.Flush()
	}
	return c
}

func (a *app) contactRemoveCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "remove HANDLE ID",
		Short:       "remove one of a member's contact methods",
		Args:        exactArgs("member contact remove", 2, "HANDLE and a contact ID"),
		Annotations: needsStore(),
	}
	a.completeMembers(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("contact", args[1])
		if err != nil {
			return err
		}
		if _, err := a.st.Member(cmd.Context(), args[0]); err != nil {
			return err
		}
		if err := a.st.RemoveContact(cmd.Context(), args[0], id); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "removed contact #%d of %s\n", id, line(args[0]))
		return nil
	}
	return c
}

func (a *app) contactTestCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "test HANDLE [--smtp-addr HOST:PORT]",
		Short:       "send a test page through the member's contact methods, in order; exit 1 when none delivered",
		Args:        exactArgs("member contact test", 1, "exactly one HANDLE"),
		Annotations: needsStore(),
	}
	pf := addPagerFlags(c)
	a.completeMembers(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		p, err := pf.pager()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		m, err := a.st.Member(ctx, args[0])
		if err != nil {
			return err
		}
		all, err := a.st.Contacts(ctx)
		if err != nil {
			return err
		}
		cs := all[m.Handle]
		if len(cs) == 0 {
			return usagef("member %s has no contact method: add one with entretien member contact add", line(m.Handle))
		}
		msg := paging.Message{Member: m.Handle, Title: "TEST entretien page for " + line(m.Handle),
			Text: "This is a test page from entretien: nothing is down.\n"}
		ok := false
		for _, d := range p.Deliver(ctx, cs, msg) {
			if d.OK {
				ok = true
				fmt.Fprintf(a.stdout, "%s: delivered\n", d.Method)
			} else {
				fmt.Fprintf(a.stdout, "%s: failed (%s)\n", d.Method, line(d.Error))
			}
		}
		if !ok {
			return fmt.Errorf("no contact method of %s delivered the test page", line(m.Handle))
		}
		return nil
	}
	return c
}
