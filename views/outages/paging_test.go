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
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// An outage the pager paged about says, from a real store, whom it paged,
// how each method went, that nobody acknowledged and when it escalates.
func TestOutagesShowPaging(t *testing.T) {
	m, _, _ := pagedGuichet(t)
	v := ansi.Strip(m.View())
	want := "paged amelie: email failed (connection refused), webhook delivered · not acknowledged · next escalation in 6m · http: 404"
	if !strings.Contains(v, want) {
		t.Errorf("outages lack %q:\n%s", want, v)
	}
}

// a on a paged outage acknowledges it as the member running entretien, as
// `entretien page ack` does, and shows the incident it opened.
func TestAckFromTheOutagesScreen(t *testing.T) {
	m, st, o := pagedGuichet(t)
	m.ctx.Me = oncall.Member{Handle: "amelie"}
	msg := m.ack(o)()
	am, ok := msg.(ackMsg)
	if !ok || am.err != nil {
		t.Fatalf("ack: %#v", msg)
	}
	_, cmd := m.Update(am)
	if cmd == nil {
		t.Fatal("no screen after the ack")
	}
	if !am.res.Opened || !am.res.Lead || am.res.Incident.ID == 0 {
		t.Errorf("ack result %+v: want an incident opened, amelie leading", am.res)
	}
	os, err := st.OpenPagedOutages(context.Background())
	if err != nil || len(os) != 1 || os[0].AckedBy != "amelie" {
		t.Errorf("paged outages after the ack: %+v, %v", os, err)
	}
	// A second a says it already is, without a second incident.
	am2 := m.ack(o)().(ackMsg)
	if am2.err != nil || !am2.res.Already || am2.res.Incident.ID != am.res.Incident.ID {
		t.Errorf("second ack %+v, %v", am2.res, am2.err)
	}
	// Nobody paged about a node: nothing written, a notice.
	if msg := m.ack(sources.Outage{Kind: "node", Name: "paris-2", Site: "paris"})(); msg == nil {
		t.Error("ack of an outage nobody was paged about: no notice")
	} else if _, isAck := msg.(ackMsg); isAck {
		t.Errorf("ack of an unpaged outage wrote: %#v", msg)
	}
}

// pagedGuichet is the outages screen on a real store where the pager paged
// amelie about guichet in lyon (email failed, webhook delivered).
func pagedGuichet(t *testing.T) (*Model, oncall.Store, sources.Outage) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetClock(func() time.Time { return fixture.Now })
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
	return m, st, snap.Outages[0]
}
