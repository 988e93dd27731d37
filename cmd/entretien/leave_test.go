package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// leaveCount is how many leave rows the database holds, ended or not.
func leaveCount(t *testing.T, db string) int {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ls, err := st.Leaves(context.Background(), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return len(ls)
}

// leaveBy marks leave through the store as member by, with the store's
// clock at now (in the past, to make a leave that has ended since).
func leaveBy(t *testing.T, db, by string, now time.Time, l oncall.Leave) int64 {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SetClock(func() time.Time { return now })
	got, err := st.AddLeave(context.Background(), by, l)
	if err != nil {
		t.Fatal(err)
	}
	return got.ID
}

func TestLeaveCommands(t *testing.T) {
	db := seededDB(t) // the OS user running the tests is amelie
	out, code := runBin(t, nil, "leave", "add", "--db", db, "--from", "+2d", "--to", "+4d", "--reason", "dentist")
	if code != 0 || !strings.Contains(out, "leave #1: amelie away") {
		t.Fatalf("leave add: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "leave", "add", "--db", db, "--member", "lucas", "--from", "+10d", "--to", "+12d")
	if code != 0 || !strings.Contains(out, "leave #2: lucas away") {
		t.Fatalf("leave add --member: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "leave", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "MARKED BY") || !strings.Contains(out, "dentist") || !containsRow(out, "1", "amelie", "dentist", "amelie") ||
		!containsRow(out, "2", "lucas", "amelie") {
		t.Fatalf("leave list: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "leave", "list", "--db", db, "--member", "lucas", "--from", "now", "--to", "+3w")
	if code != 0 || !containsRow(out, "2", "lucas") || strings.Contains(out, "dentist") {
		t.Fatalf("leave list --member lucas: %d\n%s", code, out)
	}

	// Bad input: exit 2 naming what is wrong, nothing written.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--from", "+5d", "--to", "+3d"}, `--to "+3d": must be after --from`},
		{[]string{"add", "--from", "-3d", "--to", "-1d"}, "is in the past"},
		{[]string{"add", "--from", "+1d", "--to", "+3d"}, "overlaps leave #1"},
		{[]string{"add", "--from", "+20d", "--to", "+21d", "--member", "zoe"}, `member "zoe": not found`},
		{[]string{"add", "--from", "+20d", "--to", "+21d", "--reason", "bad\x1b[31mred"}, "control characters"},
		{[]string{"add", "--from", "+20d"}, "--to is required"},
		{[]string{"add", "--from", "someday", "--to", "+21d"}, `--from "someday"`},
		{[]string{"add", "--from", "+20d", "--to", "+21d", "--tz", "Mars/Olympus"}, `--tz "Mars/Olympus"`},
		{[]string{"add", "extra", "--from", "+20d", "--to", "+21d"}, `takes no arguments, got "extra"`},
		{[]string{"list", "--member", "zoe"}, `member "zoe": not found`},
		{[]string{"list", "--from", "+3d", "--to", "+1d"}, `--to "+1d"`},
		{[]string{"remove"}, "want exactly one leave ID"},
		{[]string{"remove", "1", "2"}, "want exactly one leave ID"},
		{[]string{"remove", "abc"}, `leave ID "abc": not a positive number`},
		{[]string{"remove", "99"}, "leave #99: not found"},
		{[]string{"frob"}, `unknown subcommand "frob"`},
		{nil, "want a subcommand"},
	} {
		out, code := runBin(t, nil, append(append([]string{"leave"}, c.args...), "--db", db)...)
		want := exitUsage
		if strings.HasSuffix(c.want, "not found") {
			want = exitNotFound
		}
		if code != want || !strings.Contains(out, c.want) {
			t.Errorf("leave %q: code %d, want %d and %q\n%s", c.args, code, want, c.want, out)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("leave %q printed an escape sequence: %q", c.args, out)
		}
	}
	if n := leaveCount(t, db); n != 2 {
		t.Fatalf("%d leave rows after refused input, want 2", n)
	}

	// Someone else's leave, marked by them: amelie may not remove it.
	now := time.Now()
	other := leaveBy(t, db, "chloe", now, oncall.Leave{Member: "chloe", Start: now.Add(30 * 24 * time.Hour), End: now.Add(32 * 24 * time.Hour)})
	out, code = runBin(t, nil, "leave", "remove", strconv.FormatInt(other, 10), "--db", db)
	if code != exitUsage || !strings.Contains(out, "amelie is neither the member on leave (chloe) nor who marked it (chloe)") {
		t.Fatalf("removing chloe's leave: %d\n%s", code, out)
	}
	// A leave over already stays.
	ended := leaveBy(t, db, "amelie", now.Add(-10*24*time.Hour), oncall.Leave{Member: "amelie", Start: now.Add(-9 * 24 * time.Hour), End: now.Add(-8 * 24 * time.Hour)})
	out, code = runBin(t, nil, "leave", "remove", "--db", db, strconv.FormatInt(ended, 10))
	if code != exitUsage || !strings.Contains(out, "past leave stays in the history") {
		t.Fatalf("removing an ended leave: %d\n%s", code, out)
	}
	if n := leaveCount(t, db); n != 4 {
		t.Fatalf("%d leave rows after refused removals, want 4", n)
	}

	// amelie removes her own leave and the one she marked for lucas.
	out, code = runBin(t, nil, "leave", "remove", "1", "--db", db)
	if code != 0 || !strings.Contains(out, "removed leave #1 of amelie") {
		t.Fatalf("leave remove 1: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "leave", "remove", "--db", db, "2")
	if code != 0 || !strings.Contains(out, "removed leave #2 of lucas") {
		t.Fatalf("leave remove 2: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "leave", "list", "--db", db, "--to", "+3w")
	if code != 0 || !strings.Contains(out, "no leave from ") || strings.Contains(out, "lucas") {
		t.Fatalf("leave list after removing: %d\n%s", code, out)
	}
	if n := leaveCount(t, db); n != 2 {
		t.Fatalf("%d leave rows at the end, want chloe's and the ended one", n)
	}
}

// containsRow reports whether one line of out holds every field, in order.
func containsRow(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		rest, ok := line, true
		for _, f := range fields {
			i := strings.Index(rest, f)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(f):]
		}
		if ok {
			return true
		}
	}
	return false
}
