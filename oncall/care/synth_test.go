package care

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// A synthetic year of a 15-member collective, for the benchmarks and the
// Load-vs-Compute consistency test.
var (
	// A past year: the store's on-call history stops at the real now.
	synthFrom = utc(2025, 1, 1, 0, 0)
	synthTo   = utc(2026, 1, 1, 0, 0)
	synthTZs  = []string{"Europe/Paris", "Europe/Brussels", "America/Montreal", "Asia/Tokyo", "Europe/Lisbon"}
	services  = []string{"garage", "guichet", "backup", "wiki", "mail", "matrix"}
	siteNames = []string{"paris", "lyon", "bruxelles"}
	freeKinds = []oncall.EntryKind{oncall.KindObservation, oncall.KindAction, oncall.KindDecision, oncall.KindQuestion, oncall.KindHandoff}
)

type synthWorld struct {
	facts     Facts
	rotations []oncall.Rotation
	statuses  map[int64]oncall.Status // final status per incident
	texts     map[int64]string        // status entry texts
}

func synthYear(members, incidents, entriesPer int) synthWorld {
	r := rand.New(rand.NewPCG(8, 2026))
	w := synthWorld{statuses: map[int64]oncall.Status{}, texts: map[int64]string{}}
	f := &w.facts
	var handles []string
	for i := range members {
		h := fmt.Sprintf("m%02d", i)
		handles = append(handles, h)
		f.Members = append(f.Members, Member{Handle: h, TZ: synthTZs[i%len(synthTZs)]})
	}
	rev := make([]string, len(handles))
	for i, h := range handles {
		rev[len(handles)-1-i] = h
	}
	w.rotations = []oncall.Rotation{
		{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks, Handoff: "10:00", Start: utc(2024, 12, 30, 9, 0), Participants: handles},
		{Name: "secondary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Days, Handoff: "09:00", Start: utc(2024, 12, 30, 8, 0), Participants: rev},
	}
	for _, rot := range w.rotations {
		for _, s := range rot.Shifts(synthFrom, synthTo) {
			f.Shifts = append(f.Shifts, HeldShift{Member: s.Member, Rotation: s.Rotation, Start: s.Start, End: s.End})
		}
	}
	for i, site := range siteNames {
		f.Machines = append(f.Machines, Machine{Node: site + "-1", Site: site, HostedBy: handles[i]})
	}
	var eid int64
	span := synthTo.Sub(synthFrom) - 10*24*time.Hour
	for id := int64(1); id <= int64(incidents); id++ {
		opened := synthFrom.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Second)
		crew := []string{handles[r.IntN(members)], handles[r.IntN(members)], handles[r.IntN(members)], handles[r.IntN(members)]}
		inc := Incident{ID: id, Title: fmt.Sprintf("incident %d", id), OpenedAt: opened, OpenedBy: crew[0],
			Affects: []string{"service/" + services[r.IntN(len(services))], "site/" + siteNames[r.IntN(len(siteNames))]}}
		if r.IntN(4) == 0 {
			inc.Affects = append(inc.Affects, "node/"+siteNames[r.IntN(len(siteNames))]+"-1")
		}
		f.Incidents = append(f.Incidents, inc)
		at := opened
		steps := []oncall.Status{oncall.StatusOpen, oncall.StatusAcknowledged, oncall.StatusMitigated, oncall.StatusResolved}
		for k := 0; k < entriesPer; k++ {
			at = at.Add(time.Duration(1+r.IntN(20)) * time.Minute)
			eid++
			e := Entry{ID: eid, IncidentID: id, At: at, Author: crew[r.IntN(len(crew))], Kind: freeKinds[r.IntN(len(freeKinds))]}
			switch {
			case k == 0:
				e.Author, e.Kind = "", oncall.KindSystem
			case k == 2 || k == entriesPer/2 || k == entriesPer-1:
				step := map[int]int{2: 1, entriesPer / 2: 2, entriesPer - 1: 3}[k]
				e.Kind, e.From, e.To = oncall.KindStatus, steps[step-1], steps[step]
				w.statuses[id] = e.To
				w.texts[eid] = string(e.From) + " → " + string(e.To)
			}
			f.Entries = append(f.Entries, e)
		}
		f.Roles = append(f.Roles,
			RolePeriod{IncidentID: id, Member: crew[0], Role: "lead", Start: opened.Add(time.Minute), End: at},
			RolePeriod{IncidentID: id, Member: crew[1], Role: "scribe", Start: opened.Add(2 * time.Minute), End: at})
		f.Retros = append(f.Retros, Retro{ID: id, IncidentID: id, At: at.Add(24 * time.Hour), Authors: uniq([]string{crew[1], crew[2]})})
		state := []string{"open", "doing", "done", "dropped"}[r.IntN(4)]
		item := ActionItem{ID: id, IncidentID: id, Title: "follow-up", Owner: crew[3], State: state, CreatedAt: at.Add(25 * time.Hour)}
		if state == "done" || state == "dropped" {
			item.ClosedAt = at.Add(24 * 8 * time.Hour)
		}
		f.ActionItems = append(f.ActionItems, item)
	}
	return w
}

// writeDB stores the synthetic world in a real SQLite file. Rows go in with
// one bulk transaction (the store API commits, and syncs, once per write:
// 20k entries would take minutes); the schema is the store's own, created
// by oncall.Open.
func (w synthWorld) writeDB(tb testing.TB, path string) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(q, args...); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	ids := map[string]int{}
	for i, m := range w.facts.Members {
		ids[m.Handle] = i + 1
		exec(`INSERT INTO members(id, handle, name, tz, created_at) VALUES (?, ?, ?, ?, ?)`, i+1, m.Handle, m.Handle, m.TZ, ts(synthFrom.Add(-time.Hour)))
	}
	null := func(h string) any {
		if h == "" {
			return nil
		}
		return ids[h]
	}
	for i, r := range w.rotations {
		exec(`INSERT INTO rotations(id, name, tz, shift_count, shift_unit, handoff, start_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			i+1, r.Name, r.TZ, r.ShiftCount, string(r.ShiftUnit), r.Handoff, ts(r.Start), ts(synthFrom.Add(-time.Hour)))
		for k, p := range r.Participants {
			exec(`INSERT INTO rotation_participants(rotation_id, position, member_id) VALUES (?, ?, ?)`, i+1, k, ids[p])
		}
	}
	last := map[int64]time.Time{}
	for _, e := range w.facts.Entries {
		last[e.IncidentID] = e.At
	}
	for _, inc := range w.facts.Incidents {
		exec(`INSERT INTO incidents(id, title, severity, status, opened_at, opened_by, updated_at) VALUES (?, ?, 2, ?, ?, ?, ?)`,
			inc.ID, inc.Title, string(w.statuses[inc.ID]), ts(inc.OpenedAt), ids[inc.OpenedBy], ts(last[inc.ID]))
		for k, a := range inc.Affects {
			exec(`INSERT INTO incident_affects(incident_id, position, target) VALUES (?, ?, ?)`, inc.ID, k, a)
		}
	}
	for _, e := range w.facts.Entries {
		text := "something happened"
		if t, ok := w.texts[e.ID]; ok {
			text = t
		}
		exec(`INSERT INTO entries(id, incident_id, at, author_id, kind, text, status_from, status_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.IncidentID, ts(e.At), null(e.Author), string(e.Kind), text, string(e.From), string(e.To))
	}
	for _, r := range w.facts.Roles {
		exec(`INSERT INTO incident_roles(incident_id, member_id, role, taken_at, left_at) VALUES (?, ?, ?, ?, ?)`,
			r.IncidentID, ids[r.Member], r.Role, ts(r.Start), ts(r.End))
	}
	for _, r := range w.facts.Retros {
		for _, a := range r.Authors {
			exec(`INSERT INTO retro_notes(incident_id, section, text, author_id, at) VALUES (?, 'factor', 'x', ?, ?)`, r.IncidentID, ids[a], ts(r.At))
		}
	}
	for _, a := range w.facts.ActionItems {
		// Even items record their closer (the owner) and are touched again
		// a year later, so the loader must read closed_at, not updated_at;
		// odd ones are as closed before schema v4: no closer, the last
		// update is the closing.
		upd, closedAt, closedBy := a.CreatedAt, any(nil), any(nil)
		if !a.ClosedAt.IsZero() {
			upd = a.ClosedAt
			if a.ID%2 == 0 {
				upd, closedAt, closedBy = a.ClosedAt.Add(365*24*time.Hour), ts(a.ClosedAt), ids[a.Owner]
			}
		}
		exec(`INSERT INTO action_items(id, incident_id, title, owner_id, state, created_at, created_by, updated_at, closed_at, closed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.IncidentID, a.Title, ids[a.Owner], a.State, ts(a.CreatedAt), ids[a.Owner], ts(upd), closedAt, closedBy)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestLoadMatchesFacts: what Load reads back from a real file computes to
// the same table as the facts that were written.
func TestLoadMatchesFacts(t *testing.T) {
	w := synthYear(6, 40, 12)
	path := filepath.Join(t.TempDir(), "synth.db")
	w.writeDB(t, path)
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	from, to := utc(2025, 4, 1, 0, 0), utc(2025, 10, 1, 0, 0)
	f, err := Load(context.Background(), st, from, to)
	if err != nil {
		t.Fatal(err)
	}
	f.Machines = w.facts.Machines
	got, want := Compute(f, from, to), Compute(w.facts, from, to)
	for i, row := range want.Rows {
		for j, fig := range Figures {
			if g, w := got.Rows[i].Cells[j].Value, row.Cells[j].Value; g != w {
				t.Errorf("%s %s: loaded %v, generated %v", row.Member, fig.ID, g, w)
			}
		}
	}
	if len(got.Services) != len(want.Services) || len(got.Sites) != len(want.Sites) {
		t.Errorf("coverage differs: %d/%d services, %d/%d sites", len(got.Services), len(want.Services), len(got.Sites), len(want.Sites))
	}
	if want.Balance[FigureIndex(EntriesWritten)].Total == 0 || want.Balance[FigureIndex(Repairs)].Total == 0 {
		t.Fatal("synthetic history too thin to compare")
	}
}

// The target: the whole care table of a year (15 members, rota
// history, 500 incidents, 20k entries) in at most 200 ms.
func BenchmarkCompute(b *testing.B) {
	w := synthYear(15, 500, 40)
	if n := len(w.facts.Entries); n != 20000 {
		b.Fatalf("%d entries", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		Compute(w.facts, synthFrom, synthTo)
	}
}

func BenchmarkLoadCompute(b *testing.B) {
	w := synthYear(15, 500, 40)
	path := filepath.Join(b.TempDir(), "synth.db")
	w.writeDB(b, path)
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ReportAllocs()
	for b.Loop() {
		f, err := Load(context.Background(), st, synthFrom, synthTo)
		if err != nil {
			b.Fatal(err)
		}
		f.Machines = w.facts.Machines
		Compute(f, synthFrom, synthTo)
	}
}
