package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

func init() {
	commands["incident"] = command{summary: "open, note, acknowledge, resolve and list incidents (entretien incident help)", run: runIncident}
}

var incidentOrder = []string{"open", "list", "show", "note", "ack", "mitigate", "resolve", "status", "role"}

var incidentSubs = map[string]subcommand{
	"open":     {`open --sev 1..3 --title TITLE [--affects job/X,service/Y,site/Z,node/N]`, incidentOpen},
	"list":     {`list [--open]`, incidentList},
	"show":     {`show ID`, incidentShow},
	"note":     {`note ID TEXT [--kind observation|action|decision|question|handoff] [--amends ENTRY]   (TEXT "-" reads stdin)`, incidentNote},
	"ack":      {`ack ID`, statusCmd(oncall.StatusAcknowledged)},
	"mitigate": {`mitigate ID`, statusCmd(oncall.StatusMitigated)},
	"resolve":  {`resolve ID`, statusCmd(oncall.StatusResolved)},
	"status":   {`status ID open|acknowledged|mitigated|resolved|reviewed`, incidentStatus},
	"role":     {`role ID lead|scribe|helper [--leave] [--take-over]`, incidentRole},
}

func runIncident(args []string, stdout, stderr io.Writer) error {
	return dispatchSub("incident", incidentSubs, incidentOrder, args, stdout, stderr)
}

// listFlag collects --affects given several times or comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func incidentOpen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("incident open", stderr)
	sev := fs.Int("sev", 0, "severity, 1 (worst) to 3")
	title := fs.String("title", "", "what is wrong, in one line")
	var affects listFlag
	fs.Var(&affects, "affects", "affected objects: job/X, service/X, site/X, node/X (repeat or comma-separate)")
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if *title == "" && len(pos) > 0 {
		*title = strings.Join(pos, " ")
	} else if err := wantArgs("incident open", pos, 0, "only flags"); err != nil {
		return err
	}
	st, me, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	inc, err := st.OpenIncident(ctx, me.Handle, oncall.NewIncident{Title: *title, Severity: *sev, Affects: affects})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "opened incident #%d (sev%d): %s\n", inc.ID, inc.Severity, sanitize.Line(inc.Title))
	return nil
}

func incidentList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("incident list", stderr)
	open := fs.Bool("open", false, "only incidents not yet resolved")
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if err := wantArgs("incident list", pos, 0, "no arguments"); err != nil {
		return err
	}
	st, _, err := openJournal(ctx, c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	incs, err := st.Incidents(ctx, oncall.IncidentFilter{OpenOnly: *open})
	if err != nil {
		return err
	}
	if len(incs) == 0 {
		fmt.Fprintln(stdout, "no incident")
		return nil
	}
	fmt.Fprintf(stdout, "%-5s %-4s %-12s %-20s %s\n", "ID", "SEV", "STATUS", "OPENED (UTC)", "TITLE")
	for _, in := range incs {
		fmt.Fprintf(stdout, "#%-4d sev%d %-12s %-20s %s\n", in.ID, in.Severity, in.Status,
			in.OpenedAt.UTC().Format("2006-01-02 15:04"), sanitize.Line(in.Title))
	}
	return nil
}

func incidentShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("incident show", stderr)
	id, _, err := idArgs("incident show", fs, c, args, 1, false, "ID", "incident")
	if err != nil {
		return err
	}
	st, _, err := openJournal(ctx, c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	inc, err := st.Incident(ctx, id)
	if err != nil {
		return err
	}
	es, err := st.Entries(ctx, id)
	if err != nil {
		return err
	}
	roles, err := st.Roles(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "#%d sev%d %s: %s\naffects %s; opened %s UTC by %s\n\n", inc.ID, inc.Severity, inc.Status,
		sanitize.Line(inc.Title), sanitize.Line(strings.Join(inc.Affects, ", ")), inc.OpenedAt.UTC().Format("2006-01-02 15:04:05"),
		sanitize.Line(inc.OpenedBy))
	for _, it := range oncall.MergeTimeline(es, roles) {
		fmt.Fprintln(stdout, timelineLine(it))
	}
	return nil
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

func incidentNote(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("incident note", stderr)
	kind := fs.String("kind", "observation", "observation, action, decision, question or handoff")
	amends := fs.Int64("amends", 0, "the entry this one corrects")
	id, rest, err := idArgs("incident note", fs, c, args, 2, true, "ID and TEXT", "incident")
	if err != nil {
		return err
	}
	text := strings.Join(rest, " ")
	if text == "-" {
		// Read at most one byte past the cap, so the store refuses it with its
		// own message instead of us reading a runaway pipe.
		b, err := io.ReadAll(io.LimitReader(os.Stdin, oncall.MaxEntryBytes+1))
		if err != nil {
			return err
		}
		text = strings.TrimRight(string(b), "\n")
	}
	k, err := oncall.ParseEntryKind(*kind)
	if err != nil {
		return err
	}
	st, me, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	var e oncall.Entry
	if *amends != 0 {
		es, err := st.Entries(ctx, id)
		if err != nil {
			return err
		}
		found := false
		for _, x := range es {
			found = found || x.ID == *amends
		}
		if !found {
			return usageError{fmt.Sprintf("incident note --amends %d: no such entry in incident #%d", *amends, id)}
		}
		e, err = st.AmendEntry(ctx, *amends, me.Handle, text)
	} else {
		e, err = st.AddEntry(ctx, id, me.Handle, k, text)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "entry #%d posted to incident #%d\n", e.ID, e.IncidentID)
	return nil
}

func statusCmd(to oncall.Status) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		name := "incident " + string(to)
		fs, c := newFlagSet(name, stderr)
		pos, err := parseArgs(fs, c, args)
		if err != nil {
			return err
		}
		if err := wantArgs(name, pos, 1, "ID"); err != nil {
			return err
		}
		return setStatus(ctx, c, pos[0], to, stdout)
	}
}

func incidentStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("incident status", stderr)
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return err
	}
	if err := wantArgs("incident status", pos, 2, "ID and STATUS"); err != nil {
		return err
	}
	to, err := oncall.ParseStatus(pos[1])
	if err != nil {
		return err
	}
	return setStatus(ctx, c, pos[0], to, stdout)
}

func setStatus(ctx context.Context, c *config, idArg string, to oncall.Status, stdout io.Writer) error {
	id, err := parseID("incident", idArg)
	if err != nil {
		return err
	}
	st, me, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetStatus(ctx, id, me.Handle, to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "incident #%d is %s\n", id, to)
	return nil
}

func incidentRole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("incident role", stderr)
	leave := fs.Bool("leave", false, "leave the role instead of taking it")
	takeOver := fs.Bool("take-over", false, "take lead or scribe from whoever holds it")
	id, rest, err := idArgs("incident role", fs, c, args, 2, false, "ID and ROLE", "incident")
	if err != nil {
		return err
	}
	role, err := oncall.ParseRole(rest[0])
	if err != nil {
		return err
	}
	st, me, err := openJournal(ctx, c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if *leave {
		if _, err := st.LeaveRole(ctx, id, me.Handle, role); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s left %s of incident #%d\n", me.Handle, role, id)
		return nil
	}
	if _, err := st.TakeRole(ctx, id, me.Handle, role, *takeOver); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is %s of incident #%d\n", me.Handle, role, id)
	return nil
}
