package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// runIn runs a command line in-process, with stdout and stderr apart.
func runIn(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

func TestHelpOnStdoutAtEveryLevel(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"},
		{"rota", "help"}, {"rota", "-h"}, {"rota", "--help"}, {"help", "rota"},
		{"rota", "now", "-h"}, {"rota", "now", "--help"}, {"help", "rota", "now"},
		{"incident", "help"}, {"incident", "note", "-h"}, {"leave", "help"}, {"retro", "export", "--help"},
	} {
		out, errOut, code := runIn(t, args...)
		if code != 0 || !strings.Contains(out, "Usage:") || errOut != "" {
			t.Errorf("entretien %q: code %d, stdout %.80q, stderr %q", args, code, out, errOut)
		}
	}
	out, _, _ := runIn(t, "rota", "now", "-h")
	local, global, _ := strings.Cut(out, "Global Flags:")
	if !strings.Contains(local, "--at string") || strings.Contains(local, "nomad-addr") || strings.Contains(local, "version") ||
		!strings.Contains(global, "--nomad-addr") || !strings.Contains(global, "--site-key") || strings.Contains(out, " -nomad-addr") {
		t.Errorf("rota now -h: own flags and global flags mixed up:\n%s", out)
	}
	out, _, _ = runIn(t, "incident", "note", "-h")
	if !strings.Contains(out, `TEXT starting with "-" must come after "--"`) {
		t.Errorf("incident note -h does not say a dash text needs --:\n%s", out)
	}
}

func TestPersistentFlagsBeforeOrAfter(t *testing.T) {
	db := seededDB(t)
	for _, args := range [][]string{{"--db", db, "rota", "now"}, {"rota", "--db", db, "now"}, {"rota", "now", "--db", db}, {"--db=" + db, "rota", "now"}} {
		out, errOut, code := runIn(t, args...)
		if code != 0 || !strings.Contains(out, "primary: amelie until ") {
			t.Errorf("entretien %q: code %d\n%s%s", args, code, out, errOut)
		}
	}
}

func TestErrorsPrintedOnce(t *testing.T) {
	out, errOut, code := runIn(t, "rota", "now", "--frob")
	if code != exitUsage || out != "" || strings.Count(errOut, "unknown flag: --frob") != 1 || !strings.HasPrefix(errOut, "entretien: unknown flag: --frob\n") ||
		!strings.Contains(errOut, "Usage:") {
		t.Errorf("wrong flag: code %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	// Refused input: the message alone, no usage.
	_, errOut, code = runIn(t, "rota", "show", "--db", seededDB(t), "--tz", "Mars/Olympus")
	if code != exitUsage || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, `entretien: --tz "Mars/Olympus"`) {
		t.Errorf("refused value: code %d, stderr:\n%s", code, errOut)
	}
	_, errOut, code = runIn(t, "incdent", "list")
	if code != exitUsage || !strings.Contains(errOut, `unknown command "incdent"`) || !strings.Contains(errOut, "incident") {
		t.Errorf("typo: code %d, no suggestion:\n%s", code, errOut)
	}
	_, errOut, code = runIn(t, "incident", "opne")
	if code != exitUsage || !strings.Contains(errOut, "did you mean open?") {
		t.Errorf("sub typo: code %d, no suggestion:\n%s", code, errOut)
	}
	_, errOut, code = runIn(t, "override", "add", "--db", seededDB(t), "--rotation", "primary")
	if code != exitUsage || !strings.Contains(errOut, "--covered, --covering, --from, --to are required") {
		t.Errorf("required flags: code %d:\n%s", code, errOut)
	}
}

// A PostgreSQL URL or libpq string is opened as PostgreSQL, never taken as
// a file name: here nothing listens there, so the command fails (exit 1)
// naming the server, and no file is created.
func TestPostgresDatabaseIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, db := range []string{"postgres://entretien@127.0.0.1:1/entretien?connect_timeout=2", "postgresql://127.0.0.1:1/entretien?connect_timeout=2",
		"host=127.0.0.1 port=1 dbname=entretien connect_timeout=2"} {
		_, errOut, code := runIn(t, "member", "list", "--db", db)
		if code != exitFail || !strings.Contains(errOut, "127.0.0.1") {
			t.Errorf("--db %q: code %d\n%s", db, code, errOut)
		}
		t.Setenv("ENTRETIEN_DB", db)
		_, errOut, code = runIn(t, "incident", "list")
		if code != exitFail || !strings.Contains(errOut, "127.0.0.1") {
			t.Errorf("ENTRETIEN_DB=%q: code %d\n%s", db, code, errOut)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files created: %v", ents)
	}
}

func TestNoteTextsWithDashes(t *testing.T) {
	db := seededDB(t)
	if _, errOut, code := runIn(t, "incident", "note", "--db", db, "1", "--", "-v was wrong"); code != 0 {
		t.Fatalf("note after --: %d %s", code, errOut)
	}
	if _, errOut, code := runIn(t, "incident", "note", "1", "--db", db, "--", "--verbose", "too"); code != 0 {
		t.Fatalf("note after -- with a double dash: %d %s", code, errOut)
	}
	if _, errOut, code := runIn(t, "incident", "note", "1", "-v was wrong", "--db", db); code != exitUsage || !strings.Contains(errOut, "unknown shorthand flag") {
		t.Fatalf("dash text without --: %d %s", code, errOut)
	}
	// TEXT "-" reads stdin (the real binary, for a real pipe).
	cmd := exec.Command(bin, "incident", "note", "1", "-", "--db", db)
	cmd.Stdin = strings.NewReader("-- from a pipe\nsecond line\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("note from stdin: %v %s", err, out)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, _ := st.Entries(context.Background(), 1)
	var texts []string
	for _, e := range es {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"|-v was wrong|", "|--verbose too|", "|-- from a pipe\nsecond line"} {
		if !strings.Contains("|"+all, want) {
			t.Errorf("journal lacks %q: %q", want, all)
		}
	}
}

func TestStatusTransitionsAreIdempotent(t *testing.T) {
	db := seededDB(t)
	for i, want := range []string{"incident #1 is acknowledged", "incident #1 is already acknowledged"} {
		out, errOut, code := runIn(t, "incident", "ack", "1", "--db", db)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("ack #%d: %d %q %s", i+1, code, out, errOut)
		}
	}
	if out, _, code := runIn(t, "incident", "status", "1", "acknowledged", "--db", db); code != 0 || !strings.Contains(out, "already acknowledged") {
		t.Fatalf("status to the current one: %d %q", code, out)
	}
	if _, errOut, code := runIn(t, "incident", "status", "1", "open", "--db", db); code != exitUsage || !strings.Contains(errOut, "only moves forward") {
		t.Fatalf("backwards: %d %s", code, errOut)
	}
	runIn(t, "incident", "resolve", "1", "--db", db)
	if out, _, code := runIn(t, "incident", "resolve", "1", "--db", db); code != 0 || !strings.Contains(out, "already resolved") {
		t.Fatalf("resolve twice: %d %q", code, out)
	}
	if _, errOut, code := runIn(t, "incident", "ack", "1", "--db", db); code != exitUsage || !strings.Contains(errOut, "only moves forward") {
		t.Fatalf("ack after resolve: %d %s", code, errOut)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, _ := st.Entries(context.Background(), 1)
	n := 0
	for _, e := range es {
		if e.Kind == oncall.KindStatus {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d status entries, want 2 (ack, resolve): the repeats wrote", n)
	}
}

// A relative --to counts from an absolute --from: the cover lasts one day
// from --from, not until a day from now (which would be before it starts).
func TestOverrideRelativeTo(t *testing.T) {
	db := seededDB(t)
	paris, _ := time.LoadLocation("Europe/Paris")
	from := time.Now().In(paris).AddDate(0, 0, 3)
	from = time.Date(from.Year(), from.Month(), from.Day(), 18, 0, 0, 0, paris)
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Rotation(context.Background(), "primary")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	holder := ""
	for _, sh := range r.Shifts(from, from.Add(time.Minute)) {
		holder = sh.Member
	}
	covering := "kenji"
	if holder == covering {
		covering = "dara"
	}
	out, errOut, code := runIn(t, "override", "add", "--db", db, "--rotation", "primary", "--covering", covering, "--covered", holder,
		"--from", from.Format("2006-01-02 15:04"), "--to", "+1d")
	end := from.AddDate(0, 0, 1).Format(rotaClock)
	if code != 0 || !strings.Contains(out, from.Format(rotaClock)+" to "+end) {
		t.Fatalf("override add --from %s --to +1d: code %d, want it to end %s:\n%s%s", from, code, end, out, errOut)
	}
}

// -o/--output: the same flag on every command that writes a file, the file
// replaced whole, stdout left empty, the confirmation on stderr.
func TestOutputFlagEverywhere(t *testing.T) {
	db := seededDB(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rota", "ical"}, "BEGIN:VCALENDAR"},
		{[]string{"retro", "export", "1"}, "## Timeline (UTC)"},
		{[]string{"rotation", "export"}, `rotation "primary"`},
	} {
		for _, flag := range []string{"-o", "--output"} {
			f := filepath.Join(dir, strings.Join(c.args, "-")+flag)
			out, errOut, code := runIn(t, append(append([]string{}, c.args...), "--db", db, flag, f)...)
			b, err := os.ReadFile(f)
			if code != 0 || out != "" || !strings.Contains(errOut, "wrote "+f) || err != nil || !strings.Contains(string(b), c.want) {
				t.Errorf("%q %s: code %d, stdout %q, stderr %q, file %v %.60q", c.args, flag, code, out, errOut, err, b)
			}
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 6 {
		t.Errorf("left in the folder: %v", ents)
	}
}

func TestShellCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		out, errOut, code := runIn(t, "completion", sh)
		if code != 0 || len(out) < 1000 || !strings.Contains(out, "entretien") {
			t.Errorf("completion %s: code %d, %d bytes, %s", sh, code, len(out), errOut)
		}
	}
	db := seededDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "member", "available", ""}, "lucas\t"},
		{[]string{"__complete", "leave", "add", "--member", ""}, "chloe\t"},
		{[]string{"__complete", "override", "add", "--rotation", ""}, "primary\t"},
		{[]string{"__complete", "override", "add", "--covering", "a"}, "amelie\t"},
		{[]string{"__complete", "retro", "action", "1", "x", "--owner", ""}, "kenji\t"},
		{[]string{"__complete", "incident", "show", ""}, "1\topen: guichet health check failing in lyon"},
		{[]string{"__complete", "incident", "ack", ""}, "1\t"},
		{[]string{"__complete", "incident", "note", ""}, "1\t"},
	} {
		out, errOut, code := runIn(t, append([]string{"__complete", "--db", db}, c.args[1:]...)...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%q: code %d, lacks %q:\n%s%s", c.args, code, c.want, out, errOut)
		}
	}
	// ENTRETIEN_DB is read too; a missing database is not created.
	t.Setenv("ENTRETIEN_DB", db)
	if out, _, _ := runIn(t, "__complete", "member", "available", ""); !strings.Contains(out, "dara\t") {
		t.Errorf("completion from ENTRETIEN_DB:\n%s", out)
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	runIn(t, "__complete", "--db", missing, "member", "available", "")
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("completion created %s", missing)
	}
}

// jsonCase is one --json command and what its document must hold.
type jsonCase struct {
	args  []string
	into  func() any
	check func(t *testing.T, v any)
}

func TestJSONOutputs(t *testing.T) {
	db := seededDB(t)
	// Something in every list: an override, a leave, an action item.
	for _, args := range [][]string{
		{"override", "add", "--rotation", "primary", "--covering", "lucas", "--covered", "amelie", "--from", "+1h", "--to", "+3h", "--note", "dentist"},
		{"leave", "add", "--member", "chloe", "--from", "+10d", "--to", "+12d", "--reason", "holiday"},
		{"retro", "action", "1", "add a disk alert", "--owner", "lucas", "--due", "2026-12-20"},
		{"incident", "note", "1", "restarted guichet", "--kind", "action"},
	} {
		if _, errOut, code := runIn(t, append(args, "--db", db)...); code != 0 {
			t.Fatalf("%q: %d %s", args, code, errOut)
		}
	}
	want := func(t *testing.T, ok bool, format string, a ...any) {
		t.Helper()
		if !ok {
			t.Errorf(format, a...)
		}
	}
	for _, c := range []jsonCase{
		{[]string{"rota", "now"}, func() any { return &rotaNowDoc{} }, func(t *testing.T, v any) {
			d := v.(*rotaNowDoc)
			want(t, len(d.OnCall) == 1 && d.OnCall[0].Now != nil && d.OnCall[0].Now.Member == "amelie" && d.OnCall[0].Next.Member == "lucas", "rota now %+v", d)
		}},
		{[]string{"rota", "next", "--count", "2"}, func() any { return &[]handoffJSON{} }, func(t *testing.T, v any) {
			d := *v.(*[]handoffJSON)
			want(t, len(d) >= 2 && d[0].Rotation == "primary" && d[0].At != nil && d[0].At.Location() == time.UTC, "rota next %+v", d)
		}},
		{[]string{"rota", "show", "--to", "+3w"}, func() any { return &scheduleDoc{} }, func(t *testing.T, v any) {
			d := v.(*scheduleDoc)
			want(t, len(d.Rotations) == 1 && d.Rotations[0].TimeZone == "Europe/Paris" && len(d.Rotations[0].Shifts) >= 3 && len(d.Rotations[0].Pending) == 1, "rota show %+v", d)
		}},
		{[]string{"incident", "list"}, func() any { return &[]incidentJSON{} }, func(t *testing.T, v any) {
			d := *v.(*[]incidentJSON)
			want(t, len(d) == 1 && d[0].ID == 1 && d[0].Status == "open" && d[0].OpenedBy == "lucas" && len(d[0].Affects) > 0, "incident list %+v", d)
		}},
		{[]string{"incident", "show", "1"}, func() any { return &incidentDoc{} }, func(t *testing.T, v any) {
			d := v.(*incidentDoc)
			last := d.Timeline[len(d.Timeline)-1]
			want(t, d.ID == 1 && len(d.Timeline) > 1 && last.Text == "restarted guichet" && last.Kind == "action" && last.Who == "amelie", "incident show %+v", d)
		}},
		{[]string{"override", "list"}, func() any { return &[]overrideJSON{} }, func(t *testing.T, v any) {
			d := *v.(*[]overrideJSON)
			want(t, len(d) == 1 && d[0].Covering == "lucas" && d[0].Status == "proposed" && len(d[0].AwaitingFrom) == 1 && d[0].Note == "dentist", "override list %+v", d)
		}},
		{[]string{"leave", "list"}, func() any { return &[]leaveJSON{} }, func(t *testing.T, v any) {
			d := *v.(*[]leaveJSON)
			want(t, len(d) == 1 && d[0].Member == "chloe" && d[0].MarkedBy == "amelie" && d[0].Reason == "holiday", "leave list %+v", d)
		}},
		{[]string{"member", "list"}, func() any { return &[]memberJSON{} }, func(t *testing.T, v any) {
			d := *v.(*[]memberJSON)
			want(t, len(d) == 5 && d[0].Handle == "amelie" && len(d[0].OSUsers) >= 1 && d[0].TimeZone != "", "member list %+v", d)
		}},
		{[]string{"retro", "actions"}, func() any { return &[]actionJSON{} }, func(t *testing.T, v any) {
			d := *v.(*[]actionJSON)
			want(t, len(d) == 1 && d[0].Owner == "lucas" && d[0].Due == "2026-12-20" && d[0].IncidentID == 1 && d[0].State == "open", "retro actions %+v", d)
		}},
		{[]string{"retro", "show", "1"}, func() any { return &retroDoc{} }, func(t *testing.T, v any) {
			d := v.(*retroDoc)
			want(t, d.Incident.ID == 1 && d.Draft && len(d.Actions) == 1 && len(d.Timeline) > 0 && len(d.Moments) > 0, "retro show %+v", d)
		}},
		{[]string{"doctor", "--nomad-addr", deadNomad, "--consul-addr", deadConsul}, func() any { return &[]checkJSON{} }, func(t *testing.T, v any) {
			d := *v.(*[]checkJSON)
			want(t, len(d) == 5 && d[0].Check == "nomad" && !d[0].OK && d[0].Fix != "" && d[2].Check == "database" && d[2].OK && d[4].Check == "identity" && d[4].OK, "doctor %+v", d)
		}},
	} {
		out, errOut, code := runIn(t, append(append(c.args, "--json"), "--db", db)...)
		if code != 0 && !(c.args[0] == "doctor" && code == exitFail) {
			t.Errorf("%q --json: code %d %s", c.args, code, errOut)
			continue
		}
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		v := c.into()
		if err := dec.Decode(v); err != nil || dec.More() {
			t.Errorf("%q --json: not one document of the declared fields: %v\n%s", c.args, err, out)
			continue
		}
		c.check(t, v)
		// snake_case keys, UTC times.
		for _, bad := range []string{`"ID"`, `"Member"`, `"OpenedAt"`, `+01:00"`, `+02:00"`} {
			if strings.Contains(out, bad) {
				t.Errorf("%q --json holds %s:\n%.400s", c.args, bad, out)
			}
		}
	}
}

// Exit 3 for anything that does not exist, 2 for a malformed id.
func TestNotFoundExits3(t *testing.T) {
	db := seededDB(t)
	for _, args := range [][]string{
		{"incident", "show", "99"}, {"incident", "role", "99", "lead"}, {"incident", "status", "99", "resolved"},
		{"override", "accept", "99"}, {"override", "decline", "99"},
		{"override", "add", "--rotation", "nope", "--covering", "lucas", "--covered", "amelie", "--from", "+1h", "--to", "+2h"},
		{"retro", "show", "99"}, {"retro", "action-set", "99", "done"}, {"retro", "remove", "99"}, {"retro", "action", "99", "fix it"},
		{"leave", "remove", "99"}, {"leave", "list", "--member", "zed"}, {"member", "available", "zed"}, {"rota", "ical", "--member", "zed"},
	} {
		out, errOut, code := runIn(t, append(args, "--db", db)...)
		if code != exitNotFound || !strings.Contains(errOut, "not found") || out != "" {
			t.Errorf("%q: code %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if _, errOut, code := runIn(t, "incident", "show", "x1", "--db", db); code != exitUsage || !strings.Contains(errOut, `incident "x1": want a number`) {
		t.Errorf("bad id: %d %s", code, errOut)
	}
}
