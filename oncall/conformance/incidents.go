package conformance

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

func testIncidentLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "lucas", "Europe/Paris")
	mustMember(t, st, "chloe", "Europe/Brussels")

	inc, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "guichet health check failing in lyon", Severity: 2,
		Affects: []string{"service/guichet", "site/lyon", "service/guichet"}})
	if err != nil {
		t.Fatal(err)
	}
	if inc.ID == 0 || inc.Status != oncall.StatusOpen || inc.OpenedBy != "lucas" || !inc.OpenedAt.Equal(t0) ||
		!reflect.DeepEqual(inc.Affects, []string{"service/guichet", "site/lyon"}) {
		t.Fatalf("opened %+v", inc)
	}
	got, err := st.Incident(ctx, inc.ID)
	if err != nil || !reflect.DeepEqual(got, inc) {
		t.Fatalf("Incident round trip: %+v, %v\nwant %+v", got, err, inc)
	}

	clk.add(2 * time.Minute)
	raw := "  curl -sf http://guichet.lyon:8080/health → 503\n\t\x1b[31mred\x1b[0m  "
	e1, err := st.AddEntry(ctx, inc.ID, "chloe", oncall.KindObservation, raw)
	if err != nil {
		t.Fatal(err)
	}
	clk.add(3 * time.Minute)
	e2, err := st.AddEntry(ctx, inc.ID, "lucas", oncall.KindAction, "restarted the allocation")
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	if err := st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusAcknowledged); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	fix, err := st.AmendEntry(ctx, e2.ID, "lucas", "restarted the allocation on lyon-2, not lyon-1")
	if err != nil {
		t.Fatal(err)
	}
	if fix.Amends != e2.ID || fix.Kind != oncall.KindAction || fix.IncidentID != inc.ID {
		t.Fatalf("amendment %+v", fix)
	}
	clk.add(time.Minute)
	sys, err := st.AddEntry(ctx, inc.ID, "", oncall.KindSystem, "allocation guichet[0] healthy")
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	if err := st.SetStatus(ctx, inc.ID, "chloe", oncall.StatusResolved); err != nil { // skipping mitigated is fine
		t.Fatal(err)
	}

	es, err := st.Entries(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []oncall.EntryKind
	for _, e := range es {
		kinds = append(kinds, e.Kind)
	}
	if want := []oncall.EntryKind{oncall.KindObservation, oncall.KindAction, oncall.KindStatus, oncall.KindAction, oncall.KindSystem, oncall.KindStatus}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	if !reflect.DeepEqual(es[0], e1) || es[0].Text != raw {
		t.Fatalf("entry not stored exactly: %+v", es[0])
	}
	if es[2].Author != "lucas" || es[2].Text != "open → acknowledged" || !es[2].At.Equal(t0.Add(6*time.Minute)) {
		t.Fatalf("status entry %+v", es[2])
	}
	if es[4] != sys || es[4].Author != "" {
		t.Fatalf("system entry %+v", es[4])
	}
	if es[5].Text != "acknowledged → resolved" || es[5].Author != "chloe" {
		t.Fatalf("status entry %+v", es[5])
	}
	// The change is data, read without parsing the text; other kinds have none.
	if es[2].From != oncall.StatusOpen || es[2].To != oncall.StatusAcknowledged ||
		es[5].From != oncall.StatusAcknowledged || es[5].To != oncall.StatusResolved {
		t.Fatalf("status changes %q→%q, %q→%q", es[2].From, es[2].To, es[5].From, es[5].To)
	}
	for _, i := range []int{0, 1, 3, 4} {
		if es[i].From != "" || es[i].To != "" {
			t.Fatalf("%s entry with a status change: %+v", es[i].Kind, es[i])
		}
	}

	got, _ = st.Incident(ctx, inc.ID)
	if got.Status != oncall.StatusResolved || !got.UpdatedAt.Equal(clk.t) || !got.OpenedAt.Equal(t0) {
		t.Fatalf("after resolve: %+v", got)
	}
	// Backwards and sideways moves are refused and write nothing.
	for _, to := range []oncall.Status{oncall.StatusMitigated, oncall.StatusResolved, oncall.StatusOpen, "closed"} {
		wantValidation(t, st.SetStatus(ctx, inc.ID, "lucas", to), "incident.status")
	}
	if err := st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusReviewed); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, "entries"); n != 7 {
		t.Fatalf("%d entries, want 7", n)
	}
}

func testIncidentsOrder(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "a", "UTC")
	openInc := func(title string) oncall.Incident {
		clk.add(time.Hour)
		inc, err := st.OpenIncident(ctx, "a", oncall.NewIncident{Title: title, Severity: 3})
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	old := openInc("old, still open")
	res := openInc("resolved")
	mid := openInc("mitigated")
	rev := openInc("reviewed")
	newest := openInc("newest open")
	if err := st.SetStatus(ctx, res.ID, "a", oncall.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if err := st.SetStatus(ctx, mid.ID, "a", oncall.StatusMitigated); err != nil {
		t.Fatal(err)
	}
	if err := st.SetStatus(ctx, rev.ID, "a", oncall.StatusReviewed); err != nil {
		t.Fatal(err)
	}
	titles := func(f oncall.IncidentFilter) []string {
		is, err := st.Incidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, i := range is {
			out = append(out, i.Title)
		}
		return out
	}
	if got, want := titles(oncall.IncidentFilter{}), []string{newest.Title, mid.Title, old.Title, rev.Title, res.Title}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Incidents = %q\nwant %q", got, want)
	}
	if got, want := titles(oncall.IncidentFilter{OpenOnly: true}), []string{newest.Title, mid.Title, old.Title}; !reflect.DeepEqual(got, want) {
		t.Fatalf("open incidents = %q\nwant %q", got, want)
	}
	if !oncall.StatusMitigated.IsOpen() || oncall.StatusResolved.IsOpen() || oncall.Status("x").IsOpen() {
		t.Fatal("IsOpen wrong")
	}
}

func testIncidentBadInput(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)
	mustMember(t, st, "a", "UTC")
	inc, err := st.OpenIncident(ctx, "a", oncall.NewIncident{Title: strings.Repeat("é", 200), Severity: 1})
	if err != nil {
		t.Fatalf("200-character title refused: %v", err)
	}

	for _, c := range []struct {
		name  string
		n     oncall.NewIncident
		field string
	}{
		{"empty title", oncall.NewIncident{Title: "", Severity: 1}, "incident.title"},
		{"blank title", oncall.NewIncident{Title: " \t ", Severity: 1}, "incident.title"},
		{"title 201", oncall.NewIncident{Title: strings.Repeat("x", 201), Severity: 1}, "incident.title"},
		{"title newline", oncall.NewIncident{Title: "a\nb", Severity: 1}, "incident.title"},
		{"severity 0", oncall.NewIncident{Title: "x", Severity: 0}, "incident.severity"},
		{"severity 4", oncall.NewIncident{Title: "x", Severity: 4}, "incident.severity"},
		{"affects kind", oncall.NewIncident{Title: "x", Severity: 1, Affects: []string{"host/paris-1"}}, "incident.affects"},
		{"affects empty name", oncall.NewIncident{Title: "x", Severity: 1, Affects: []string{"job/"}}, "incident.affects"},
		{"affects space", oncall.NewIncident{Title: "x", Severity: 1, Affects: []string{"job/a b"}}, "incident.affects"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := st.OpenIncident(ctx, "a", c.n)
			wantValidation(t, err, c.field)
		})
	}
	_, err = st.OpenIncident(ctx, "ghost", oncall.NewIncident{Title: "x", Severity: 1})
	wantNotFound(t, err)
	if n := count(t, st, "incidents"); n != 1 {
		t.Fatalf("%d incidents after refused opens", n)
	}

	maxText := strings.Repeat("a", 8192)
	if _, err := st.AddEntry(ctx, inc.ID, "a", oncall.KindDecision, maxText); err != nil {
		t.Fatalf("8192-byte entry refused: %v", err)
	}
	for _, c := range []struct {
		name       string
		id         int64
		by         string
		kind       oncall.EntryKind
		text       string
		field      string // "" means ErrNotFound
		errMention string
	}{
		{"too long", inc.ID, "a", oncall.KindObservation, maxText + "a", "entry.text", "8192"},
		{"too long multibyte", inc.ID, "a", oncall.KindObservation, strings.Repeat("é", 4097), "entry.text", "8192"},
		{"empty", inc.ID, "a", oncall.KindObservation, "", "entry.text", ""},
		{"whitespace", inc.ID, "a", oncall.KindObservation, " \n\t ", "entry.text", ""},
		{"invalid utf-8", inc.ID, "a", oncall.KindObservation, "a\xffb", "entry.text", ""},
		{"unknown kind", inc.ID, "a", "rant", "x", "entry.kind", ""},
		{"status kind", inc.ID, "a", oncall.KindStatus, "x", "entry.kind", ""},
		{"system with author", inc.ID, "a", oncall.KindSystem, "x", "entry.author", ""},
		{"observation without author", inc.ID, "", oncall.KindObservation, "x", "entry.author", ""},
		{"unknown author", inc.ID, "ghost", oncall.KindObservation, "x", "", `"ghost"`},
		{"unknown incident", 999, "a", oncall.KindObservation, "x", "", "999"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := st.AddEntry(ctx, c.id, c.by, c.kind, c.text)
			if c.field == "" {
				wantNotFound(t, err)
			} else {
				wantValidation(t, err, c.field)
			}
			if !strings.Contains(err.Error(), c.errMention) {
				t.Fatalf("error %q does not mention %q", err, c.errMention)
			}
		})
	}
	if n := count(t, st, "entries"); n != 1 {
		t.Fatalf("%d entries after refused adds", n)
	}
	_, err = st.Incident(ctx, 999)
	wantNotFound(t, err)
	_, err = st.Entries(ctx, 999)
	wantNotFound(t, err)
	wantNotFound(t, st.SetStatus(ctx, 999, "a", oncall.StatusResolved))
	wantNotFound(t, st.SetStatus(ctx, inc.ID, "ghost", oncall.StatusResolved))
	_, err = st.AmendEntry(ctx, 999, "a", "x")
	wantNotFound(t, err)
	if got, _ := st.Incident(ctx, inc.ID); got.Status != oncall.StatusOpen {
		t.Fatalf("status changed by a refused SetStatus: %v", got.Status)
	}
	if es, err := st.Entries(ctx, inc.ID); err != nil || len(es) != 1 {
		t.Fatalf("Entries = %v, %v", es, err)
	}
}

// Members at the bastion each run their own process: here each goroutine
// has its own Store (its own connections) on the same file.
func testConcurrentWritersFromSeparateStores(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := open(t)
	const writers, perWriter = 6, 25
	for i := 0; i < writers; i++ {
		mustMember(t, setup, fmt.Sprintf("m%d", i), "Europe/Paris")
	}
	inc, err := setup.OpenIncident(ctx, "m0", oncall.NewIncident{Title: "everyone at once", Severity: 1})
	if err != nil {
		t.Fatal(err)
	}
	seenChange := changes(t, setup)

	stores := make([]oncall.Store, writers)
	for i := range stores {
		stores[i] = again(t, setup)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st := stores[i]
			who := fmt.Sprintf("m%d", i)
			for j := 0; j < perWriter; j++ {
				if _, err := st.AddEntry(ctx, inc.ID, who, oncall.KindObservation, fmt.Sprintf("%s #%d", who, j)); err != nil {
					errs <- err
				}
				if _, err := st.Entries(ctx, inc.ID); err != nil { // readers beside writers
					errs <- err
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err) // "database is locked" would land here
	}

	es, err := setup.Entries(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != writers*perWriter {
		t.Fatalf("%d entries, want %d", len(es), writers*perWriter)
	}
	seen := map[string]bool{}
	for _, e := range es {
		seen[e.Text] = true
	}
	for i := 0; i < writers; i++ {
		for j := 0; j < perWriter; j++ {
			if !seen[fmt.Sprintf("m%d #%d", i, j)] {
				t.Fatalf("entry m%d #%d missing", i, j)
			}
		}
	}
	wantChange(t, seenChange, 5*time.Second, "the other stores' writes")
}
