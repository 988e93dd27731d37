package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall/rotafile"
)

const rotationHelp = `--shift: 12h, 1d, 2w (hours, days, weeks); --handoff: local HH:MM in --tz (not for hours);
--start: a date in --tz (hours: "2026-03-23 19:00").`

func (a *app) rotationCmd() *cobra.Command {
	c := group("rotation", "rotations: create, apply FILE (HCL, idempotent), export", a.rotationCreateCmd(), a.rotationApplyCmd(), a.rotationExportCmd())
	c.Long = "Rotations: who takes the pager in turn.\n\n" + rotationHelp
	return c
}

func (a *app) rotationCreateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "create --name N --tz ZONE --shift 1w --handoff 10:00 --start 2026-03-23 --participants a,b,c",
		Short:       "create a rotation",
		Long:        "Create a rotation.\n\n" + rotationHelp,
		Args:        noArgs("rotation create"),
		Annotations: needsStore(),
	}
	f := c.Flags()
	name := f.String("name", "", "rotation name")
	tz := f.String("tz", "", "IANA zone of the handoff clock")
	shift := f.String("shift", "1w", "shift length: 12h, 1d, 2w")
	handoff := f.String("handoff", "", "handoff HH:MM in --tz (days and weeks)")
	start := f.String("start", "", "first shift: a date in --tz")
	parts := f.String("participants", "", "member handles in order, comma-separated")
	for _, n := range []string{"name", "tz", "start", "participants"} {
		c.MarkFlagRequired(n)
	}
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		// The flags go through the rotation-file parser: the same checks and
		// messages as a file, reworded to name the flag.
		var ps []string
		for _, p := range strings.Split(*parts, ",") {
			if p = strings.TrimSpace(p); p != "" {
				ps = append(ps, p)
			}
		}
		hcl := fmt.Sprintf("rotation %s {\n time_zone = %s\n shift = %s\n start = %s\n participants = [%s]\n%s}\n",
			rotafile.Quote(*name), rotafile.Quote(*tz), rotafile.Quote(*shift), rotafile.Quote(*start), hclList(ps), handoffLine(*handoff))
		rs, err := rotafile.Parse("flags", []byte(hcl))
		if err != nil {
			return usageError{msg: flagError(err)}
		}
		r, err := a.st.CreateRotation(cmd.Context(), rs[0])
		if err != nil {
			return err
		}
		loc, _ := time.LoadLocation(r.TZ)
		fmt.Fprintf(a.stdout, "created rotation %s: %d participants, first handoff %s\n", sanitize.Line(*name), len(r.Participants), r.Start.In(loc).Format(rotaClock))
		return nil
	}
	return c
}

func handoffLine(h string) string {
	if h == "" {
		return ""
	}
	return " handoff = " + rotafile.Quote(h) + "\n"
}

func hclList(ps []string) string {
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = rotafile.Quote(p)
	}
	return strings.Join(q, ", ")
}

// flagError rewords a rotation-file error about the generated file as one
// about the flag it came from.
func flagError(err error) string {
	fe, ok := err.(*rotafile.Error)
	if !ok {
		return err.Error()
	}
	flagOf := map[string]string{"time_zone": "--tz", "shift": "--shift", "handoff": "--handoff", "start": "--start", "participants": "--participants", "name": "--name"}
	field := fe.Field
	if i := strings.LastIndex(field, "."); i >= 0 {
		field = field[i+1:]
	}
	if f, ok := flagOf[field]; ok {
		return fmt.Sprintf("%s %q: %s", f, fe.Value, fe.Reason)
	}
	if fe.Field == "file" && strings.Contains(fe.Reason, "required") {
		return fe.Reason
	}
	return fmt.Sprintf("%s %q: %s", fe.Field, fe.Value, fe.Reason)
}

func (a *app) rotationApplyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "apply FILE",
		Short:       "create or update the rotations declared in FILE (HCL); applying twice changes nothing",
		Args:        exactArgs("rotation apply", 1, "exactly one FILE"),
		Annotations: needsStore(),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
		},
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		src, err := os.ReadFile(args[0])
		if err != nil {
			return usageError{msg: fmt.Sprintf("rotation file: %v", err)}
		}
		rs, err := rotafile.Parse(args[0], src)
		if err != nil {
			return err
		}
		res, err := a.st.ApplyRotations(cmd.Context(), rs)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "created %d, updated %d, unchanged %d\n", len(res.Created), len(res.Updated), len(res.Unchanged))
		for _, n := range res.Created {
			fmt.Fprintf(a.stdout, "  + %s\n", sanitize.Line(n))
		}
		for _, n := range res.Updated {
			fmt.Fprintf(a.stdout, "  ~ %s\n", sanitize.Line(n))
		}
		return nil
	}
	return c
}

func (a *app) rotationExportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "export [-o FILE]",
		Short:       "print every rotation as a rotation file (HCL)",
		Args:        noArgs("rotation export"),
		Annotations: needsStore(),
	}
	output := outputFlag(c, "the rotation file")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		rs, err := a.st.Rotations(cmd.Context())
		if err != nil {
			return err
		}
		return a.emit(*output, rotafile.Format(rs), 0o644)
	}
	return c
}
