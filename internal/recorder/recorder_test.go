package recorder

import (
	"context"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
)

func TestMatches(t *testing.T) {
	tr := func(subject, site string) sources.Transition {
		return sources.Transition{Kind: "check", Subject: subject, Site: site, To: "critical", Key: "k"}
	}
	for _, c := range []struct {
		affect string
		t      sources.Transition
		want   bool
	}{
		{"service/guichet", tr("service/guichet", "lyon"), true},
		{"service/guichet", tr("service/guichet-admin", "lyon"), false},
		{"service/guichet", tr("job/guichet", "lyon"), false},
		{"job/backup", tr("job/backup", "paris"), true},
		{"job/backup", tr("alloc/backup.paris[0]", "paris"), true},
		{"job/backup", tr("alloc/backupx.paris[0]", "paris"), false},
		{"job/backup", tr("job/backup-old", "paris"), false},
		{"site/lyon", tr("node/lyon-1", "lyon"), true},
		{"site/lyon", tr("service/garage", "paris"), false},
		{"site/lyon", tr("site/lyon", ""), true},
		{"node/paris-1", tr("node/paris-1", "paris"), true},
		{"node/paris-1", tr("node/paris-10", "paris"), false},
		{"node/paris-1", tr("job/x", "paris"), false},
		{"bogus", tr("bogus", ""), false},
	} {
		if got := Matches(c.affect, c.t); got != c.want {
			t.Errorf("Matches(%q, %q site %q) = %v", c.affect, c.t.Subject, c.t.Site, got)
		}
	}
}

// Once even with two processes, on either backend.
func TestRunRecordsMatchingTransitionsOnce(t *testing.T) {
	backends.ForEach(t, testRunRecordsMatchingTransitionsOnce)
}

func testRunRecordsMatchingTransitionsOnce(t *testing.T, be backends.Backend) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st := be.Open(t)
	if _, err := st.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "A", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	guichet, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "guichet", Severity: 2, Affects: []string{"service/guichet"}})
	lyon, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "lyon", Severity: 2, Affects: []string{"site/lyon"}})
	done, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "old", Severity: 3, Affects: []string{"service/guichet"}})
	if err := st.SetStatus(ctx, done.ID, "amelie", oncall.StatusResolved); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	crit := sources.Transition{At: at, Kind: "check", Subject: "service/guichet", Site: "lyon", From: "passing", To: "critical",
		Detail: "HTTP 503", Key: "check/guichet-lyon/critical/77"}
	other := sources.Transition{At: at, Kind: "alloc", Subject: "job/backup", Site: "paris", To: "failed", Key: "alloc/x/failed"}

	// Two recorders (a watch process and a TUI) fed the same transitions.
	var errs []error
	chA, chB := make(chan sources.Transition, 8), make(chan sources.Transition, 8)
	second := be.Again(t, st)
	recorded := make(chan oncall.Entry, 16)
	a := &Recorder{Store: st, By: "watch@a", OnError: func(e error) { errs = append(errs, e) }, OnRecord: func(e oncall.Entry) { recorded <- e }}
	b := &Recorder{Store: second, By: "tui@b", OnRecord: func(e oncall.Entry) { recorded <- e }}
	endA, endB := make(chan error), make(chan error)
	go func() { endA <- a.Run(ctx, chA) }()
	go func() { endB <- b.Run(ctx, chB) }()
	for _, tr := range []sources.Transition{crit, other, crit} {
		chA <- tr
		chB <- tr
	}
	close(chA)
	close(chB)
	if err := <-endA; err != nil {
		t.Fatal(err)
	}
	if err := <-endB; err != nil {
		t.Fatal(err)
	}
	close(recorded)
	n := 0
	for range recorded {
		n++
	}
	if n != 2 || len(errs) != 0 {
		t.Fatalf("%d entries recorded (want 2: guichet and lyon), errors %v", n, errs)
	}
	for _, c := range []struct {
		id   int64
		want int
	}{{guichet.ID, 1}, {lyon.ID, 1}, {done.ID, 1 /* its resolve status entry only */}} {
		es, _ := st.Entries(ctx, c.id)
		if len(es) != c.want {
			t.Fatalf("incident %d has %d entries, want %d: %+v", c.id, len(es), c.want, es)
		}
	}
	es, _ := st.Entries(ctx, guichet.ID)
	if es[0].Kind != oncall.KindSystem || !es[0].At.Equal(at) || !strings.Contains(es[0].Text, "passing → critical") {
		t.Fatalf("system entry %+v", es[0])
	}

	// An empty key gets one built from the transition, the same in every process.
	k1, k2 := Convert(sources.Transition{At: at, Kind: "node", Subject: "node/lyon-1", To: "down"}).Key,
		Convert(sources.Transition{At: at, Kind: "node", Subject: "node/lyon-1", To: "down"}).Key
	if k1 == "" || k1 != k2 {
		t.Fatalf("fallback keys %q %q", k1, k2)
	}

	// Run ends with ctx.
	cctx, ccancel := context.WithCancel(ctx)
	ch := make(chan sources.Transition)
	end := make(chan error)
	go func() { end <- Run(cctx, st, ch) }()
	ccancel()
	if err := <-end; err != context.Canceled {
		t.Fatalf("Run after cancel: %v", err)
	}
}
