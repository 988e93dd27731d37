package rotafile

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

const good = `# the collective's rotations
rotation "primary" {
  time_zone    = "Europe/Paris"
  shift        = "1w"
  handoff      = "10:00"
  start        = "2026-03-23"
  participants = ["amelie", "lucas", "chloe"]
}

rotation "nuits lyon" {
  time_zone    = "Europe/Paris"
  shift        = "12h"
  start        = "2026-03-28 19:00"
  participants = ["lucas", "dara"]
}
`

func TestRotationFileParse(t *testing.T) {
	rs, err := Parse("rota.hcl", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%+v", rs)
	}
	p := rs[0]
	if p.Name != "primary" || p.TZ != "Europe/Paris" || p.ShiftCount != 1 || p.ShiftUnit != oncall.Weeks || p.Handoff != "10:00" ||
		!p.Start.Equal(time.Date(2026, 3, 22, 23, 0, 0, 0, time.UTC)) || strings.Join(p.Participants, ",") != "amelie,lucas,chloe" {
		t.Fatalf("primary %+v", p)
	}
	n := rs[1]
	if n.ShiftCount != 12 || n.ShiftUnit != oncall.Hours || n.Handoff != "" || !n.Start.Equal(time.Date(2026, 3, 28, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("nights %+v", n)
	}
	// Round trip through Format.
	again, err := Parse("again.hcl", Format(rs))
	if err != nil {
		t.Fatalf("%v\n%s", err, Format(rs))
	}
	if !bytes.Equal(Format(again), Format(rs)) {
		t.Fatalf("round trip:\n%s\n%s", Format(rs), Format(again))
	}
}

func TestRotationFileErrorsNameFieldValueAndPosition(t *testing.T) {
	edit := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	cases := []struct {
		name, src               string
		pos, field, value, want string
	}{
		{"typo in an argument", edit("handoff      =", "handof       ="), "rota.hcl:5,3", "argument", "handof", `Did you mean "handoff"?`},
		{"unknown block", edit(`rotation "nuits lyon"`, `rotaton "nuits lyon"`), "rota.hcl:10,1", "block", "rotaton", "Blocks of type"},
		{"handoff 25:00", edit(`"10:00"`, `"25:00"`), "rota.hcl:5,18", `rotation "primary".handoff`, "25:00", "HH:MM"},
		{"bad zone", edit(`"Europe/Paris"`, `"Europe/Pariss"`), "rota.hcl:3,18", `rotation "primary".time_zone`, "Europe/Pariss", "unknown time zone"},
		{"empty rotation", edit(`["amelie", "lucas", "chloe"]`, `[]`), "rota.hcl:7,18", `rotation "primary".participants`, "", "at least one"},
		{"bad shift", edit(`"1w"`, `"1 month"`), "rota.hcl:4,18", `rotation "primary".shift`, "1 month", "12h, 1d, 2w"},
		{"zero shift", edit(`"1w"`, `"0w"`), "rota.hcl:4,18", `rotation "primary".shift`, "0w", "at least 1"},
		{"relative start", edit(`"2026-03-23"`, `"today"`), "rota.hcl:6,18", `rotation "primary".start`, "today", "want a date"},
		{"impossible date", edit(`"2026-03-23"`, `"2026-02-30"`), "rota.hcl:6,18", `rotation "primary".start`, "2026-02-30", "calendar date"},
		{"handoff on hours", edit(`  start        = "2026-03-28 19:00"`, "  handoff = \"07:00\"\n  start = \"2026-03-28 19:00\""), "rota.hcl:13,13", `rotation "nuits lyon".handoff`, "07:00", "leave handoff out"},
		{"missing argument", edit(`  start        = "2026-03-23"`+"\n", ""), "rota.hcl:2,20", "file", "", `"start" is required`},
		{"duplicate", good + `rotation "primary" {
  time_zone = "UTC"
  shift = "1d"
  handoff = "09:00"
  start = "2026-01-01"
  participants = ["a"]
}`, "rota.hcl:16,1", "rotation", "primary", "declared twice"},
		{"syntax", edit(`participants = ["amelie",`, `participants = ["amelie",,`), "rota.hcl:7,28", "file", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := Parse("rota.hcl", []byte(c.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v (%+v)", err, rs)
			}
			if rs != nil {
				t.Fatalf("a bad file gave rotations %+v", rs)
			}
			if e.Pos != c.pos || (c.field != "file" && e.Field != c.field) || (c.field != "file" && e.Value != c.value) || !strings.Contains(e.Reason, c.want) {
				t.Fatalf("got %#v\nwant pos %s field %s value %q reason ~%q", e, c.pos, c.field, c.value, c.want)
			}
		})
	}
}

// FuzzRotationFile: no input panics or takes long; whatever is accepted formats
// to a file that parses back to the same rotations, each with a name, a
// zone, a shift and participants.
func FuzzRotationFile(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(`rotation "x" { time_zone = "Australia/Lord_Howe"
 shift = "1d"
 handoff = "02:15"
 start = "2026-10-04"
 participants = ["a"] }`))
	f.Add([]byte(`rotation "$${x} %%{y}" { time_zone = "UTC"
 shift = "3h"
 start = "2026-01-01T00:00:00+05:30"
 participants = ["a\u00e9", "b"] }`))
	f.Add([]byte(`rotation "a" { time_zone = "UTC" shift = "1d" }`))
	f.Add([]byte(`rotation "a" {` + "\n" + `time_zone = "${file("/etc/passwd")}"` + "\n}"))
	f.Add([]byte("rotation \"\\u0001\" {}"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, src []byte) {
		rs, err := Parse("f.hcl", src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Pos == "" || e.Reason == "" {
				t.Fatalf("error without position or reason: %#v", err)
			}
			return
		}
		for _, r := range rs {
			if r.Name == "" || r.TZ == "" || r.ShiftCount < 1 || len(r.Participants) == 0 || r.Start.IsZero() {
				t.Fatalf("accepted an incomplete rotation %+v", r)
			}
		}
		out := Format(rs)
		again, err := Parse("g.hcl", out)
		if err != nil {
			t.Fatalf("formatted file does not parse: %v\n%s", err, out)
		}
		if !bytes.Equal(Format(again), out) {
			t.Fatalf("round trip differs:\n%s\n%s", out, Format(again))
		}
	})
}
