package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall/rotafile"
)

func init() {
	commands["rotation"] = command{summary: "rotations: create, apply FILE (HCL, idempotent), export", run: runRotation}
}

const rotationUsage = `usage:
  entretien rotation create --name N --tz ZONE --shift 1w --handoff 10:00 --start 2026-03-23 --participants a,b,c
  entretien rotation apply FILE      create or update the rotations declared in FILE (HCL); applying twice changes nothing
  entretien rotation export          print every rotation as a rotation file
--shift: 12h, 1d, 2w (hours, days, weeks); --handoff: local HH:MM in --tz (not for hours);
--start: a date in --tz (hours: "2026-03-23 19:00").`

func runRotation(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"rotation: want a subcommand\n" + rotationUsage}
	}
	switch args[0] {
	case "create":
		return rotationCreate(args[1:], stdout, stderr)
	case "apply":
		return rotationApply(args[1:], stdout, stderr)
	case "export":
		return rotationExport(args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("rotation: unknown subcommand %q\n%s", args[0], rotationUsage)}
}

func rotationCreate(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("rotation create", stderr)
	name := fs.String("name", "", "rotation name")
	tz := fs.String("tz", "", "IANA zone of the handoff clock")
	shift := fs.String("shift", "1w", "shift length: 12h, 1d, 2w")
	handoff := fs.String("handoff", "", "handoff HH:MM in --tz (days and weeks)")
	start := fs.String("start", "", "first shift: a date in --tz")
	parts := fs.String("participants", "", "member handles in order, comma-separated")
	if err := parseNoArgs("rotation create", fs, c, args); err != nil {
		return err
	}
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
		return usageError{flagError(err)}
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.CreateRotation(ctx, rs[0])
	if err != nil {
		return inputErr(err)
	}
	loc, _ := time.LoadLocation(r.TZ)
	fmt.Fprintf(stdout, "created rotation %s: %d participants, first handoff %s\n", *name, len(r.Participants), r.Start.In(loc).Format(rotaClock))
	return nil
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

func rotationApply(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("rotation apply", stderr)
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"rotation apply: want exactly one FILE\n" + rotationUsage}
	}
	src, err := os.ReadFile(pos[0])
	if err != nil {
		return usageError{fmt.Sprintf("rotation file: %v", err)}
	}
	rs, err := rotafile.Parse(pos[0], src)
	if err != nil {
		return inputErr(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.ApplyRotations(ctx, rs)
	if err != nil {
		return inputErr(err)
	}
	fmt.Fprintf(stdout, "created %d, updated %d, unchanged %d\n", len(res.Created), len(res.Updated), len(res.Unchanged))
	for _, n := range res.Created {
		fmt.Fprintf(stdout, "  + %s\n", n)
	}
	for _, n := range res.Updated {
		fmt.Fprintf(stdout, "  ~ %s\n", n)
	}
	return nil
}

func rotationExport(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("rotation export", stderr)
	if err := parseNoArgs("rotation export", fs, c, args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	rs, err := st.Rotations(ctx)
	if err != nil {
		return err
	}
	_, err = stdout.Write(rotafile.Format(rs))
	return err
}
