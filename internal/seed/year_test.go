package seed

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

var yearNow = time.Date(2026, 11, 25, 13, 20, 0, 0, time.UTC) // a Wednesday, 14:20 in Paris

// seededYear seeds a fresh store as of yearNow and reads it at yearNow.
func seededYear(t testing.TB) oncall.Store { return seededYearOn(t, backends.SQLite()) }

func seededYearOn(t testing.TB, be backends.Backend) oncall.Store {
	t.Helper()
	ctx := context.Background()
	st := be.Open(t)
	again := func(context.Context) (oncall.Store, error) { return be.Again(t, st), nil }
	if err := Collective(ctx, again, "demo", yearNow); err != nil {
		t.Fatal(err)
	}
	st.SetClock(func() time.Time { return yearNow })
	return st
}

// careTable computes the care figures over days as the care screen does,
// with the dev cluster's machines (one per site, named like it).
func careTable(t testing.TB, st oncall.Store, days int) care.Table {
	t.Helper()
	from, to := care.Window(yearNow, days)
	f, err := care.Load(context.Background(), st, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, site := range []string{"bruxelles", "lyon", "paris"} {
		f.Machines = append(f.Machines, care.Machine{Node: site, Site: site, HostedBy: MachineHosts[site]})
	}
	return care.Compute(f, from, to)
}

func value(t *testing.T, tab care.Table, member, fig string) float64 {
	t.Helper()
	c, ok := tab.Cell(member, fig)
	if !ok {
		t.Fatalf("no cell %s/%s", member, fig)
	}
	return c.Value
}

// The year is shared unevenly, the way it was built: the care figures
// over 365 days show it.
func TestYearCareFigures(t *testing.T) { backends.ForEach(t, testYearCareFigures) }

func testYearCareFigures(t *testing.T, be backends.Backend) {
	ctx := context.Background()
	st := seededYearOn(t, be)
	tab := careTable(t, st, 365)
	if len(tab.Rows) != 5 {
		t.Fatalf("%d members", len(tab.Rows))
	}

	// Every hour of the window was held by exactly one member, from the
	// recorded history (only this week's stretch is still in progress).
	var held float64
	from, _ := care.Window(yearNow, 365)
	hs, err := st.OnCallHistory(ctx, from, yearNow)
	if err != nil {
		t.Fatal(err)
	}
	this, _ := mondayOnOrBefore(yearNow, "Europe/Paris", 10)
	for _, h := range hs {
		if h.Recorded != h.End.Before(this.Add(time.Second)) {
			t.Errorf("shift %+v: recorded %v, want recorded iff it ended by this week's handoff", h, h.Recorded)
		}
	}
	covering := 0
	for _, r := range tab.Rows {
		nonZero := 0
		for _, c := range r.Cells {
			if c.Value > 0 {
				nonZero++
			}
		}
		// Everyone does something of every phase but one, at least.
		if nonZero < 6 || value(t, tab, r.Member, care.HoursHeld) == 0 || value(t, tab, r.Member, care.EntriesWritten) == 0 {
			t.Errorf("%s: %d non-zero figures, %v", r.Member, nonZero, r.Cells)
		}
		held += value(t, tab, r.Member, care.HoursHeld)
		covering += int(value(t, tab, r.Member, care.ShiftsCovered))
	}
	if math.Abs(held-365*24) > 1 {
		t.Errorf("%.1f on-call hours held over 365 days, want %d", held, 365*24)
	}
	if covering < 40 {
		t.Errorf("%d shifts covered for others, want the year's overrides and swaps", covering)
	}

	// lucas holds the most night hours, by a clear margin.
	lucas := value(t, tab, "lucas", care.HoursNight)
	for _, m := range []string{"amelie", "chloe", "dara", "kenji"} {
		if n := value(t, tab, m, care.HoursNight); n == 0 || lucas < 1.3*n {
			t.Errorf("night hours: lucas %.0f, %s %.0f; want lucas far ahead, %s above zero", lucas, m, n, m)
		}
	}
	if c, _ := tab.Cell("lucas", care.HoursNight); c.AbovePct < 30 {
		t.Errorf("lucas's night share %+d%% above average, want a flag", c.AbovePct)
	}

	// bruxelles is repaired by its host alone; paris by many.
	sites := map[string]care.Coverage{}
	for _, c := range tab.Sites {
		sites[c.Name] = c
	}
	if b := sites["bruxelles"]; !reflect.DeepEqual(b.Actors, []string{"chloe"}) || len(b.Incidents) < 4 || !b.Risk {
		t.Errorf("bruxelles coverage %+v, want chloe alone over its incidents", b)
	}
	if p := sites["paris"]; len(p.Actors) < 3 {
		t.Errorf("paris acted on by %v, want several members", p.Actors)
	}
	for _, h := range tab.Hosting {
		if h.Site == "bruxelles" && (!reflect.DeepEqual(h.Hosts, []string{"chloe"}) || !reflect.DeepEqual(h.Repairers, []string{"chloe"})) {
			t.Errorf("bruxelles hosting %+v", h)
		}
	}

	// About twenty resolved incidents, each with its retro; the one open.
	incs, err := st.Incidents(ctx, oncall.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	resolved, reviewed, retros := 0, 0, 0
	kinds := map[oncall.EntryKind]int{}
	amends, rolesLeft, handedOver := 0, 0, 0
	for _, inc := range incs {
		switch inc.Status {
		case oncall.StatusResolved:
			resolved++
		case oncall.StatusReviewed:
			resolved++
			reviewed++
		default:
			if inc.Title != IncidentTitle {
				t.Errorf("incident %q still %s", inc.Title, inc.Status)
			}
			continue
		}
		notes, err := st.RetroNotes(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		secs := map[oncall.Section]bool{}
		for _, n := range notes {
			secs[n.Section] = true
		}
		if len(secs) == len(oncall.Sections) {
			retros++
		}
		es, err := st.Entries(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			kinds[e.Kind]++
			if e.Amends != 0 {
				amends++
			}
		}
		roles, err := st.Roles(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		leads := 0
		for _, r := range roles {
			if r.Held() {
				t.Errorf("incident %d: %s still %s after it was resolved", inc.ID, r.Member, r.Role)
			}
			if r.Role == oncall.RoleHelper && r.Left.Before(es[len(es)-1].At) {
				rolesLeft++
			}
			if r.Role == oncall.RoleLead {
				leads++
			}
		}
		if leads > 1 {
			handedOver++
		}
	}
	if resolved < 18 || resolved > 22 || retros != resolved || reviewed == 0 || reviewed == resolved {
		t.Errorf("%d resolved incidents (%d reviewed), %d with a full retro", resolved, reviewed, retros)
	}
	for _, k := range oncall.EntryKinds {
		if kinds[k] == 0 {
			t.Errorf("no %s entry in the year", k)
		}
	}
	if amends == 0 || rolesLeft == 0 || handedOver == 0 {
		t.Errorf("amendments %d, roles left before the end %d, leads handed over %d", amends, rolesLeft, handedOver)
	}
	var retroTotal float64
	for _, r := range tab.Rows {
		retroTotal += value(t, tab, r.Member, care.RetrosWritten)
	}
	if retroTotal < float64(resolved) {
		t.Errorf("%.0f retro authorships for %d retros", retroTotal, resolved)
	}

	// Action items: some done (not always by their owner), some open, one dropped.
	items, err := st.Actions(ctx, oncall.ActionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[oncall.ActionState]int{}
	byOther := 0
	for _, a := range items {
		states[a.State]++
		if a.State == oncall.ActionDone && a.ClosedBy != a.Owner {
			byOther++
		}
	}
	if states[oncall.ActionDone] < 10 || states[oncall.ActionOpen] < 3 || states[oncall.ActionDropped] == 0 || byOther == 0 {
		t.Errorf("action items by state %v, %d closed by someone else", states, byOther)
	}

	// The rota's history: overrides confirmed and declined, swaps, leave
	// (one marked by another member).
	ovs, err := st.Overrides(ctx, from, yearNow)
	if err != nil {
		t.Fatal(err)
	}
	ostat, swaps := map[oncall.OverrideStatus]int{}, map[int64]bool{}
	for _, o := range ovs {
		ostat[o.Status]++
		if o.SwapID != 0 && o.Status == oncall.Confirmed {
			swaps[o.SwapID] = true
		}
	}
	if ostat[oncall.Confirmed] < 40 || ostat[oncall.Declined] == 0 || len(swaps) < 3 {
		t.Errorf("overrides by status %v, %d swaps", ostat, len(swaps))
	}
	ls, err := st.Leaves(ctx, from.AddDate(0, 0, -14), yearNow)
	if err != nil {
		t.Fatal(err)
	}
	markedByOther := slices.ContainsFunc(ls, func(l oncall.Leave) bool { return l.CreatedBy != l.Member })
	if len(ls) < 5 || !markedByOther {
		t.Errorf("%d leaves (one marked by someone else: %v)", len(ls), markedByOther)
	}

	if ok, _, err := st.Seeded(ctx); err != nil || !ok {
		t.Errorf("store not marked seeded: %v %v", ok, err)
	}
}

// The same now gives the same figures, seeded twice from scratch.
func TestYearDeterministic(t *testing.T) {
	a, b := careTable(t, seededYear(t), 365), careTable(t, seededYear(t), 365)
	if !reflect.DeepEqual(a, b) {
		for i := range a.Rows {
			if !reflect.DeepEqual(a.Rows[i], b.Rows[i]) {
				t.Errorf("row %s differs", a.Rows[i].Member)
			}
		}
		t.Fatal("two seeds from scratch give different care figures")
	}
}

// The last 30 days keep what the present-day seed shows: lyon and guichet
// acted on by lucas alone, in the one open incident.
func TestYearLastMonth(t *testing.T) {
	tab := careTable(t, seededYear(t), 30)
	for _, list := range [][]care.Coverage{tab.Services, tab.Sites} {
		for _, c := range list {
			if (c.Name == "guichet" || c.Name == "lyon") && (!reflect.DeepEqual(c.Actors, []string{"lucas"}) || len(c.Incidents) != 1) {
				t.Errorf("%s %s over 30 days: %+v", c.Kind, c.Name, c)
			}
		}
	}
	if len(tab.Services) < 2 {
		t.Errorf("services over 30 days %+v: want the month's incidents too", tab.Services)
	}
}

// The seed is laid out relative to now: any day of the week, any hour,
// across a DST change, it goes through the Store's rules.
func TestYearAnyNow(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2027, 3, 29, 7, 0, 0, 0, time.UTC)               // Monday before the handoff, just after spring forward
	nows := []time.Time{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} // at a handoff, to the second
	for i := range 8 {
		nows = append(nows, base.Add(time.Duration(i)*21*time.Hour))
	}
	for i, now := range nows {
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), fmt.Sprintf("d%d.db", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := Collective(ctx, File(st.Describe()), "demo", now); err != nil {
			t.Fatalf("now %v: %v", now, err)
		}
		st.SetClock(func() time.Time { return now })
		ocs, err := st.OnCallAt(ctx, now)
		if err != nil || len(ocs) != 1 || ocs[0].Now.Member != "amelie" || ocs[0].Next.Member != "lucas" {
			t.Fatalf("now %v: on call %+v %v", now, ocs, err)
		}
		// The same shape whatever the day: every past incident, and the open one.
		if incs, err := st.Incidents(ctx, oncall.IncidentFilter{}); err != nil || len(incs) != len(pastIncidents)+1 {
			t.Fatalf("now %v: %d incidents, %v", now, len(incs), err)
		}
		st.Close()
	}
}

func BenchmarkCollective(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	for i := 0; b.Loop(); i++ {
		st, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("b%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		if err := Collective(ctx, File(st.Describe()), "demo", yearNow); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}
