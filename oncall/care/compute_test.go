package care

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

func status(id, inc int64, at time.Time, by string, from, to oncall.Status) Entry {
	return Entry{ID: id, IncidentID: inc, At: at, Author: by, Kind: oncall.KindStatus, From: from, To: to}
}

func entry(id, inc int64, at time.Time, by string, kind oncall.EntryKind) Entry {
	return Entry{ID: id, IncidentID: inc, At: at, Author: by, Kind: kind}
}

// recorded is a small history whose figures are worked out by hand in
// TestComputeByHand. It holds the EU spring-forward week (Sunday 29 March
// 2026, 02:00 -> 03:00 in Paris) and a member in Tokyo covering a Paris
// rotation.
var (
	winFrom = utc(2026, 3, 20, 0, 0)
	winTo   = utc(2026, 4, 10, 0, 0)
)

func recorded() Facts {
	return Facts{
		Members: []Member{{"lucas", "Europe/Paris"}, {"amelie", "Europe/Paris"}, {"kenji", "Asia/Tokyo"}},
		Machines: []Machine{
			{Node: "paris-1", Site: "paris", HostedBy: "amelie"},
			{Node: "lyon-1", Site: "lyon", HostedBy: "lucas"},
			{Node: "lyon-2", Site: "lyon", HostedBy: "kenji"},
		},
		Shifts: []HeldShift{
			// Mon 23 Mar 10:00 CET -> Mon 30 Mar 10:00 CEST: 167 hours.
			{Member: "amelie", Rotation: "primary", Start: utc(2026, 3, 23, 9, 0), End: utc(2026, 3, 30, 8, 0)},
			// 24 hours from Tue 31 Mar 18:00 in Tokyo, in lucas's place.
			{Member: "kenji", Rotation: "primary", Start: utc(2026, 3, 31, 9, 0), End: utc(2026, 4, 1, 9, 0), Covering: "lucas"},
			// Starts before the window: only Fri 20 Mar 01:00 CET -> Mon 23 10:00 counts.
			{Member: "lucas", Rotation: "primary", Start: utc(2026, 3, 16, 9, 0), End: utc(2026, 3, 23, 9, 0)},
		},
		Incidents: []Incident{
			{ID: 1, Title: "garage down in paris", Affects: []string{"service/garage", "job/garage", "node/paris-1"}, OpenedAt: utc(2026, 3, 24, 1, 0), OpenedBy: "amelie"},
			{ID: 2, Title: "guichet failing in lyon", Affects: []string{"service/guichet", "site/lyon"}, OpenedAt: utc(2026, 3, 31, 12, 0)},
			{ID: 3, Title: "old garage trouble", Affects: []string{"service/garage"}, OpenedAt: utc(2026, 3, 10, 8, 0), OpenedBy: "lucas"},
		},
		Entries: []Entry{
			status(10, 1, utc(2026, 3, 24, 1, 5), "amelie", oncall.StatusOpen, oncall.StatusAcknowledged),
			entry(11, 1, utc(2026, 3, 24, 1, 20), "amelie", oncall.KindAction),
			entry(12, 1, utc(2026, 3, 24, 1, 30), "lucas", oncall.KindObservation),
			status(13, 1, utc(2026, 3, 24, 2, 0), "amelie", oncall.StatusAcknowledged, oncall.StatusMitigated),
			entry(14, 1, utc(2026, 3, 24, 3, 0), "lucas", oncall.KindAction),
			status(15, 1, utc(2026, 3, 24, 10, 0), "lucas", oncall.StatusMitigated, oncall.StatusResolved),
			entry(20, 2, utc(2026, 3, 31, 11, 50), "", oncall.KindSystem), // captured before the opening,
			entry(21, 2, utc(2026, 3, 31, 12, 10), "kenji", oncall.KindObservation),
			status(22, 2, utc(2026, 3, 31, 12, 30), "kenji", oncall.StatusOpen, oncall.StatusAcknowledged),
			status(23, 2, utc(2026, 3, 31, 13, 0), "kenji", oncall.StatusAcknowledged, oncall.StatusResolved),
			entry(30, 3, utc(2026, 3, 10, 8, 30), "lucas", oncall.KindAction),
		},
		Roles: []RolePeriod{
			{IncidentID: 1, Member: "amelie", Role: "lead", Start: utc(2026, 3, 24, 1, 5), End: utc(2026, 3, 24, 10, 0)},
			{IncidentID: 1, Member: "lucas", Role: "scribe", Start: utc(2026, 3, 24, 1, 30)},
			{IncidentID: 2, Member: "kenji", Role: "helper", Start: utc(2026, 3, 31, 12, 10)},
			{IncidentID: 3, Member: "lucas", Role: "lead", Start: utc(2026, 3, 10, 8, 0)},
		},
		ActionItems: []ActionItem{
			{ID: 1, IncidentID: 1, Title: "second disk", Owner: "amelie", State: "open", CreatedAt: utc(2026, 3, 24, 5, 0)},
			{ID: 2, IncidentID: 3, Title: "alerting", Owner: "lucas", State: "done", CreatedAt: utc(2026, 3, 1, 0, 0), ClosedAt: utc(2026, 3, 25, 0, 0)},
			{ID: 3, IncidentID: 3, Title: "old", Owner: "kenji", State: "done", CreatedAt: utc(2026, 3, 1, 0, 0), ClosedAt: utc(2026, 3, 5, 0, 0)},
			{ID: 4, IncidentID: 1, Title: "runbook", Owner: "amelie", State: "done", CreatedAt: utc(2026, 4, 2, 0, 0), ClosedAt: utc(2026, 4, 3, 0, 0), ClosedBy: "lucas"},
			{ID: 5, IncidentID: 1, Title: "dropped", Owner: "kenji", State: "dropped", CreatedAt: utc(2026, 4, 2, 0, 0), ClosedAt: utc(2026, 4, 3, 0, 0)},
		},
		Retros: []Retro{
			{ID: 1, IncidentID: 1, At: utc(2026, 3, 26, 0, 0), Authors: []string{"lucas", "amelie", "lucas"}},
			{ID: 2, IncidentID: 2, At: utc(2026, 4, 20, 0, 0), Authors: []string{"kenji"}},
		},
	}
}

func TestComputeByHand(t *testing.T) {
	tab := Compute(recorded(), winFrom, winTo)
	want := map[string]map[string]float64{
		"amelie": {
			// day: Mon 10-18 (8) + Tue-Fri 11 each (44) + Mon 30 07-10 (3) = 55
			// eve/wkend: 5 weekday evenings x 4 (20) + Sat 15 + Sun 15 = 50
			// night: 6 nights x 9 + the spring-forward night 8 = 62
			HoursHeld: 167, HoursDay: 55, HoursEvening: 50, HoursNight: 62,
			FirstNotice: 1, RolesTaken: 1, ShiftsCovered: 0, ItemsOwned: 2,
			Repairs: 1, ServicesActed: 1, SitesActed: 1,
			Acks: 1, OffCallAnswers: 0, NightEntries: 3,
			EntriesWritten: 1, RetrosWritten: 1, ItemsClosed: 0,
		},
		"kenji": {
			// Tokyo (UTC+9): Tue 18-22 eve 4, night 22-07 9, Wed 07-18 day 11
			HoursHeld: 24, HoursDay: 11, HoursEvening: 4, HoursNight: 9,
			FirstNotice: 1, RolesTaken: 0, ShiftsCovered: 1, ItemsOwned: 1,
			Repairs: 1, ServicesActed: 1, SitesActed: 1,
			Acks: 1, OffCallAnswers: 0, NightEntries: 1, // 22:00 Tokyo: the resolve
			EntriesWritten: 1, RetrosWritten: 0, ItemsClosed: 0,
		},
		"lucas": {
			// Fri 20 01:00 -> Mon 23 10:00 Paris (CET): night 6+2+7+2+7+2+7,
			// day Fri 11 + Mon 3, eve Fri 4 + Sat 15 + Sun 15
			HoursHeld: 81, HoursDay: 14, HoursEvening: 34, HoursNight: 33,
			FirstNotice: 0, RolesTaken: 1, ShiftsCovered: 0, ItemsOwned: 1,
			// entry #14, an action after the mitigation (entry #30 is before the window)
			Repairs: 1, ServicesActed: 1, SitesActed: 1,
			Acks: 0, OffCallAnswers: 3, NightEntries: 2,
			EntriesWritten: 2, RetrosWritten: 1, ItemsClosed: 2,
		},
	}
	if got := []string{tab.Rows[0].Member, tab.Rows[1].Member, tab.Rows[2].Member}; !slices.Equal(got, []string{"amelie", "kenji", "lucas"}) {
		t.Fatalf("rows not ordered by handle: %v", got)
	}
	for member, figs := range want {
		for fig, v := range figs {
			c, ok := tab.Cell(member, fig)
			if !ok {
				t.Fatalf("no cell %s/%s", member, fig)
			}
			if math.Abs(c.Value-v) > 1e-9 {
				t.Errorf("%s %s = %v, want %v (facts %+v)", member, fig, c.Value, v, c.Facts)
			}
			// Every figure is traceable: its facts add up to it.
			var sum float64
			for _, f := range c.Facts {
				sum += f.Amount
			}
			if math.Abs(sum-c.Value) > 1e-9 {
				t.Errorf("%s %s: facts sum to %v, value %v", member, fig, sum, c.Value)
			}
			if v > 0 && len(c.Facts) == 0 {
				t.Errorf("%s %s: value %v without facts", member, fig, v)
			}
		}
	}
	if c, _ := tab.Cell("amelie", Acks); c.Text != "1 · med 5m" {
		t.Errorf("amelie acks text %q", c.Text)
	}
	if c, _ := tab.Cell("kenji", Acks); c.Text != "1 · med 40m" {
		t.Errorf("kenji acks text %q", c.Text)
	}
	if c, _ := tab.Cell("amelie", HoursNight); c.Text != "62h" {
		t.Errorf("night text %q", c.Text)
	}
	// The facts of a cell name what it came from.
	c, _ := tab.Cell("lucas", OffCallAnswers)
	var refs []string
	for _, f := range c.Facts {
		refs = append(refs, f.Ref)
	}
	if !slices.Equal(refs, []string{"entry #12", "entry #14", "entry #15"}) {
		t.Errorf("lucas off-call facts %v", refs)
	}
	c, _ = tab.Cell("amelie", Repairs)
	if len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Note, "entry #11") || c.Facts[0].Incident != 1 {
		t.Errorf("amelie repair facts %+v", c.Facts)
	}
	c, _ = tab.Cell("kenji", Repairs)
	if len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Note, "entry #23 (status, no action written)") {
		t.Errorf("kenji repair facts %+v", c.Facts)
	}
	c, _ = tab.Cell("kenji", FirstNotice)
	if len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Note, "entry #21") {
		t.Errorf("kenji notice facts %+v", c.Facts)
	}
	c, _ = tab.Cell("amelie", HoursHeld)
	if len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Note, "night 62h") || !c.Facts[0].Start.Equal(utc(2026, 3, 23, 9, 0)) {
		t.Errorf("amelie shift facts %+v", c.Facts)
	}

	// Balance of on-call hours: 167, 24, 81 (amelie, kenji, lucas).
	b := tab.Balance[FigureIndex(HoursHeld)]
	wantGini := 2 * (143.0 + 86 + 57) / (2 * 3 * 272.0)
	wantScore := (24.0/167 + 81.0/167 + 24.0/81) / 3
	if math.Abs(b.Total-272) > 1e-9 || math.Abs(b.Gini-wantGini) > 1e-9 || math.Abs(b.Score-wantScore) > 1e-9 {
		t.Errorf("hours balance %+v, want gini %v score %v", b, wantGini, wantScore)
	}
	c, _ = tab.Cell("amelie", HoursHeld)
	if c.AbovePct != 84 || c.Flag(Figures[FigureIndex(HoursHeld)]) != "+84% of on-call hours" || math.Abs(c.Share-167.0/272) > 1e-9 {
		t.Errorf("amelie hours share %v above %d flag %q", c.Share, c.AbovePct, c.Flag(Figures[FigureIndex(HoursHeld)]))
	}
	if c, _ := tab.Cell("kenji", HoursHeld); c.AbovePct != 0 || c.Flag(Figures[0]) != "" {
		t.Errorf("kenji is below average but flagged %d", c.AbovePct)
	}

	// Bus factor per service and site.
	cov := func(list []Coverage, name string) Coverage {
		for _, c := range list {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no coverage for %s in %+v", name, list)
		return Coverage{}
	}
	if g := cov(tab.Services, "garage"); g.BusFactor != 2 || g.Risk || !slices.Equal(g.Actors, []string{"amelie", "lucas"}) || !slices.Equal(g.Incidents, []int64{1}) {
		t.Errorf("garage %+v", g)
	}
	if g := cov(tab.Services, "garage"); len(g.Facts) != 2 || g.Facts[0].Note != "acted in entries #11, #13" {
		t.Errorf("garage facts (job/ and service/ are one service) %+v", g.Facts)
	}
	if g := cov(tab.Services, "guichet"); g.BusFactor != 1 || !g.Risk || !slices.Equal(g.Actors, []string{"kenji"}) {
		t.Errorf("guichet %+v", g)
	}
	if s := cov(tab.Sites, "paris"); s.BusFactor != 2 || s.Risk {
		t.Errorf("paris (via node/paris-1) %+v", s)
	}
	if s := cov(tab.Sites, "lyon"); s.BusFactor != 1 || !s.Risk {
		t.Errorf("lyon %+v", s)
	}
	if len(tab.Services) != 2 || len(tab.Sites) != 2 {
		t.Errorf("incident 3 (no activity in the window) should not count: %+v %+v", tab.Services, tab.Sites)
	}

	// Hosting next to repairing.
	if len(tab.Hosting) != 2 {
		t.Fatalf("hosting %+v", tab.Hosting)
	}
	lyon, paris := tab.Hosting[0], tab.Hosting[1]
	if lyon.Site != "lyon" || lyon.Risk || !slices.Equal(lyon.Hosts, []string{"kenji", "lucas"}) || !slices.Equal(lyon.Repairers, []string{"kenji"}) {
		t.Errorf("lyon hosting %+v", lyon)
	}
	if paris.Site != "paris" || !paris.Risk || paris.Why != "only amelie can physically reach paris's machines" ||
		!slices.Equal(paris.Machines[0].Repairers, []string{"amelie", "lucas"}) {
		t.Errorf("paris hosting %+v", paris)
	}
}

func TestSplitBandsFallBack(t *testing.T) {
	// Sat 24 Oct 2026 22:00 CEST -> Sun 25 Oct 07:00 CET: 10 real hours of night.
	paris, _ := time.LoadLocation("Europe/Paris")
	b := SplitBands(utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 6, 0), paris)
	if b[Night] != 10*time.Hour || b[Day] != 0 || b[EveningWeekend] != 0 {
		t.Errorf("fall-back night %v", b)
	}
	// The same instants read in New York are Sat 16:00 -> Sun 02:00 EDT.
	ny, _ := time.LoadLocation("America/New_York")
	b = SplitBands(utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 6, 0), ny)
	if b[EveningWeekend] != 6*time.Hour || b[Night] != 4*time.Hour {
		t.Errorf("new york %v", b)
	}
}

func TestBalanceKnownDistributions(t *testing.T) {
	for _, n := range []int{2, 3, 5, 15} {
		equal := make([]float64, n)
		for i := range equal {
			equal[i] = 7
		}
		if b := BalanceOf(equal); b.Gini != 0 || b.Score != 1 {
			t.Errorf("n=%d all equal: gini %v score %v, want 0 and 1", n, b.Gini, b.Score)
		}
		one := make([]float64, n)
		one[n/2] = 42
		if b := BalanceOf(one); math.Abs(b.Gini-float64(n-1)/float64(n)) > 1e-12 || b.Score != 0 {
			t.Errorf("n=%d one does all: gini %v score %v, want %v and 0", n, b.Gini, b.Score, float64(n-1)/float64(n))
		}
	}
	if b := BalanceOf([]float64{0, 0, 0}); b.Gini != 0 || b.Score != 1 || b.Total != 0 {
		t.Errorf("no work at all: %+v", b)
	}
	// Two members, 1 and 3: gini |1-3|*2/(2*4*4)= 0.25, score 1/3.
	if b := BalanceOf([]float64{1, 3}); math.Abs(b.Gini-0.25) > 1e-12 || math.Abs(b.Score-1.0/3) > 1e-12 {
		t.Errorf("1,3: %+v", b)
	}
}

func TestComputeIsNoRanking(t *testing.T) {
	f := recorded()
	slices.Reverse(f.Members)
	tab := Compute(f, winFrom, winTo)
	for i := 1; i < len(tab.Rows); i++ {
		if tab.Rows[i-1].Member >= tab.Rows[i].Member {
			t.Fatalf("rows must be ordered by handle whatever the figures: %v", tab.Rows)
		}
	}
	for _, r := range tab.Rows {
		if len(r.Cells) != len(Figures) {
			t.Errorf("%s has %d cells, want one per figure (%d)", r.Member, len(r.Cells), len(Figures))
		}
	}
}

func TestParseWindow(t *testing.T) {
	for s, want := range map[string]int{"30d": 30, "90d": 90, "365d": 365, "7d": 7} {
		if n, err := ParseWindow(s); err != nil || n != want {
			t.Errorf("%q: %d, %v", s, n, err)
		}
	}
	for _, s := range []string{"", "90", "d", "0d", "-3d", "3w", "1y", "99999d", "9x0d"} {
		if _, err := ParseWindow(s); err == nil || !strings.Contains(err.Error(), "30d, 90d or 365d") {
			t.Errorf("%q: err %v", s, err)
		}
	}
}

// Every action a member wrote in a journal is a repair of theirs, whether
// before or after the mitigation or in an incident still open; so is an
// action of the action log Nomad accepted. Each is a fact naming its entry
// or log row; an incident fixed with no action written is the status
// setter's.
func TestRepairsCountActions(t *testing.T) {
	f := Facts{
		Members: []Member{{"amelie", "Europe/Paris"}, {"chloe", "Europe/Brussels"}, {"lucas", "Europe/Paris"}},
		Incidents: []Incident{
			{ID: 1, Title: "backup failing in paris", Affects: []string{"job/backup", "site/paris"}, OpenedAt: utc(2026, 3, 24, 1, 0), OpenedBy: "amelie"},
			{ID: 2, Title: "garage slow in lyon", Affects: []string{"service/garage", "site/lyon"}, OpenedAt: utc(2026, 4, 1, 9, 0), OpenedBy: "lucas"},
			{ID: 3, Title: "disk full in bruxelles", Affects: []string{"site/bruxelles"}, OpenedAt: utc(2026, 4, 2, 9, 0), OpenedBy: "chloe"},
		},
		Entries: []Entry{
			entry(1, 1, utc(2026, 3, 24, 1, 10), "amelie", oncall.KindAction), // restart-alloc from the screen
			entry(2, 1, utc(2026, 3, 24, 1, 20), "lucas", oncall.KindAction),  // drain-node
			entry(3, 1, utc(2026, 3, 24, 1, 25), "amelie", oncall.KindAction), // restart-task
			status(4, 1, utc(2026, 3, 24, 1, 30), "amelie", oncall.StatusOpen, oncall.StatusMitigated),
			entry(5, 1, utc(2026, 3, 24, 2, 0), "lucas", oncall.KindAction), // undrain-node, after
			entry(6, 1, utc(2026, 3, 24, 2, 5), "", oncall.KindSystem),
			entry(7, 2, utc(2026, 4, 1, 9, 10), "chloe", oncall.KindAction), // still open
			entry(8, 2, utc(2026, 4, 1, 9, 15), "chloe", oncall.KindObservation),
			status(9, 3, utc(2026, 4, 2, 10, 0), "chloe", oncall.StatusOpen, oncall.StatusResolved),
			entry(10, 1, utc(2026, 3, 1, 0, 0), "chloe", oncall.KindAction), // before the window
		},
		Actions: []LoggedAction{
			{ID: 1, At: utc(2026, 4, 3, 8, 0), By: "lucas", What: "restarted allocation 3f2a1b2c of garage (lyon)", OK: true},
			{ID: 2, At: utc(2026, 4, 3, 8, 5), By: "amelie", What: "drained node paris-1 (paris)", OK: false},                 // refused by Nomad
			{ID: 3, At: utc(2026, 5, 1, 0, 0), By: "amelie", What: "stopped allocation 9d8c7b6a of backup (paris)", OK: true}, // after the window
		},
	}
	tab := Compute(f, winFrom, winTo)
	refs := func(member string) []string {
		c, _ := tab.Cell(member, Repairs)
		var out []string
		var sum float64
		for _, x := range c.Facts {
			out = append(out, x.Ref)
			sum += x.Amount
		}
		if sum != c.Value {
			t.Errorf("%s repairs %v, facts sum to %v", member, c.Value, sum)
		}
		return out
	}
	for member, want := range map[string][]string{
		"amelie": {"entry #1", "entry #3"},
		"lucas":  {"entry #2", "entry #5", "action #1"},
		"chloe":  {"entry #7", "incident #3 disk full in bruxelles"},
	} {
		if got := refs(member); !slices.Equal(got, want) {
			t.Errorf("%s repair facts %v, want %v", member, got, want)
		}
	}
	c, _ := tab.Cell("lucas", Repairs)
	if c.Value != 3 || c.Facts[0].Kind != "action" || c.Facts[0].Incident != 1 ||
		!strings.Contains(c.Facts[0].Note, "an action in incident #1 backup failing in paris, before it was mitigated") ||
		!strings.Contains(c.Facts[1].Note, "after it was mitigated") ||
		c.Facts[2].Incident != 0 || !strings.Contains(c.Facts[2].Note, "restarted allocation 3f2a1b2c of garage (lyon) (action log: outside any incident)") {
		t.Errorf("lucas repairs %+v", c)
	}
	c, _ = tab.Cell("chloe", Repairs)
	if !strings.Contains(c.Facts[0].Note, "while it was open") || !strings.Contains(c.Facts[1].Note, "(status, no action written)") {
		t.Errorf("chloe repair notes %+v", c.Facts)
	}
}
