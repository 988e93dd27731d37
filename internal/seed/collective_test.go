package seed

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

func TestCollective(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 25, 14, 20, 0, 0, paris) // a Wednesday

	if err := Collective(ctx, File(st.Describe()), "demo", now); err != nil {
		t.Fatal(err)
	}

	ms, err := st.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]oncall.Member{}
	for _, m := range ms {
		got[m.Handle] = m
	}
	want := map[string]struct{ name, tz string }{
		"amelie": {"Amélie", "Europe/Paris"}, "lucas": {"Lucas", "Europe/Paris"},
		"chloe": {"Chloé", "Europe/Brussels"}, "dara": {"Dara", "America/Montreal"}, "kenji": {"Kenji", "Asia/Tokyo"},
	}
	if len(ms) != len(want) {
		t.Fatalf("%d members", len(ms))
	}
	for h, w := range want {
		m := got[h]
		if m.Name != w.name || m.TZ != w.tz {
			t.Errorf("member %s = %+v", h, m)
		}
		if byOS, err := st.MemberByOSUser(ctx, h); err != nil || byOS.Handle != h {
			t.Errorf("OS user %s maps to %q, %v", h, byOS.Handle, err)
		}
	}
	if m, err := st.MemberByOSUser(ctx, "demo"); err != nil || m.Handle != "amelie" {
		t.Fatalf("demo OS user maps to %q, %v", m.Handle, err)
	}

	// Who is on call: the rotation started Monday 23 Nov 10:00 Paris, amelie first.
	ocs, err := st.OnCallAt(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ocs) != 1 {
		t.Fatalf("%d rotations", len(ocs))
	}
	oc := ocs[0]
	r := oc.Rotation
	if r.Name != "primary" || r.TZ != "Europe/Paris" || r.ShiftUnit != oncall.Weeks || r.ShiftCount != 1 || r.Handoff != "10:00" ||
		!reflect.DeepEqual(r.Participants, []string{"amelie", "lucas", "chloe", "dara", "kenji"}) {
		t.Fatalf("rotation %+v", r)
	}
	if !r.Start.Equal(time.Date(2026, 11, 23, 10, 0, 0, 0, paris)) {
		t.Fatalf("start %v", r.Start.In(paris))
	}
	if !oc.HasNow || oc.Now.Member != "amelie" || oc.Next.Member != "lucas" ||
		!oc.Next.Start.Equal(time.Date(2026, 11, 30, 10, 0, 0, 0, paris)) {
		t.Fatalf("on call %+v", oc)
	}

	incs, err := st.Incidents(ctx, oncall.IncidentFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 1 {
		t.Fatalf("%d open incidents", len(incs))
	}
	inc := incs[0]
	if inc.Title != IncidentTitle || inc.Severity != 2 || inc.Status != oncall.StatusOpen || inc.OpenedBy != "lucas" ||
		!inc.OpenedAt.Equal(now.Add(-40*time.Minute)) ||
		!reflect.DeepEqual(inc.Affects, []string{"service/guichet", "job/guichet", "site/lyon"}) {
		t.Fatalf("incident %+v", inc)
	}
	es, err := st.Entries(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) < 3 || len(es) > 4 {
		t.Fatalf("%d entries", len(es))
	}
	authors, kinds := map[string]bool{}, map[oncall.EntryKind]bool{}
	for i, e := range es {
		authors[e.Author] = true
		kinds[e.Kind] = true
		if !e.At.After(inc.OpenedAt) || e.At.After(now) {
			t.Errorf("entry %d at %v, outside the incident's 40 minutes", i, e.At)
		}
		if i > 0 && e.At.Sub(es[i-1].At) < time.Minute {
			t.Errorf("entries %d and %d not spaced apart", i-1, i)
		}
	}
	if len(authors) < 3 || !kinds[oncall.KindObservation] || !kinds[oncall.KindAction] || !kinds[oncall.KindQuestion] {
		t.Fatalf("authors %v kinds %v", authors, kinds)
	}
	if !inc.UpdatedAt.Equal(es[len(es)-1].At) {
		t.Fatalf("UpdatedAt %v, last entry %v", inc.UpdatedAt, es[len(es)-1].At)
	}

	// Twice changes nothing: no commit at all, same content.
	all, err := st.Incidents(ctx, oncall.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// PRAGMA data_version moves, on one connection, with every commit by
	// any other.
	conn, err := st.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dataVersion := func() (v int64) {
		if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v1 := dataVersion()
	if err := Collective(ctx, File(st.Describe()), "someone-else", now.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if v2 := dataVersion(); v2 != v1 {
		t.Fatal("second seed wrote to the database")
	}
	ms2, _ := st.Members(ctx)
	incs2, _ := st.Incidents(ctx, oncall.IncidentFilter{})
	es2, _ := st.Entries(ctx, inc.ID)
	if !reflect.DeepEqual(ms, ms2) || !reflect.DeepEqual(all, incs2) || !reflect.DeepEqual(es, es2) {
		t.Fatal("second seed changed the data")
	}
}

func TestMondayOnOrBefore(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, c := range []struct{ now, want time.Time }{
		{time.Date(2026, 11, 25, 14, 0, 0, 0, paris), time.Date(2026, 11, 23, 10, 0, 0, 0, paris)}, // Wednesday
		{time.Date(2026, 11, 23, 10, 0, 0, 0, paris), time.Date(2026, 11, 23, 10, 0, 0, 0, paris)}, // Monday at handoff
		{time.Date(2026, 11, 23, 9, 59, 0, 0, paris), time.Date(2026, 11, 16, 10, 0, 0, 0, paris)}, // Monday before handoff
		{time.Date(2026, 11, 29, 23, 0, 0, 0, paris), time.Date(2026, 11, 23, 10, 0, 0, 0, paris)}, // Sunday night
		// An instant given in UTC is read on the Paris clock: 09:00 UTC is 11:00 CEST.
		{time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 10, 0, 0, 0, paris)},
	} {
		got, err := mondayOnOrBefore(c.now, "Europe/Paris", 10)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("mondayOnOrBefore(%v) = %v, %v; want %v", c.now, got, err, c.want)
		}
	}
}

// The demo's own OS user may be called like a member.
func TestCollectiveOSUserNamedLikeMember(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := Collective(ctx, File(st.Describe()), "lucas", time.Now()); err != nil {
		t.Fatal(err)
	}
	if m, err := st.MemberByOSUser(ctx, "lucas"); err != nil || m.Handle != "amelie" {
		t.Fatalf("OS user lucas maps to %q, %v", m.Handle, err)
	}
}
