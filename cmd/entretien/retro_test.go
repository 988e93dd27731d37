package main

import (
	"context"
	"strings"
	"testing"

	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// `retro action-set` records the member running it as the closer, even on
// an item someone else owns, and shows it; reopening clears it.
func TestRetroActionSetRecordsCloser(t *testing.T) {
	db := seededDB(t) // the OS user running the tests is amelie
	run := func(args ...string) string {
		t.Helper()
		full := append(append(append([]string{}, args[:2]...), "--db", db), args[2:]...)
		out, code := runBin(t, nil, full...)
		if code != 0 {
			t.Fatalf("entretien %q: exit %d\n%s", args, code, out)
		}
		return out
	}
	out := run("retro", "action", "1", "add a disk alert", "--owner", "lucas")
	if !strings.Contains(out, "added #1 ") || strings.Contains(out, "closed by") {
		t.Fatalf("action: %q", out)
	}
	out = run("retro", "action-set", "1", "done")
	if !strings.Contains(out, "[done]") || !strings.Contains(out, "— lucas,") || !strings.Contains(out, "closed by amelie ") {
		t.Fatalf("action-set done: %q", out)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.Action(context.Background(), 1)
	st.Close()
	if err != nil || a.ClosedBy != "amelie" || a.Owner != "lucas" || a.ClosedAt.IsZero() {
		t.Fatalf("stored %+v %v", a, err)
	}
	if out := run("retro", "actions", "--all"); !strings.Contains(out, "closed by amelie") {
		t.Fatalf("actions --all: %q", out)
	}
	if out := run("retro", "action-set", "1", "open"); strings.Contains(out, "closed by") {
		t.Fatalf("reopened yet %q", out)
	}
}
