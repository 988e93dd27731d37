package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// When every method of everyone paged about an outage failed, the status
// line says so to every member, and stops once a page is delivered.
func TestStatusLineSaysPagingReachedNobody(t *testing.T) {
	st, me := testStore(t)
	m := New(Options{Source: newStaticSource(testSnapshot()), Store: st, Me: me, Now: func() time.Time { return testNow }, Tick: time.Hour})
	tm := teatestModel(t, m, 160, 30)
	waitScreen(t, tm, "outages")

	// The pager (another process) pages lucas; both his methods fail.
	other, err := sqlite.Open(context.Background(), st.Describe())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	if _, err := other.ApplyPagingPolicy(ctx, oncall.DefaultPagingPolicy()); err != nil {
		t.Fatal(err)
	}
	l, _, err := other.AcquireLease(ctx, "w", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	os, err := other.SyncOutages(ctx, l, []oncall.PagedOutage{{Subject: "service/guichet@lyon", Kind: "service", Name: "guichet", Site: "lyon", Status: "critical", Since: testNow.Add(-5 * time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := other.ClaimPage(ctx, l, os[0].ID, 1, "lucas", func(int64) string { return "DOWN" })
	if err != nil {
		t.Fatal(err)
	}
	if err := other.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: "email", Error: "connection refused"}); err != nil {
		t.Fatal(err)
	}
	if err := other.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: "webhook", Error: "HTTP 502"}); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "paging reached nobody about service/guichet@lyon")

	// A method delivers: the warning goes.
	if err := other.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: "command", OK: true}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(tm.rec.frames.Last(), "paging reached nobody") {
		if time.Now().After(deadline) {
			t.Fatalf("the warning stays after a delivery:\n%s", tm.rec.frames.Last())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
