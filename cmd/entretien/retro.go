package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/retromd"
)

func init() {
	commands["retro"] = command{summary: "write an incident's retro, track its actions, export it as Markdown (entretien retro help)", run: runRetro}
}

var retroOrder = []string{"show", "export", "add", "remove", "action", "action-set", "actions"}

var retroSubs = map[string]subcommand{
	"show":       {`show INCIDENT`, retroShow},
	"export":     {`export INCIDENT [-o FILE.md]   (Markdown: summary, impact, UTC timeline, factors, actions)`, retroExport},
	"add":        {`add INCIDENT summary|impact|factor|well|hard TEXT`, retroAdd},
	"remove":     {`remove NOTE`, retroRemove},
	"action":     {`action INCIDENT TITLE [--owner MEMBER] [--due YYYY-MM-DD]`, retroAction},
	"action-set": {`action-set ACTION open|doing|done|dropped [--owner MEMBER] [--due YYYY-MM-DD]`, retroActionSet},
	"actions":    {`actions [--all]   (pending action items of every incident)`, retroActions},
}

func runRetro(args []string, stdout, stderr io.Writer) error {
	return dispatchSub("retro", retroSubs, retroOrder, args, stdout, stderr)
}

func loadRetro(ctx context.Context, name string, args []string, stderr io.Writer) (oncall.Retro, *config, error) {
	fs, c := newFlagSet(name, stderr)
	id, _, err := idArgs(name, fs, c, args, 1, false, "INCIDENT", "incident")
	if err != nil {
		return oncall.Retro{}, nil, err
	}
	st, _, err := openJournal(ctx, c, false)
	if err != nil {
		return oncall.Retro{}, nil, err
	}
	defer st.Close()
	r, err := st.Retro(ctx, id)
	return r, c, err
}

func retroShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	r, _, err := loadRetro(ctx, "retro show", args, stderr)
	if err != nil {
		return err
	}
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
	return nil
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

func retroExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("retro export", stderr)
	out := fs.String("o", "", "write to this file instead of stdout")
	id, _, err := idArgs("retro export", fs, c, args, 1, false, "INCIDENT", "incident")
	if err != nil {
		return err
	}
	st, _, err := openJournal(ctx, c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Retro(ctx, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := retromd.Write(&buf, r); err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	// Write beside, then rename: a reader never sees half a report.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".retro-*.md")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	fmt.Fprintf(stderr, "retro of incident #%d written to %s\n", id, *out)
	return nil
}

func retroAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("retro add", stderr)
	id, rest, err := idArgs("retro add", fs, c, args, 3, true, "INCIDENT, SECTION and TEXT", "incident")
	if err != nil {
		return err
	}
	sec, err := oncall.ParseSection(rest[0])
	if err != nil {
		return err
	}
	st, me, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.AddRetroNote(ctx, id, me.Handle, sec, strings.Join(rest[1:], " "))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "note %d added to the %s of incident #%d's retro\n", n.ID, sec, id)
	return nil
}

func retroRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("retro remove", stderr)
	id, _, err := idArgs("retro remove", fs, c, args, 1, false, "NOTE", "note")
	if err != nil {
		return err
	}
	st, _, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RemoveRetroNote(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "note %d removed\n", id)
	return nil
}

func retroAction(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("retro action", stderr)
	owner := fs.String("owner", "", "member who takes it")
	due := fs.String("due", "", "due date YYYY-MM-DD")
	id, rest, err := idArgs("retro action", fs, c, args, 2, true, "INCIDENT and TITLE", "incident")
	if err != nil {
		return err
	}
	st, me, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.AddAction(ctx, id, me.Handle, oncall.NewAction{Title: strings.Join(rest, " "), Owner: *owner, Due: *due})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "added "+actionLine(a))
	return nil
}

func retroActionSet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("retro action-set", stderr)
	var owner, due optString
	fs.Var(&owner, "owner", "member who takes it (\"\" for nobody)")
	fs.Var(&due, "due", "due date YYYY-MM-DD (\"\" for none)")
	id, rest, err := idArgs("retro action-set", fs, c, args, 2, false, "ACTION and STATE", "action")
	if err != nil {
		return err
	}
	state, err := oncall.ParseActionState(rest[0])
	if err != nil {
		return err
	}
	st, me, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.UpdateAction(ctx, id, me.Handle, state, owner.ptr(), due.ptr())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, actionLine(a))
	return nil
}

// optString is a flag that remembers whether it was given at all.
type optString struct {
	v   string
	set bool
}

func (o *optString) String() string     { return o.v }
func (o *optString) Set(s string) error { o.v, o.set = s, true; return nil }
func (o *optString) ptr() *string {
	if !o.set {
		return nil
	}
	return &o.v
}

func retroActions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("retro actions", stderr)
	all := fs.Bool("all", false, "done and dropped ones too")
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if err := wantArgs("retro actions", pos, 0, "no arguments"); err != nil {
		return err
	}
	st, _, err := openJournal(ctx, c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	as, err := st.Actions(ctx, oncall.ActionFilter{PendingOnly: !*all})
	if err != nil {
		return err
	}
	if len(as) == 0 {
		fmt.Fprintln(stdout, "no action item")
	}
	for _, a := range as {
		fmt.Fprintln(stdout, actionLine(a))
	}
	return nil
}
