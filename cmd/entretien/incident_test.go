package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

func TestIncidentCommands(t *testing.T) {
	db := seededDB(t) // the OS user running the tests is amelie; incident #1 is open
	run := func(wantCode int, args ...string) string {
		t.Helper()
		// --db right after the subcommand: after "--" it would be text.
		full := append(append(append([]string{}, args[:2]...), "--db", db), args[2:]...)
		out, code := runBin(t, nil, full...)
		if code != wantCode {
			t.Fatalf("entretien %q: exit %d, want %d\n%s", args, code, wantCode, out)
		}
		return out
	}
	out := run(0, "incident", "open", "--sev", "2", "--title", "garage down in paris", "--affects", "job/garage,site/paris")
	if !strings.Contains(out, "opened incident #2") {
		t.Fatalf("open: %q", out)
	}
	raw := "curl says \x1b[31m503\x1b[0m\x1b]0;pwned\x07"
	run(0, "incident", "note", "2", raw)
	run(0, "incident", "note", "#2", "restarted garage on paris-1", "--kind", "action")
	run(0, "incident", "note", "2", "--", "-5% disk after cleanup")
	run(0, "incident", "ack", "2")
	run(0, "incident", "role", "2", "lead")

	// Bad input: a clear message, exit 2, nothing written.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"incident", "note", "2", "   "}, "must not be empty"},
		{[]string{"incident", "note", "2", strings.Repeat("x", 9000)}, "longer than 8192 bytes"},
		{[]string{"incident", "note", "two", "hello"}, `incident "two"`},
		{[]string{"incident", "note", "2", "x", "--kind", "rant"}, "entry.kind"},
		{[]string{"incident", "status", "2", "open"}, "only moves forward"},
		{[]string{"incident", "status", "2", "closed"}, "must be one of"},
		{[]string{"incident", "role", "2", "lead"}, "already lead"},
		{[]string{"incident", "role", "2", "boss"}, "must be lead, scribe or helper"},
		{[]string{"incident", "open", "--sev", "5", "--title", "x"}, "incident.severity"},
		{[]string{"incident", "open", "--sev", "1", "--title", "x", "--affects", "host/x"}, "incident.affects"},
		{[]string{"incident", "frob"}, `incident: unknown subcommand "frob"`},
		{[]string{"retro", "add", "2", "blame", "x"}, "retro.section"},
		{[]string{"retro", "action", "2", "fix", "--due", "soon"}, "action.due"},
	} {
		out := run(exitUsage, c.args...)
		if !strings.Contains(out, c.want) {
			t.Errorf("entretien %.60q: output lacks %q:\n%.300s", c.args, c.want, out)
		}
	}
	// Not found: exit 3, nothing written.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"incident", "note", "99", "hello"}, "incident 99: not found"},
		{[]string{"incident", "note", "2", "x", "--amends", "1"}, "no such entry in incident #2"},
		{[]string{"incident", "show", "99"}, "incident 99: not found"},
		{[]string{"incident", "ack", "99"}, "incident 99: not found"},
		{[]string{"retro", "export", "42"}, "not found"},
	} {
		out := run(exitNotFound, c.args...)
		if !strings.Contains(out, c.want) {
			t.Errorf("entretien %.60q: output lacks %q:\n%.300s", c.args, c.want, out)
		}
	}

	out = run(0, "incident", "show", "2")
	for _, want := range []string{"garage down in paris", "curl says 503", "restarted garage", "-5% disk", "open → acknowledged", "took lead"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("show printed an escape sequence: %q", out)
	}
	run(0, "incident", "resolve", "2")
	run(0, "retro", "add", "2", "factor", "no disk alert on paris-1")
	run(0, "retro", "add", "2", "factor", "logs never rotated")
	run(0, "retro", "add", "2", "well", "found in ten minutes")
	run(0, "retro", "action", "2", "add a disk alert", "--owner", "lucas", "--due", "2026-12-01")
	out = run(0, "retro", "actions")
	if !strings.Contains(out, "add a disk alert — lucas, 2026-12-01") {
		t.Fatalf("actions: %q", out)
	}
	run(0, "retro", "action-set", "1", "done")
	if out := run(0, "retro", "actions"); !strings.Contains(out, "no action item") {
		t.Fatalf("done action still pending: %q", out)
	}
	out = run(0, "retro", "show", "2")
	for _, want := range []string{"Contributing factors", "no disk alert", "logs never rotated", "detected → acknowledged", "noticed by amelie", "led by amelie"} {
		if !strings.Contains(out, want) {
			t.Errorf("retro show lacks %q:\n%s", want, out)
		}
	}
	md := filepath.Join(t.TempDir(), "retro.md")
	run(0, "retro", "export", "2", "-o", md)
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "## ") {
			heads = append(heads, l[3:])
		}
	}
	if got := strings.Join(heads, "|"); got != "Summary|Impact|Key moments|Timeline (UTC)|Contributing factors|What went well|What was hard|Action items" {
		t.Fatalf("export headings %q", got)
	}
	if strings.ContainsAny(string(b), "\x1b\x07") || !strings.Contains(string(b), "curl says 503") {
		t.Fatalf("export:\n%s", b)
	}

	// The journal kept exactly what was typed.
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.Entries(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if es[0].Text != raw {
		t.Fatalf("entry not stored as typed: %q", es[0].Text)
	}
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, string(e.Kind))
	}
	if got := strings.Join(kinds, ","); got != "observation,action,observation,status,status" {
		t.Fatalf("entries after refused input: %s", got)
	}
}

// Several members post at the same moment, each from their own process
// (the bastion): every entry lands, nobody sees "database is locked" (on
// SQLite) or a serialization failure (on PostgreSQL).
func TestConcurrentNotesFromProcesses(t *testing.T) {
	backends.ForEach(t, testConcurrentNotesFromProcesses)
}

func testConcurrentNotesFromProcesses(t *testing.T, be backends.Backend) {
	db := seededOn(t, be)
	const workers, each = 6, 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for i := 0; i < each; i++ {
				out, code := runBin(t, nil, "incident", "note", "1", fmt.Sprintf("worker %d note %d", w, i), "--db", db)
				if code != 0 || strings.Contains(out, "locked") || strings.Contains(out, "busy") || strings.Contains(out, "40001") {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("worker %d note %d: exit %d: %s", w, i, code, out))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d failed posts:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.Entries(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range es {
		seen[e.Text] = true
	}
	for w := 0; w < workers; w++ {
		for i := 0; i < each; i++ {
			if txt := fmt.Sprintf("worker %d note %d", w, i); !seen[txt] {
				t.Errorf("lost entry %q", txt)
			}
		}
	}
}
