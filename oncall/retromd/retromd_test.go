package retromd

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// parsed is what a reader of the export gets back: headings in order and
// the timeline table's rows, cells unescaped.
type parsed struct {
	headings []string
	timeline [][]string
	actions  [][]string
}

// splitRow splits a table row on the pipes Inline did not escape.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	var cells []string
	var cur strings.Builder
	esc := false
	for _, r := range line {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
			continue
		case r == '\\':
			esc = true
		case r == '|':
			cells = append(cells, Unescape(strings.TrimSpace(cur.String())))
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	return cells
}

func parse(t *testing.T, md string) parsed {
	t.Helper()
	var p parsed
	section := ""
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") {
			h := Unescape(strings.TrimSpace(strings.TrimLeft(line, "#")))
			p.headings = append(p.headings, h)
			section = h
			continue
		}
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := splitRow(line)
		switch section {
		case HTimeline:
			if cells[0] == "Time (UTC)" {
				continue
			}
			if len(cells) != 4 {
				t.Fatalf("timeline row with %d cells: %q", len(cells), line)
			}
			p.timeline = append(p.timeline, cells)
		case HActions:
			if cells[0] == "#" {
				continue
			}
			p.actions = append(p.actions, cells)
		}
	}
	return p
}

func TestExportParsesBack(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 2, 22, 30, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	for _, h := range []string{"amelie", "lucas"} {
		if _, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
	}
	inc, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "garage | down *everywhere*", Severity: 1, Affects: []string{"job/garage", "site/lyon", "node/lyon-1", "service/garage-s3"}})
	if err != nil {
		t.Fatal(err)
	}
	step := func(d time.Duration) { now = now.Add(d) }
	if _, _, err := st.RecordTransition(ctx, inc.ID, oncall.Transition{At: now.Add(time.Minute), Kind: "alloc", Subject: "job/garage",
		Site: "lyon", From: "running", To: "failed", Detail: "exit 1 | oom", Key: "a1"}, "watch@t"); err != nil {
		t.Fatal(err)
	}
	step(2 * time.Minute)
	e, _ := st.AddEntry(ctx, inc.ID, "amelie", oncall.KindObservation, "disk at 100% <b>\x1b[31mred\x1b[0m\nsecond line")
	step(time.Minute)
	st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusAcknowledged)
	st.TakeRole(ctx, inc.ID, "lucas", oncall.RoleLead, false)
	step(time.Minute)
	st.AmendEntry(ctx, e.ID, "amelie", "disk at 99%, not 100%")
	step(10 * time.Minute)
	st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusResolved)
	st.AddRetroNote(ctx, inc.ID, "amelie", oncall.SectionSummary, "Garage was down for 15 minutes.")
	st.AddRetroNote(ctx, inc.ID, "amelie", oncall.SectionFactor, "no disk alert")
	st.AddRetroNote(ctx, inc.ID, "lucas", oncall.SectionFactor, "logs [never](http://x) rotated")
	st.AddAction(ctx, inc.ID, "lucas", oncall.NewAction{Title: "rotate logs", Owner: "amelie", Due: "2026-03-10"})

	r, err := st.Retro(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if strings.ContainsAny(md, "\x1b\x07") || strings.Contains(md, "<b>") || strings.Contains(md, "[never](") {
		t.Fatalf("export lets markup or escapes through:\n%s", md)
	}
	p := parse(t, md)
	wantH := []string{"Incident #1: garage | down *everywhere*", HSummary, HImpact, HMoments, HTimeline, HFactors, HWell, HHard, HActions}
	if !reflect.DeepEqual(p.headings, wantH) {
		t.Fatalf("headings\n got %q\nwant %q", p.headings, wantH)
	}
	if len(p.timeline) != len(r.Timeline) {
		t.Fatalf("%d timeline rows, retro has %d:\n%s", len(p.timeline), len(r.Timeline), md)
	}
	var prev time.Time
	for i, row := range p.timeline {
		at, err := time.Parse(TimeLayout, row[0])
		if err != nil {
			t.Fatalf("row %d time %q: %v", i, row[0], err)
		}
		if at.Before(prev) {
			t.Fatalf("row %d out of order: %v before %v", i, at, prev)
		}
		prev = at
		if !at.Equal(r.Timeline[i].At.Truncate(time.Second)) || row[2] != r.Timeline[i].Kind {
			t.Fatalf("row %d = %q, want the retro's item %+v", i, row, r.Timeline[i])
		}
	}
	wantKinds := []string{"status", "system", "observation", "status", "role", "observation", "status", "role"}
	var kinds []string
	for _, row := range p.timeline {
		kinds = append(kinds, row[2])
	}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Fatalf("timeline kinds %q, want %q", kinds, wantKinds)
	}
	if p.timeline[1][1] != "cluster" || p.timeline[1][3] != "nomad: alloc job/garage running → failed (lyon): exit 1 | oom" {
		t.Fatalf("captured transition row %q (kinds %q)", p.timeline[1], kinds)
	}
	if got := p.timeline[2][3]; got != "disk at 100% <b>red second line" {
		t.Fatalf("entry not sanitised into one cell: %q", got)
	}
	if !strings.HasPrefix(p.timeline[5][3], "(amends #") {
		t.Fatalf("amendment row %q", p.timeline[5])
	}
	if len(p.actions) != 1 || !reflect.DeepEqual(p.actions[0][1:], []string{"rotate logs", "amelie", "2026-03-10", "open"}) {
		t.Fatalf("actions %q", p.actions)
	}
	// Sites and nodes are places, not services: each has its own line.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "- Services and jobs:") && (strings.Contains(line, "site") || strings.Contains(line, "node") || strings.Contains(line, "lyon")) {
			t.Errorf("a site or node listed among services: %q", line)
		}
	}
	for _, want := range []string{"- no disk alert", "- Duration: 14m 00s", "- Sites: lyon\n", "- detected → resolved: 14m 00s",
		"- Services and jobs: job/garage, service/garage-s3\n", "- Nodes: lyon-1\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("export lacks %q:\n%s", want, md)
		}
	}
}
