package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

const overrideHelp = `You are the OS user running entretien. A cover applies once both the member covering and
the member covered agreed; proposing as one of them is that member's consent. TIME as for
"entretien rota", in --tz (default: the rotation's zone).`

func (a *app) overrideCmd() *cobra.Command {
	c := group("override", "covers and swaps: add, swap, list, accept, decline",
		a.overrideAddCmd(), a.overrideSwapCmd(), a.overrideListCmd(), a.overrideDecideCmd("accept"), a.overrideDecideCmd("decline"))
	c.Long = "Covers and swaps of on-call shifts.\n\n" + overrideHelp + "\n\n" + timeHelp
	return c
}

func (a *app) overrideAddCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "add --rotation R --covering X --covered Y --from TIME --to TIME [--note TEXT] [--tz ZONE]",
		Short:       "propose that X covers Y's shifts from --from to --to",
		Long:        "Propose that X covers Y's shifts from --from to --to.\n\n" + overrideHelp,
		Args:        noArgs("override add"),
		Annotations: needsStore(),
	}
	var req oncall.OverrideRequest
	f := c.Flags()
	f.StringVar(&req.Rotation, "rotation", "", "rotation name")
	f.StringVar(&req.Covering, "covering", "", "member taking the pager")
	f.StringVar(&req.Covered, "covered", "", "member giving it")
	from := f.String("from", "", "start (TIME)")
	to := f.String("to", "", "end (a date includes that day; +1d counts from an absolute --from)")
	f.StringVar(&req.Note, "note", "", "why, for the other member")
	tz := f.String("tz", "", "zone for --from and --to (default: the rotation's)")
	for _, n := range []string{"rotation", "covering", "covered", "from", "to"} {
		c.MarkFlagRequired(n)
	}
	a.completeRotations(c, "rotation")
	a.completeMembers(c, "covering", "covered")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		loc, err := a.rotationZone(ctx, req.Rotation, *tz)
		if err != nil {
			return err
		}
		rg, err := oncall.ParseRange("--from", *from, "--to", *to, loc, time.Now())
		if err != nil {
			return err
		}
		req.Start, req.End = rg.Start, rg.End
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		o, err := a.st.ProposeOverride(ctx, me.Handle, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "override #%d: %s covers %s on %s, %s to %s; waiting for %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered),
			sanitize.Line(o.Rotation), o.Start.In(loc).Format(rotaClock), o.End.In(loc).Format(rotaClock), sanitize.Line(strings.Join(o.AwaitingFrom(), " and ")))
		return nil
	}
	return c
}

// rotationZone is the zone a rotation command reads times in: --tz, else
// the rotation's. An unknown rotation is "not found".
func (a *app) rotationZone(ctx context.Context, rotation, tz string) (*time.Location, error) {
	r, err := a.st.Rotation(ctx, rotation)
	if err != nil {
		return nil, err
	}
	if tz == "" {
		tz = r.TZ
	}
	return rotaZone(ctx, a.st, tz)
}

func (a *app) overrideSwapCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "swap --rotation R [--for A] --with B --shift TIME --their-shift TIME [--note TEXT] [--tz ZONE]",
		Short:       "propose that A (you by default) and B trade the shifts holding those times",
		Args:        noArgs("override swap"),
		Annotations: needsStore(),
	}
	var req oncall.SwapRequest
	f := c.Flags()
	f.StringVar(&req.Rotation, "rotation", "", "rotation name")
	f.StringVar(&req.For, "for", "", "member giving the first shift (default: you)")
	f.StringVar(&req.With, "with", "", "member giving the second shift")
	shift := f.String("shift", "", "a time inside the first shift")
	theirs := f.String("their-shift", "", "a time inside the second shift")
	f.StringVar(&req.Note, "note", "", "why, for the others")
	tz := f.String("tz", "", "zone for --shift and --their-shift (default: the rotation's)")
	for _, n := range []string{"rotation", "with", "shift", "their-shift"} {
		c.MarkFlagRequired(n)
	}
	a.completeRotations(c, "rotation")
	a.completeMembers(c, "for", "with")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		loc, err := a.rotationZone(ctx, req.Rotation, *tz)
		if err != nil {
			return err
		}
		now := time.Now()
		if req.Mine, _, err = oncall.ParseTime("--shift", *shift, loc, now); err != nil {
			return err
		}
		if req.Theirs, _, err = oncall.ParseTime("--their-shift", *theirs, loc, now); err != nil {
			return err
		}
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		os, err := a.st.ProposeSwap(ctx, me.Handle, req)
		if err != nil {
			return err
		}
		for _, o := range os {
			fmt.Fprintf(a.stdout, "override #%d: %s covers %s on %s, %s to %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered),
				sanitize.Line(o.Rotation), o.Start.In(loc).Format(rotaClock), o.End.In(loc).Format(rotaClock))
		}
		fmt.Fprintf(a.stdout, "swap #%d proposed; waiting for %s\n", os[0].SwapID, sanitize.Line(strings.Join(oncall.AwaitingAll(os), " and ")))
		return nil
	}
	return c
}

func (a *app) overrideListCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "list [--from TIME] [--to TIME] [--tz ZONE]",
		Short:       "overrides overlapping the range, whatever their status",
		Args:        noArgs("override list"),
		Annotations: needsStore(),
	}
	p := periodFlags(c, "-1w", "+13w")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		loc, rg, err := p.read(cmd.Context(), a.st)
		if err != nil {
			return err
		}
		os, err := a.st.Overrides(cmd.Context(), rg.Start, rg.End)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, listOf(os, overrideOf))
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
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
	return c
}

func (a *app) overrideDecideCmd(verb string) *cobra.Command {
	short := "give your consent (as the member covering or covered)"
	if verb == "decline" {
		short = "decline a proposal (or cancel your own, or a confirmed one not started)"
	}
	c := &cobra.Command{
		Use:         verb + " ID",
		Short:       short,
		Args:        exactArgs("override "+verb, 1, "one override ID"),
		Annotations: needsStore(),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || id <= 0 {
			return usageError{msg: fmt.Sprintf("override ID %q: not a positive number", sanitize.Line(args[0]))}
		}
		ctx := cmd.Context()
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		var got []oncall.Override
		if verb == "accept" {
			got, err = a.st.ConfirmOverride(ctx, me.Handle, id)
		} else {
			got, err = a.st.WithdrawOverride(ctx, me.Handle, id)
		}
		if err != nil {
			return err
		}
		for _, o := range got {
			fmt.Fprintf(a.stdout, "override #%d (%s covers %s): %s\n", o.ID, sanitize.Line(o.Covering), sanitize.Line(o.Covered), o.Status)
		}
		return nil
	}
	return c
}
