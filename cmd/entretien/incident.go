package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

func (a *app) incidentCmd() *cobra.Command {
	return group("incident", "open, note, acknowledge, resolve and list incidents",
		a.incidentOpenCmd(), a.incidentListCmd(), a.incidentShowCmd(), a.incidentNoteCmd(),
		a.statusCmd("ack", oncall.StatusAcknowledged), a.statusCmd("mitigate", oncall.StatusMitigated), a.statusCmd("resolve", oncall.StatusResolved),
		a.incidentStatusCmd(), a.incidentRoleCmd())
}

func (a *app) incidentOpenCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "open --sev 1..3 --title TITLE [--affects job/X,service/Y,site/Z,node/N]",
		Short:       "open an incident (you are its first author)",
		Annotations: needsStore(),
	}
	sev := c.Flags().Int("sev", 0, "severity, 1 (worst) to 3")
	title := c.Flags().String("title", "", "what is wrong, in one line (or the words after the flags)")
	affects := c.Flags().StringSlice("affects", nil, "affected objects: job/X, service/X, site/X, node/X (repeat or comma-separate)")
	c.MarkFlagRequired("sev")
	c.Args = func(cmd *cobra.Command, args []string) error {
		if *title != "" && len(args) > 0 {
			return usagef("incident open: want only flags, got %d argument(s)", len(args))
		}
		return nil
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if *title == "" {
			*title = strings.Join(args, " ")
		}
		me, err := a.me(cmd.Context())
		if err != nil {
			return err
		}
		inc, err := a.st.OpenIncident(cmd.Context(), me.Handle, oncall.NewIncident{Title: *title, Severity: *sev, Affects: trimList(*affects)})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "opened incident #%d (sev%d): %s\n", inc.ID, inc.Severity, sanitize.Line(inc.Title))
		return nil
	}
	return c
}

func trimList(l []string) []string {
	var out []string
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (a *app) incidentListCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "list [--open]",
		Short:       "every incident, newest first",
		Args:        noArgs("incident list"),
		Annotations: needsStore(),
	}
	open := c.Flags().Bool("open", false, "only incidents not yet resolved")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		incs, err := a.st.Incidents(cmd.Context(), oncall.IncidentFilter{OpenOnly: *open})
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, listOf(incs, incidentOf))
		}
		if len(incs) == 0 {
			fmt.Fprintln(a.stdout, "no incident")
			return nil
		}
		fmt.Fprintf(a.stdout, "%-5s %-4s %-12s %-20s %s\n", "ID", "SEV", "STATUS", "OPENED (UTC)", "TITLE")
		for _, in := range incs {
			fmt.Fprintf(a.stdout, "#%-4d sev%d %-12s %-20s %s\n", in.ID, in.Severity, in.Status,
				in.OpenedAt.UTC().Format("2006-01-02 15:04"), sanitize.Line(in.Title))
		}
		return nil
	}
	return c
}

func (a *app) incidentShowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "show ID",
		Short:       "an incident and its timeline (UTC)",
		Args:        exactArgs("incident show", 1, "ID"),
		Annotations: needsStore(),
	}
	asJSON := jsonFlag(c)
	a.completeIncidents(c, 1)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("incident", args[0])
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		inc, err := a.st.Incident(ctx, id)
		if err != nil {
			return err
		}
		es, err := a.st.Entries(ctx, id)
		if err != nil {
			return err
		}
		roles, err := a.st.Roles(ctx, id)
		if err != nil {
			return err
		}
		tl := oncall.MergeTimeline(es, roles)
		if *asJSON {
			return writeJSON(a.stdout, incidentDoc{incidentJSON: incidentOf(inc), Timeline: timelineOf(tl)})
		}
		fmt.Fprintf(a.stdout, "#%d sev%d %s: %s\naffects %s; opened %s UTC by %s\n\n", inc.ID, inc.Severity, inc.Status,
			sanitize.Line(inc.Title), sanitize.Line(strings.Join(inc.Affects, ", ")), inc.OpenedAt.UTC().Format("2006-01-02 15:04:05"),
			sanitize.Line(inc.OpenedBy))
		for _, it := range tl {
			fmt.Fprintln(a.stdout, timelineLine(it))
		}
		return nil
	}
	return c
}

// timelineLine is one timeline row for a terminal: time UTC, who, kind, text.
func timelineLine(it oncall.TimelineItem) string {
	who := it.Who
	if who == "" {
		who = "cluster"
	}
	ref := ""
	if it.EntryID != 0 {
		ref = fmt.Sprintf("#%d ", it.EntryID)
	}
	if it.Amends != 0 {
		ref += fmt.Sprintf("(amends #%d) ", it.Amends)
	}
	return fmt.Sprintf("%s  %-8s %-11s %s%s", it.At.UTC().Format("2006-01-02 15:04:05"), sanitize.Line(who), it.Kind, ref, sanitize.Line(it.Text))
}

func (a *app) incidentNoteCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "note ID [--kind KIND] [--amends ENTRY] [--] TEXT",
		Short: "post an entry to an incident's journal",
		Long: `Post an entry to an incident's journal, as the member you are.

A TEXT starting with "-" must come after "--", or it is read as a flag:
  entretien incident note 3 -- "-5% disk after cleanup"
TEXT "-" reads the entry from stdin (up to 8 KiB).`,
		Args:        minArgs("incident note", 2, "ID and TEXT"),
		Annotations: needsStore(),
	}
	kind := c.Flags().String("kind", "observation", "observation, action, decision, question or handoff")
	amends := c.Flags().Int64("amends", 0, "the entry this one corrects")
	a.completeIncidents(c, 1)
	c.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions([]string{"observation", "action", "decision", "question", "handoff"}, cobra.ShellCompDirectiveNoFileComp))
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("incident", args[0])
		if err != nil {
			return err
		}
		text := strings.Join(args[1:], " ")
		if text == "-" {
			// Read at most one byte past the cap, so the store refuses it with its
			// own message instead of us reading a runaway pipe.
			b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), oncall.MaxEntryBytes+1))
			if err != nil {
				return err
			}
			text = strings.TrimRight(string(b), "\n")
		}
		k, err := oncall.ParseEntryKind(*kind)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		var e oncall.Entry
		if *amends != 0 {
			es, err := a.st.Entries(ctx, id)
			if err != nil {
				return err
			}
			found := false
			for _, x := range es {
				found = found || x.ID == *amends
			}
			if !found {
				return fmt.Errorf("incident note --amends %d: no such entry in incident #%d: %w", *amends, id, oncall.ErrNotFound)
			}
			e, err = a.st.AmendEntry(ctx, *amends, me.Handle, text)
		} else {
			e, err = a.st.AddEntry(ctx, id, me.Handle, k, text)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "entry #%d posted to incident #%d\n", e.ID, e.IncidentID)
		return nil
	}
	return c
}

func (a *app) statusCmd(verb string, to oncall.Status) *cobra.Command {
	c := &cobra.Command{
		Use:         verb + " ID",
		Short:       "set an incident " + string(to) + " (again: a no-op)",
		Args:        exactArgs("incident "+verb, 1, "ID"),
		Annotations: needsStore(),
	}
	a.completeIncidents(c, 1)
	c.RunE = func(cmd *cobra.Command, args []string) error { return a.setStatus(cmd, args[0], to) }
	return c
}

func (a *app) incidentStatusCmd() *cobra.Command {
	statuses := []string{"open", "acknowledged", "mitigated", "resolved", "reviewed"}
	c := &cobra.Command{
		Use:         "status ID open|acknowledged|mitigated|resolved|reviewed",
		Short:       "move an incident forward to a status (the current one: a no-op)",
		Args:        exactArgs("incident status", 2, "ID and STATUS"),
		Annotations: needsStore(),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return a.incidentCompletions(cmd)
			}
			if len(args) == 1 {
				return statuses, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		to, err := oncall.ParseStatus(args[1])
		if err != nil {
			return err
		}
		return a.setStatus(cmd, args[0], to)
	}
	return c
}

// setStatus moves an incident to status to. Asking for the status it
// already has succeeds and says so: a second `ack` from a member who missed
// the first is not a mistake.
func (a *app) setStatus(cmd *cobra.Command, idArg string, to oncall.Status) error {
	id, err := parseID("incident", idArg)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	me, err := a.me(ctx)
	if err != nil {
		return err
	}
	inc, err := a.st.Incident(ctx, id)
	if err != nil {
		return err
	}
	if inc.Status == to {
		fmt.Fprintf(a.stdout, "incident #%d is already %s\n", id, to)
		return nil
	}
	if err := a.st.SetStatus(ctx, id, me.Handle, to); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "incident #%d is %s\n", id, to)
	return nil
}

func (a *app) incidentRoleCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "role ID lead|scribe|helper [--leave] [--take-over]",
		Short:       "take (or leave) a role in an incident",
		Args:        exactArgs("incident role", 2, "ID and ROLE"),
		Annotations: needsStore(),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return a.incidentCompletions(cmd)
			}
			if len(args) == 1 {
				return []string{"lead", "scribe", "helper"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	leave := c.Flags().Bool("leave", false, "leave the role instead of taking it")
	takeOver := c.Flags().Bool("take-over", false, "take lead or scribe from whoever holds it")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("incident", args[0])
		if err != nil {
			return err
		}
		role, err := oncall.ParseRole(args[1])
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		if *leave {
			if _, err := a.st.LeaveRole(ctx, id, me.Handle, role); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s left %s of incident #%d\n", me.Handle, role, id)
			return nil
		}
		if _, err := a.st.TakeRole(ctx, id, me.Handle, role, *takeOver); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s is %s of incident #%d\n", me.Handle, role, id)
		return nil
	}
	return c
}
