package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// entretien proposal: decisions taken together (README "Decisions").

func (a *app) proposalCmd() *cobra.Command {
	return group("proposal", "bring a change to the collective: proposals, positions, amendments, outcomes",
		a.proposalOpenCmd(), a.proposalListCmd(), a.proposalShowCmd(), a.proposalPositionCmd(), a.proposalImplyCmd(),
		a.proposalAmendCmd(), a.proposalWithdrawCmd(), a.proposalCloseCmd(), a.proposalDigestCmd())
}

// textOf joins the words of a TEXT argument; "-" reads stdin.
func textOf(cmd *cobra.Command, args []string) (string, error) {
	text := strings.Join(args, " ")
	if text != "-" {
		return text, nil
	}
	b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), oncall.MaxEntryBytes+1))
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\n"), nil
}

func (a *app) proposalOpenCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "open --title TITLE --driver WHY --affects service/X,site/S,node/N,rotation/R [--process consent|consensus] [--closes TIME] [--quorum N] [--incident ID] [--action-item ID] [--factor ID] [--no-cluster] [--] TEXT",
		Short: "open a proposal (you are its author); every member is told",
		Long: `Open a proposal, as the member you are: its title, its driver (the need or
problem, often an incident or a retro's factor), what it affects and the
proposal itself (TEXT; "-" reads stdin). Under consent (the default) it is
adopted once --closes has passed with no standing objection and the quorum
reached (default: half the members, rounded up); under consensus every member
who took part agrees. --closes defaults to a week from now.`,
		Args:        minArgs("proposal open", 1, "TEXT"),
		Annotations: needsStore(),
	}
	title := c.Flags().String("title", "", "the change, in one line")
	driver := c.Flags().String("driver", "", "why: the need or problem")
	affects := c.Flags().StringSlice("affects", nil, "service/X, site/S, node/N, rotation/R (repeat or comma-separate)")
	process := c.Flags().String("process", "consent", "consent or consensus")
	closes := c.Flags().String("closes", "+7d", "when positions close (TIME: +3d, 2026-12-20 18:00…)")
	quorum := c.Flags().Int("quorum", 0, "minimum positions (default: half the members, rounded up)")
	incident := c.Flags().Int64("incident", 0, "the incident it comes from")
	action := c.Flags().Int64("action-item", 0, "the retro action item it comes from")
	factor := c.Flags().Int64("factor", 0, "the retro's contributing factor (note id) it comes from")
	noCluster := c.Flags().Bool("no-cluster", false, "do not check the sites, nodes and services against the cluster")
	clusterWait := c.Flags().Duration("cluster-wait", 3*time.Second, "how long to wait for Nomad when checking what it affects")
	c.MarkFlagRequired("title")
	c.MarkFlagRequired("driver")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		text, err := textOf(cmd, args)
		if err != nil {
			return err
		}
		loc, err := rotaZone(ctx, a.st, "")
		if err != nil {
			return err
		}
		at, _, err := oncall.ParseTime("proposal.closes_at", *closes, loc, time.Now())
		if err != nil {
			return err
		}
		targets := trimList(*affects)
		if !*noCluster {
			if err := a.checkAffects(ctx, targets, *clusterWait); err != nil {
				return err
			}
		}
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		p, err := a.st.OpenProposal(ctx, me.Handle, oncall.NewProposal{Title: *title, Driver: *driver, Text: text,
			Affects: targets, Process: oncall.Process(*process), ClosesAt: at, Quorum: *quorum,
			IncidentID: *incident, ActionItemID: *action, FactorID: *factor})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "opened proposal #%d: %s (%s, closes %s)\n", p.ID, sanitize.Line(p.Title), p.Process, p.ClosesAt.In(loc).Format(rotaClock))
		return nil
	}
	return c
}

func (a *app) proposalListCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "list [--open]",
		Short:       "proposals, open ones first, with their state",
		Args:        noArgs("proposal list"),
		Annotations: needsStore(),
	}
	open := c.Flags().Bool("open", false, "only open proposals")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ps, err := a.st.Proposals(cmd.Context(), oncall.ProposalFilter{OpenOnly: *open})
		if err != nil {
			return err
		}
		now := time.Now()
		if *asJSON {
			return writeJSON(a.stdout, listOf(ps, func(p oncall.Proposal) proposalJSON { return proposalOf(p, now) }))
		}
		if len(ps) == 0 {
			fmt.Fprintln(a.stdout, "no proposal")
		}
		for _, p := range ps {
			fmt.Fprintf(a.stdout, "#%d %-9s %s — %s\n", p.ID, p.State, sanitize.Line(p.Title), p.StateLine(now))
		}
		return nil
	}
	return c
}

func (a *app) proposalShowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "show ID",
		Short:       "a proposal whole: text, implications, positions, outcome, history",
		Args:        exactArgs("proposal show", 1, "ID"),
		Annotations: needsStore(),
	}
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("proposal", args[0])
		if err != nil {
			return err
		}
		p, err := a.st.Proposal(cmd.Context(), id)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, proposalOf(p, time.Now()))
		}
		printProposal(a.stdout, p, time.Now())
		return nil
	}
	return c
}

func printProposal(w io.Writer, p oncall.Proposal, now time.Time) {
	fmt.Fprintf(w, "Proposal #%d %s: %s\n", p.ID, p.State.Words(), sanitize.Line(p.Title))
	fmt.Fprintf(w, "by %s, %s; %s; closes %s UTC\n", sanitize.Line(p.OpenedBy), p.OpenedAt.UTC().Format("2006-01-02 15:04"), p.Process, p.ClosesAt.UTC().Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "affects %s\n", sanitize.Line(strings.Join(p.Affects, ", ")))
	if l := links(p); l != "" {
		fmt.Fprintln(w, "from "+l)
	}
	fmt.Fprintln(w, p.StateLine(now))
	fmt.Fprintln(w, p.QuorumLine())
	fmt.Fprintf(w, "\nDriver\n  %s\n", sanitize.Text(p.Driver))
	fmt.Fprintf(w, "\nProposal (version %d)\n  %s\n", p.Version, sanitize.Text(p.Text))
	fmt.Fprintln(w, "\nImplications")
	if len(p.Implications) == 0 {
		fmt.Fprintln(w, "  (none yet)")
	}
	for _, im := range p.Implications {
		fmt.Fprintf(w, "  - %s  (%s)\n", sanitize.Line(im.Text), sanitize.Line(im.Author))
	}
	fmt.Fprintln(w, "\nPositions")
	if len(p.Positions) == 0 {
		fmt.Fprintln(w, "  (none yet)")
	}
	for _, pos := range p.Positions {
		fmt.Fprintln(w, "  "+positionLine(p, pos))
	}
	if o := p.Outcome; o != nil {
		fmt.Fprintf(w, "\nOutcome: %s by %s, %s UTC\n  %s\n", o.State.Words(), sanitize.Line(o.By), o.At.UTC().Format("2006-01-02 15:04"), sanitize.Text(o.Statement))
		if o.ReviewOn != "" {
			fmt.Fprintf(w, "  review on %s\n", o.ReviewOn)
		}
		for _, act := range p.Actions {
			due := act.Due
			if due == "" {
				due = "no date"
			}
			fmt.Fprintf(w, "  action #%d %s — %s, %s\n", act.ID, sanitize.Line(act.Title), sanitize.Line(act.Owner), due)
		}
	}
	fmt.Fprintln(w, "\nHistory (UTC)")
	for _, e := range p.History {
		fmt.Fprintf(w, "  %s %-8s %-11s %s\n", e.At.UTC().Format("2006-01-02 15:04"), sanitize.Line(e.Actor), e.Kind, sanitize.Line(e.Text))
	}
}

func positionLine(p oncall.Proposal, pos oncall.Position) string {
	l := fmt.Sprintf("%-8s %-9s", sanitize.Line(pos.Member), pos.Stance)
	if pos.Text != "" {
		l += " " + sanitize.Line(pos.Text)
	}
	if pos.Version != p.Version {
		l += fmt.Sprintf("  (on version %d: to confirm)", pos.Version)
	}
	return l
}

func links(p oncall.Proposal) string {
	var out []string
	if p.IncidentID != 0 {
		out = append(out, fmt.Sprintf("incident #%d", p.IncidentID))
	}
	if p.ActionItemID != 0 {
		out = append(out, fmt.Sprintf("action item #%d", p.ActionItemID))
	}
	if p.FactorID != 0 {
		out = append(out, fmt.Sprintf("factor (note %d)", p.FactorID))
	}
	return strings.Join(out, ", ")
}

// proposalWrite is a command taking ID and TEXT that writes as me.
func (a *app) proposalWrite(use, short string, minWords int, do func(cmd *cobra.Command, id int64, me string, args []string) (string, error)) *cobra.Command {
	name := strings.Fields(use)[0]
	c := &cobra.Command{
		Use:         use,
		Short:       short,
		Args:        minArgs("proposal "+name, 1+minWords, strings.Join(strings.Fields(use)[1:], " ")),
		Annotations: needsStore(),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("proposal", args[0])
		if err != nil {
			return err
		}
		me, err := a.me(cmd.Context())
		if err != nil {
			return err
		}
		out, err := do(cmd, id, me.Handle, args[1:])
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, out)
		return nil
	}
	return c
}

func (a *app) proposalPositionCmd() *cobra.Command {
	return a.proposalWrite("position ID consent|concern|objection|abstain [--] [TEXT]",
		"take your position on the current version (an objection needs its reason)", 1,
		func(cmd *cobra.Command, id int64, me string, args []string) (string, error) {
			s, err := oncall.ParseStance(args[0])
			if err != nil {
				return "", err
			}
			text, err := textOf(cmd, args[1:])
			if err != nil {
				return "", err
			}
			pos, err := a.st.TakePosition(cmd.Context(), id, me, s, text)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s: %s on version %d of proposal #%d", sanitize.Line(me), pos.Stance, pos.Version, id), nil
		})
}

func (a *app) proposalImplyCmd() *cobra.Command {
	return a.proposalWrite("imply ID [--] TEXT", "add an implication: a cost, who must do what, who hosts what afterwards", 1,
		func(cmd *cobra.Command, id int64, me string, args []string) (string, error) {
			text, err := textOf(cmd, args)
			if err != nil {
				return "", err
			}
			im, err := a.st.AddImplication(cmd.Context(), id, me, text)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("implication %d added to proposal #%d", im.ID, id), nil
		})
}

func (a *app) proposalAmendCmd() *cobra.Command {
	return a.proposalWrite("amend ID [--] TEXT", "a new version of your proposal's text; earlier positions are to be confirmed", 1,
		func(cmd *cobra.Command, id int64, me string, args []string) (string, error) {
			text, err := textOf(cmd, args)
			if err != nil {
				return "", err
			}
			p, err := a.st.Amend(cmd.Context(), id, me, text)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("proposal #%d is at version %d; %d position(s) to confirm", id, p.Version, len(p.Tally().Stale)), nil
		})
}

func (a *app) proposalWithdrawCmd() *cobra.Command {
	return a.proposalWrite("withdraw ID [--] STATEMENT", "withdraw your proposal, saying why; every member is told", 1,
		func(cmd *cobra.Command, id int64, me string, args []string) (string, error) {
			text, err := textOf(cmd, args)
			if err != nil {
				return "", err
			}
			if _, err := a.st.Withdraw(cmd.Context(), id, me, text); err != nil {
				return "", err
			}
			return fmt.Sprintf("proposal #%d withdrawn", id), nil
		})
}

func (a *app) proposalCloseCmd() *cobra.Command {
	var statement, review *string
	var actions *[]string
	c := a.proposalWrite("close ID adopted|not_adopted|expired --statement TEXT [--review YYYY-MM-DD] [--action \"TITLE @owner YYYY-MM-DD\"]...",
		"record the outcome: what was decided, by whom it will be done, when to look again", 1,
		func(cmd *cobra.Command, id int64, me string, args []string) (string, error) {
			if len(args) != 1 {
				return "", usagef("proposal close: want ID and one outcome, got %d argument(s)", 1+len(args))
			}
			o, err := oncall.ParseOutcome(args[0])
			if err != nil {
				return "", err
			}
			no := oncall.NewOutcome{State: o, Statement: *statement, ReviewOn: *review}
			for _, s := range *actions {
				no.Actions = append(no.Actions, oncall.ParseNewAction(s))
			}
			p, err := a.st.CloseProposal(cmd.Context(), id, me, no)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("proposal #%d %s; %d action item(s)", id, p.State.Words(), len(p.Actions)), nil
		})
	statement = c.Flags().String("statement", "", "what was decided and by whom it will be done")
	review = c.Flags().String("review", "", "when to look at it again")
	actions = c.Flags().StringArray("action", nil, `an action item it creates: "title @owner YYYY-MM-DD" (the owner consented)`)
	c.MarkFlagRequired("statement")
	return c
}

// checkAffects refuses a site, node or service the cluster does not have;
// when Nomad cannot be read it says so on stderr and checks nothing.
func (a *app) checkAffects(ctx context.Context, targets []string, wait time.Duration) error {
	var check []string
	for _, t := range targets {
		if k, _, _ := strings.Cut(t, "/"); k == "site" || k == "node" || k == "service" {
			check = append(check, t)
		}
	}
	if len(check) == 0 {
		return nil
	}
	snap, why := clusterSnapshot(ctx, a.src, wait)
	if snap == nil {
		fmt.Fprintf(a.stderr, "entretien: what it affects was not checked against the cluster: %s\n", sanitize.Line(why))
		return nil
	}
	for _, t := range check {
		k, _, _ := strings.Cut(t, "/")
		if k == "service" && snap.Consul.Updated.IsZero() {
			// Consul has not answered: its services are unknown, not absent.
			fmt.Fprintf(a.stderr, "entretien: %s was not checked: Consul did not answer\n", sanitize.Line(t))
			continue
		}
		if !snap.Knows(t) {
			return &oncall.ValidationError{Field: "proposal.affects", Value: t, Reason: "no such " + k + " in the cluster (--no-cluster skips the check)"}
		}
	}
	return nil
}
