package outages

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// An outage the pager paged about says, from a real store, whom it paged,
// how each method went, that nobody acknowledged and when it escalates.
func TestOutagesShowPaging(t *testing.T) {
	ctx := context.Background()
	st, err := oncall.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Now = func() time.Time { return fixture.Now }
	if _, err := st.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "Amélie", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	pol := oncall.DefaultPagingPolicy()
	pol.Steps = append(pol.Steps, oncall.PagingStep{Delay: 10 * time.Minute, Notify: oncall.NotifyNext})
	if _, err := st.ApplyPagingPolicy(ctx, pol); err != nil {
		t.Fatal(err)
	}
	l, _, _ := st.AcquireLease(ctx, "w", time.Minute)
	since := fixture.Now.Add(-6 * time.Minute)
	os, err := st.SyncOutages(ctx, l, []oncall.PagedOutage{{Subject: "service/guichet@lyon", Kind: "service", Name: "guichet", Site: "lyon", Status: "critical", Since: since}})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := st.ClaimPage(ctx, l, os[0].ID, 1, "amelie", func(int64) string { return "DOWN" })
	if err != nil {
		t.Fatal(err)
	}
	st.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: "email", Error: "connection refused"})
	st.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: "webhook", OK: true})

	snap := fixture.Snapshot()
	snap.Outages = []sources.Outage{{Kind: "service", Name: "guichet", Site: "lyon", Status: "critical", Since: since, Detail: "http: 404"}}
	cctx := &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 220, Height: 30, Store: st}
	m := New(cctx)
	m.Update(common.SnapshotMsg{Snap: snap})
	m.Update(loadPaging(cctx, m)())
	v := ansi.Strip(m.View())
	want := "paged amelie: email failed (connection refused), webhook delivered · not acknowledged · next escalation in 6m · http: 404"
	if !strings.Contains(v, want) {
		t.Errorf("outages lack %q:\n%s", want, v)
	}
}
