package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

func rotaCount(t *testing.T, db, what string) int {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	switch what {
	case "members":
		ms, _ := st.Members(ctx)
		return len(ms)
	case "rotations":
		rs, _ := st.Rotations(ctx)
		return len(rs)
	}
	os, _ := st.Overrides(ctx, oncall.Range{}.Start, oncall.Range{}.Start.AddDate(3000, 0, 0))
	return len(os)
}

func TestRotaCommands(t *testing.T) {
	db := seededDB(t) // the OS user running the tests is amelie, first on primary this week
	out, code := runBin(t, nil, "rota", "now", "--db", db)
	if code != 0 || !strings.Contains(out, "primary: amelie until ") || !strings.Contains(out, "then lucas") {
		t.Fatalf("rota now: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "rota", "next", "--count", "2", "--db", db)
	if code != 0 || !strings.Contains(out, "lucas") || !strings.Contains(out, "chloe") || strings.Contains(out, "dara") {
		t.Fatalf("rota next: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "rota", "show", "--from", "today", "--to", "+3w", "--db", db)
	if code != 0 || !strings.Contains(out, "primary (every week, Europe/Paris)") || !strings.Contains(out, "MEMBER") {
		t.Fatalf("rota show: %d\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"--from", "2026-05-02", "--to", "2026-05-01"},
		{"--from", "yesterday"},
		{"--tz", "Mars/Olympus"},
	} {
		out, code = runBin(t, nil, append([]string{"rota", "show", "--db", db}, bad...)...)
		if code != exitUsage || !strings.Contains(out, bad[len(bad)-1]) {
			t.Errorf("rota show %v: code %d, want 2 naming the value\n%s", bad, code, out)
		}
	}
}

func TestRotaIcalFeedParses(t *testing.T) {
	db := seededDB(t)
	out, code := runBin(t, nil, "rota", "ical", "--member", "lucas", "--db", db)
	if code != 0 {
		t.Fatalf("rota ical: %d\n%s", code, out)
	}
	cal, err := ical.NewDecoder(strings.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, out)
	}
	evs := cal.Events()
	if len(evs) < 2 {
		t.Fatalf("%d events for lucas over 14 weeks:\n%s", len(evs), out)
	}
	for _, ev := range evs {
		sum, _ := ev.Props.Text(ical.PropSummary)
		if sum != "on call: primary (lucas)" {
			t.Fatalf("event %q in lucas's feed", sum)
		}
	}
	out, code = runBin(t, nil, "rota", "ical", "--member", "zoe", "--db", db)
	if code != exitNotFound || !strings.Contains(out, `member "zoe": not found`) || strings.Contains(out, "BEGIN:VCALENDAR") {
		t.Fatalf("unknown member: %d\n%s", code, out)
	}

	// --output replaces the file whole, for a web server to serve; a
	// refused run leaves it as it was, and no temporary file behind.
	dir := t.TempDir()
	feed := filepath.Join(dir, "rota.ics")
	out, code = runBin(t, nil, "rota", "ical", "--db", db, "--output", feed)
	if code != 0 || !strings.Contains(out, "wrote "+feed) {
		t.Fatalf("rota ical --output: %d\n%s", code, out)
	}
	data, err := os.ReadFile(feed)
	if err != nil {
		t.Fatal(err)
	}
	if cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode(); err != nil || len(cal.Events()) <= len(evs) {
		t.Fatalf("file feed: %v, %d events (lucas alone had %d)", err, len(cal.Events()), len(evs))
	}
	if st, _ := os.Stat(feed); st.Mode().Perm() != 0o644 {
		t.Errorf("feed mode %v, want 0644 (served to members)", st.Mode().Perm())
	}
	out, code = runBin(t, nil, "rota", "ical", "--db", db, "--member", "zoe", "--output", feed)
	if again, _ := os.ReadFile(feed); code != exitNotFound || !bytes.Equal(again, data) {
		t.Fatalf("refused run: %d, file changed: %v\n%s", code, !bytes.Equal(again, data), out)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left in the feed's dir: %v", ents)
	}
}

func TestMemberCommands(t *testing.T) {
	db := seededDB(t)
	out, code := runBin(t, nil, "member", "add", "--db", db, "--handle", "eve", "--name", "Ève", "--tz", "Europe/Brussels",
		"--os-user", "eve", "--available", "daily 08:00-22:00")
	if code != 0 || !strings.Contains(out, "added eve") {
		t.Fatalf("member add: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "member", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "eve") || !strings.Contains(out, "daily 08:00-22:00") || !strings.Contains(out, "always") {
		t.Fatalf("member list: %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--handle", "zed", "--name", "Zed", "--tz", "Mars/Olympus"}, `member.tz "Mars/Olympus"`},
		{[]string{"--handle", "Zed!", "--name", "Zed", "--tz", "UTC"}, `member.handle "Zed!"`},
		{[]string{"--handle", "zed", "--name", "Zed", "--tz", "UTC", "--available", "nights"}, `member.availability "nights"`},
		{[]string{"--handle", "eve", "--name", "Eve again", "--tz", "UTC"}, `member.handle "eve": already taken`},
	} {
		out, code := runBin(t, nil, append([]string{"member", "add", "--db", db}, c.args...)...)
		if code != exitUsage || !strings.Contains(out, c.want) {
			t.Errorf("member add %v: code %d, want 2 and %q\n%s", c.args, code, c.want, out)
		}
	}
	if n := rotaCount(t, db, "members"); n != 6 {
		t.Fatalf("%d members after refused adds, want 6", n)
	}

	// Availability changes without a new member; bad windows write nothing.
	out, code = runBin(t, nil, "member", "available", "--db", db, "eve", "weekends")
	if code != 0 || !strings.Contains(out, "eve is available weekends") {
		t.Fatalf("member available: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "member", "available", "--db", db, "eve", "weekends", "nights")
	if code != exitUsage || !strings.Contains(out, `member.availability "nights"`) {
		t.Fatalf("member available with a bad window: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "member", "available", "--db", db, "nobody", "weekends")
	if code != exitNotFound || !strings.Contains(out, `member "nobody": not found`) {
		t.Fatalf("member available for an unknown member: %d\n%s", code, out)
	}
	out, _ = runBin(t, nil, "member", "list", "--db", db)
	if !strings.Contains(out, "weekends") || strings.Contains(out, "daily 08:00-22:00") {
		t.Fatalf("member list after available: \n%s", out)
	}
	out, code = runBin(t, nil, "member", "available", "--db", db, "eve")
	if code != 0 || !strings.Contains(out, "eve is always available") {
		t.Fatalf("member available with no window: %d\n%s", code, out)
	}
}

const rotaFile = `rotation "primary" {
  time_zone    = "Europe/Paris"
  shift        = "1w"
  handoff      = "10:00"
  start        = "2026-01-05"
  participants = ["amelie", "lucas", "chloe", "dara", "kenji"]
}

rotation "lyon" {
  time_zone    = "Europe/Paris"
  shift        = "1d"
  handoff      = "09:00"
  start        = "2026-01-05"
  participants = ["lucas", "amelie"]
}
`

func TestRotationCreateAndApply(t *testing.T) {
	db := seededDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "x", "--tz", "Europe/Paris", "--shift", "1d", "--handoff", "25:00", "--start", "2026-01-01", "--participants", "amelie"}, `--handoff "25:00"`},
		{[]string{"--name", "x", "--tz", "Europe/Pariss", "--shift", "1d", "--handoff", "09:00", "--start", "2026-01-01", "--participants", "amelie"}, `--tz "Europe/Pariss"`},
		{[]string{"--name", "x", "--tz", "UTC", "--shift", "1d", "--handoff", "09:00", "--start", "2026-01-01", "--participants", ""}, `--participants`},
		{[]string{"--name", "x", "--tz", "UTC", "--shift", "1d", "--handoff", "09:00", "--start", "2026-01-01", "--participants", "amelie,zoe"}, `member "zoe": not found`},
		{[]string{"--name", "primary", "--tz", "UTC", "--shift", "1d", "--handoff", "09:00", "--start", "2026-01-01", "--participants", "amelie"}, `rotation.name "primary": already exists`},
	} {
		out, code := runBin(t, nil, append([]string{"rotation", "create", "--db", db}, c.args...)...)
		if want := wantCode(c.want); code != want || !strings.Contains(out, c.want) {
			t.Errorf("rotation create %v: code %d, want %d and %q\n%s", c.args, code, want, c.want, out)
		}
	}
	if n := rotaCount(t, db, "rotations"); n != 1 {
		t.Fatalf("%d rotations after refused creates", n)
	}
	out, code := runBin(t, nil, "rotation", "create", "--db", db, "--name", "nights", "--tz", "Europe/Brussels", "--shift", "12h",
		"--start", "2026-01-01 19:00", "--participants", "chloe,dara")
	if code != 0 || !strings.Contains(out, "created rotation nights") {
		t.Fatalf("rotation create: %d\n%s", code, out)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "rota.hcl")
	if err := os.WriteFile(file, []byte(rotaFile), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = runBin(t, nil, "rotation", "apply", file, "--db", db)
	if code != 0 || !strings.Contains(out, "created 1, updated 1, unchanged 0") {
		t.Fatalf("first apply: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "rotation", "apply", "--db", db, file)
	if code != 0 || !strings.Contains(out, "created 0, updated 0, unchanged 2") {
		t.Fatalf("second apply is not a no-op: %d\n%s", code, out)
	}
	typo := filepath.Join(dir, "typo.hcl")
	os.WriteFile(typo, []byte(strings.Replace(rotaFile, "handoff      = \"09:00\"", "handof = \"09:00\"", 1)+
		"rotation \"new\" {\n time_zone = \"UTC\"\n shift = \"1d\"\n handoff = \"09:00\"\n start = \"2026-01-01\"\n participants = [\"amelie\"]\n}\n"), 0o644)
	out, code = runBin(t, nil, "rotation", "apply", "--db", db, typo)
	if code != exitUsage || !strings.Contains(out, "typo.hcl:12,3") || !strings.Contains(out, `"handof"`) {
		t.Fatalf("typo: %d\n%s", code, out)
	}
	if n := rotaCount(t, db, "rotations"); n != 3 {
		t.Fatalf("%d rotations after the typo file, want 3", n)
	}
	out, code = runBin(t, nil, "rotation", "export", "--db", db)
	if code != 0 || !strings.Contains(out, `rotation "lyon"`) || !strings.Contains(out, `shift        = "12h"`) {
		t.Fatalf("export: %d\n%s", code, out)
	}
}

func TestOverrideCommands(t *testing.T) {
	db := seededDB(t) // amelie holds primary this week
	out, code := runBin(t, nil, "override", "add", "--db", db, "--rotation", "primary", "--covering", "lucas", "--covered", "amelie",
		"--from", "+1h", "--to", "+3h", "--note", "dentist")
	if code != 0 || !strings.Contains(out, "override #1: lucas covers amelie") || !strings.Contains(out, "waiting for lucas") {
		t.Fatalf("override add: %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--covering", "lucas", "--covered", "amelie", "--from", "+2h", "--to", "+4h"}, "override.range"},
		{[]string{"--covering", "zoe", "--covered", "amelie", "--from", "+5h", "--to", "+6h"}, `member "zoe": not found`},
		{[]string{"--covering", "lucas", "--covered", "amelie", "--from", "+6h", "--to", "+5h"}, `--to "+5h": must be after --from`},
		{[]string{"--covering", "lucas", "--covered", "chloe", "--from", "+5h", "--to", "+6h"}, `override.covered "chloe"`},
		{[]string{"--covering", "lucas", "--covered", "amelie", "--from", "2026-02-30", "--to", "+6h"}, `--from "2026-02-30"`},
	} {
		out, code := runBin(t, nil, append([]string{"override", "add", "--db", db, "--rotation", "primary"}, c.args...)...)
		if want := wantCode(c.want); code != want || !strings.Contains(out, c.want) {
			t.Errorf("override add %v: code %d, want %d and %q\n%s", c.args, code, want, c.want, out)
		}
	}
	if n := rotaCount(t, db, "overrides"); n != 1 {
		t.Fatalf("%d overrides after refused adds", n)
	}
	out, code = runBin(t, nil, "override", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "proposed, waiting for lucas") {
		t.Fatalf("override list: %d\n%s", code, out)
	}
	// amelie cannot accept her own proposal; she can cancel it.
	out, code = runBin(t, nil, "override", "accept", "1", "--db", db)
	if code != exitUsage || !strings.Contains(out, "not waiting for amelie") {
		t.Fatalf("self accept: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "override", "decline", "1", "--db", db)
	if code != 0 || !strings.Contains(out, "cancelled") {
		t.Fatalf("cancel: %d\n%s", code, out)
	}
	out, code = runBin(t, nil, "override", "accept", "x", "--db", db)
	if code != exitUsage {
		t.Fatalf("bad id: %d\n%s", code, out)
	}
}

// override swap: amelie (the OS user) proposes that lucas and chloe trade
// their next weeks; both are then asked.
func TestOverrideSwapCommand(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Rotation(ctx, "primary")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	inside := map[string]string{} // member -> a time inside their next shift
	now := time.Now()
	for _, sh := range r.Shifts(now, now.AddDate(0, 0, 60)) {
		if _, ok := inside[sh.Member]; !ok && sh.Start.After(now) {
			inside[sh.Member] = sh.Start.Add(sh.End.Sub(sh.Start) / 2).In(paris).Format("2006-01-02 15:04")
		}
	}
	out, code := runBin(t, nil, "override", "swap", "--db", db, "--rotation", "primary", "--for", "lucas", "--with", "chloe",
		"--shift", inside["lucas"], "--their-shift", inside["chloe"], "--note", "moving house")
	if code != 0 || !strings.Contains(out, "chloe covers lucas") || !strings.Contains(out, "lucas covers chloe") ||
		!strings.Contains(out, "waiting for chloe and lucas") {
		t.Fatalf("override swap: %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--for", "lucas", "--with", "lucas", "--shift", inside["lucas"], "--their-shift", inside["lucas"]}, "swap.with"},
		{[]string{"--for", "dara", "--with", "chloe", "--shift", inside["lucas"], "--their-shift", inside["chloe"]}, "dara's shifts"},
		{[]string{"--with", "chloe", "--shift", "soon", "--their-shift", inside["chloe"]}, `--shift "soon"`},
		{[]string{"--with", "chloe", "--shift", inside["lucas"]}, "--their-shift is required"},
	} {
		out, code := runBin(t, nil, append([]string{"override", "swap", "--db", db, "--rotation", "primary"}, c.args...)...)
		if code != exitUsage || !strings.Contains(out, c.want) {
			t.Errorf("override swap %v: code %d, want 2 and %q\n%s", c.args, code, c.want, out)
		}
	}
	if n := rotaCount(t, db, "overrides"); n != 2 {
		t.Fatalf("%d overrides, want the 2 halves of one swap", n)
	}
}

// wantCode is the exit code of a refused command by its message: 3 for
// what does not exist, 2 for any other refused input.
func wantCode(msg string) int {
	if strings.HasSuffix(msg, "not found") {
		return exitNotFound
	}
	return exitUsage
}
