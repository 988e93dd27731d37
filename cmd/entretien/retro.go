package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/retromd"
)

func (a *app) retroCmd() *cobra.Command {
	return group("retro", "write an incident's retro, track its actions, export it as Markdown",
		a.retroShowCmd(), a.retroExportCmd(), a.retroAddCmd(), a.retroRemoveCmd(), a.retroActionCmd(), a.retroActionSetCmd(), a.retroActionsCmd())
}

func (a *app) retroShowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "show INCIDENT",
		Short:       "an incident's retro: key moments, impact, timeline, notes, actions, care",
		Args:        exactArgs("retro show", 1, "INCIDENT"),
		Annotations: needsStore(),
	}
	asJSON := jsonFlag(c)
	a.completeIncidents(c, 1)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("incident", args[0])
		if err != nil {
			return err
		}
		r, err := a.st.Retro(cmd.Context(), id)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, retroJSON(r))
		}
		printRetro(a.stdout, r)
		return nil
	}
	return c
}

func printRetro(stdout io.Writer, r oncall.Retro) {
	inc := r.Incident
	fmt.Fprintf(stdout, "Retro of #%d sev%d %s: %s\n", inc.ID, inc.Severity, inc.Status, sanitize.Line(inc.Title))
	if r.Ongoing {
		fmt.Fprintln(stdout, "(draft: the incident is not resolved yet)")
	}
	fmt.Fprintln(stdout, "\nKey moments (UTC)")
	for _, m := range r.Moments {
		fmt.Fprintf(stdout, "  %-13s %s  %s\n", m.Name, m.At.UTC().Format("2006-01-02 15:04:05"), sanitize.Line(m.By))
	}
	for _, p := range r.Phases {
		fmt.Fprintf(stdout, "  %s → %s: %s\n", p.From, p.To, retromd.Duration(p.D))
	}
	fmt.Fprintf(stdout, "\nImpact: %s for %s\n", sanitize.Line(strings.Join(append(append([]string{}, inc.Affects...), r.ImpactSites...), ", ")), retromd.Duration(r.ImpactFor))
	printNotes(stdout, "", r.Impact)
	fmt.Fprintln(stdout, "\nTimeline (UTC)")
	for _, it := range r.Timeline {
		fmt.Fprintln(stdout, "  "+timelineLine(it))
	}
	for _, s := range []struct {
		title string
		notes []oncall.RetroNote
	}{{"Summary", r.Summary}, {"Contributing factors", r.Factors}, {"What went well", r.WentWell}, {"What was hard", r.WasHard}} {
		fmt.Fprintf(stdout, "\n%s\n", s.title)
		printNotes(stdout, "  (none yet)", s.notes)
	}
	fmt.Fprintln(stdout, "\nAction items")
	if len(r.Actions) == 0 {
		fmt.Fprintln(stdout, "  (none yet)")
	}
	for _, a := range r.Actions {
		fmt.Fprintln(stdout, "  "+actionLine(a))
	}
	fmt.Fprintln(stdout, "\nCare")
	for _, l := range careLines(r.Care) {
		fmt.Fprintln(stdout, "  "+l)
	}
}

// careLines writes the care section as plain lines.
func careLines(c oncall.Care) []string {
	out := []string{fmt.Sprintf("noticed by %s at %s UTC", sanitize.Line(c.NoticedBy), c.NoticedAt.UTC().Format("15:04"))}
	if len(c.LedBy) > 0 {
		out = append(out, "led by "+sanitize.Line(strings.Join(c.LedBy, ", then ")))
	}
	for _, p := range c.People {
		l := fmt.Sprintf("%s: %d entries, %s–%s UTC", sanitize.Line(p.Member), p.Entries, p.First.UTC().Format("15:04"), p.Last.UTC().Format("15:04"))
		if p.Night > 0 {
			l += fmt.Sprintf(", %d at night in %s", p.Night, sanitize.Line(p.TZ))
		}
		if p.OffCall > 0 {
			l += fmt.Sprintf(", %d while not on call", p.OffCall)
		}
		out = append(out, l)
	}
	if len(c.JournalBy) > 0 {
		out = append(out, "journal written by "+sanitize.Line(strings.Join(c.JournalBy, ", ")))
	}
	if len(c.RetroBy) > 0 {
		out = append(out, "retro written by "+sanitize.Line(strings.Join(c.RetroBy, ", ")))
	}
	return out
}

func printNotes(w io.Writer, none string, ns []oncall.RetroNote) {
	if len(ns) == 0 && none != "" {
		fmt.Fprintln(w, none)
	}
	for _, n := range ns {
		fmt.Fprintf(w, "  - %s  (%s, note %d)\n", sanitize.Line(n.Text), sanitize.Line(n.Author), n.ID)
	}
}

func actionLine(a oncall.ActionItem) string {
	owner, due := a.Owner, a.Due
	if owner == "" {
		owner = "nobody yet"
	}
	if due == "" {
		due = "no date"
	}
	line := fmt.Sprintf("#%d [%s] %s — %s, %s (incident #%d)", a.ID, a.State, sanitize.Line(a.Title), sanitize.Line(owner), due, a.IncidentID)
	if a.ClosedBy != "" {
		line += fmt.Sprintf(", closed by %s %s", sanitize.Line(a.ClosedBy), a.ClosedAt.UTC().Format("2006-01-02 15:04Z"))
	}
	return line
}

func (a *app) retroExportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "export INCIDENT [-o FILE.md]",
		Short:       "the retro as Markdown: summary, impact, UTC timeline, factors, actions",
		Args:        exactArgs("retro export", 1, "INCIDENT"),
		Annotations: needsStore(),
	}
	output := outputFlag(c, "the Markdown")
	a.completeIncidents(c, 1)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("incident", args[0])
		if err != nil {
			return err
		}
		r, err := a.st.Retro(cmd.Context(), id)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := retromd.Write(&buf, r); err != nil {
			return err
		}
		return a.emit(*output, buf.Bytes(), 0o644)
	}
	return c
}

func (a *app) retroAddCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "add INCIDENT summary|impact|factor|well|hard [--] TEXT",
		Short:       "add a note to a section of the retro",
		Args:        minArgs("retro add", 3, "INCIDENT, SECTION and TEXT"),
		Annotations: needsStore(),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return a.incidentCompletions(cmd)
			}
			if len(args) == 1 {
				return []string{"summary", "impact", "factor", "well", "hard"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("incident", args[0])
		if err != nil {
			return err
		}
		sec, err := oncall.ParseSection(args[1])
		if err != nil {
			return err
		}
		me, err := a.me(cmd.Context())
		if err != nil {
			return err
		}
		n, err := a.st.AddRetroNote(cmd.Context(), id, me.Handle, sec, strings.Join(args[2:], " "))
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "note %d added to the %s of incident #%d's retro\n", n.ID, sec, id)
		return nil
	}
	return c
}

func (a *app) retroRemoveCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "remove NOTE",
		Short:       "remove a retro note",
		Args:        exactArgs("retro remove", 1, "NOTE"),
		Annotations: needsStore(),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("note", args[0])
		if err != nil {
			return err
		}
		if _, err := a.me(cmd.Context()); err != nil {
			return err
		}
		if err := a.st.RemoveRetroNote(cmd.Context(), id); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "note %d removed\n", id)
		return nil
	}
	return c
}

func (a *app) retroActionCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "action INCIDENT TITLE [--owner MEMBER] [--due YYYY-MM-DD]",
		Short:       "add an action item to an incident's retro",
		Args:        minArgs("retro action", 2, "INCIDENT and TITLE"),
		Annotations: needsStore(),
	}
	owner := c.Flags().String("owner", "", "member who takes it")
	due := c.Flags().String("due", "", "due date YYYY-MM-DD")
	a.completeIncidents(c, 1)
	a.completeMembers(c, "owner")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("incident", args[0])
		if err != nil {
			return err
		}
		me, err := a.me(cmd.Context())
		if err != nil {
			return err
		}
		it, err := a.st.AddAction(cmd.Context(), id, me.Handle, oncall.NewAction{Title: strings.Join(args[1:], " "), Owner: *owner, Due: *due})
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, "added "+actionLine(it))
		return nil
	}
	return c
}

func (a *app) retroActionSetCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "action-set ACTION open|doing|done|dropped [--owner MEMBER] [--due YYYY-MM-DD]",
		Short:       "change an action item's state, owner or due date",
		Args:        exactArgs("retro action-set", 2, "ACTION and STATE"),
		Annotations: needsStore(),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 1 {
				return []string{"open", "doing", "done", "dropped"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	owner := c.Flags().String("owner", "", `member who takes it ("" for nobody)`)
	due := c.Flags().String("due", "", `due date YYYY-MM-DD ("" for none)`)
	a.completeMembers(c, "owner")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("action", args[0])
		if err != nil {
			return err
		}
		state, err := oncall.ParseActionState(args[1])
		if err != nil {
			return err
		}
		me, err := a.me(cmd.Context())
		if err != nil {
			return err
		}
		it, err := a.st.UpdateAction(cmd.Context(), id, me.Handle, state, changed(cmd, "owner", owner), changed(cmd, "due", due))
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, actionLine(it))
		return nil
	}
	return c
}

// changed is a flag's value when it was given at all, else nil ("" given
// means "clear it").
func changed(cmd *cobra.Command, name string, v *string) *string {
	if !cmd.Flags().Changed(name) {
		return nil
	}
	return v
}

func (a *app) retroActionsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "actions [--all]",
		Short:       "pending action items of every incident",
		Args:        noArgs("retro actions"),
		Annotations: needsStore(),
	}
	all := c.Flags().Bool("all", false, "done and dropped ones too")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		as, err := a.st.Actions(cmd.Context(), oncall.ActionFilter{PendingOnly: !*all})
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, listOf(as, actionOf))
		}
		if len(as) == 0 {
			fmt.Fprintln(a.stdout, "no action item")
		}
		for _, it := range as {
			fmt.Fprintln(a.stdout, actionLine(it))
		}
		return nil
	}
	return c
}
