package paging

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/rotafile"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

const policy = `paging {
  after       = "2m"
  clear_after = "1m"
  default     = "primary"
  route "service/garage" { rotation = "storage" }
  step { notify = "on_call" }
  step {
    after  = "10m"
    notify = "next"
  }
  step {
    after  = "20m"
    notify = "everyone"
  }
}
`

func TestPolicyFile(t *testing.T) {
	p, err := Parse("paging.hcl", []byte(policy))
	if err != nil {
		t.Fatal(err)
	}
	want := oncall.PagingPolicy{After: 2 * time.Minute, ClearAfter: time.Minute, Default: "primary",
		Routes: []oncall.PagingRoute{{Match: "service/garage", Rotation: "storage"}},
		Steps:  []oncall.PagingStep{{Notify: "on_call"}, {Delay: 10 * time.Minute, Notify: "next"}, {Delay: 20 * time.Minute, Notify: "everyone"}}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("parsed %+v\nwant %+v", p, want)
	}
	back, err := Parse("export", Format(p))
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("round trip: %v\n%s", err, Format(p))
	}
	for _, tc := range []struct{ src, field, value string }{
		{strings.Replace(policy, `"2m"`, `"soon"`, 1), "paging.after", "soon"},
		{strings.Replace(policy, `"next"`, `"boss"`, 1), "paging.step[2].notify", "boss"},
		{strings.Replace(policy, `"20m"`, `"5m"`, 1), "paging.step[3].after", "5m"},
		{strings.Replace(policy, `"service/garage"`, `"garage"`, 1), `paging.route "garage"`, "garage"},
		{strings.Replace(policy, `step { notify = "on_call" }`, `step {
    notify = "on_call"
    after  = "1m"
  }`, 1), "paging.step[1].after", "1m"},
		{`paging { after = "1m" }`, "paging.step", ""},
		{policy + policy, "paging", "2"},
		{strings.Replace(policy, "after ", "atfer ", 1), "argument", "atfer"},
	} {
		_, err := Parse("paging.hcl", []byte(tc.src))
		var fe *rotafile.Error
		if !errors.As(err, &fe) || fe.Field != tc.field || fe.Value != tc.value || !strings.HasPrefix(fe.Pos, "paging.hcl") {
			t.Errorf("want error on %s %q, got %#v (%v)", tc.field, tc.value, fe, err)
		}
	}
}

func TestRecipients(t *testing.T) {
	oc := oncall.OnCall{Rotation: oncall.Rotation{Name: "primary", Participants: []string{"amelie", "lucas", "chloe"}},
		HasNow: true, Now: oncall.Shift{Member: "lucas"}, Next: oncall.Shift{Member: "chloe"}}
	reach := map[string]bool{"amelie": true, "lucas": true, "chloe": false}
	for notify, want := range map[string][]string{"on_call": {"lucas"}, "next": {"chloe"}, "everyone": {"amelie", "lucas"}} {
		if got := Recipients(oncall.PagingStep{Notify: notify}, oc, reach); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", notify, got, want)
		}
	}
	oc.Now.Member = "eve" // covering from outside the rotation
	if got := Recipients(oncall.PagingStep{Notify: "next"}, oc, reach); !reflect.DeepEqual(got, []string{"chloe"}) {
		t.Errorf("next after an outside cover: %v", got)
	}
}

// recorder is the delivery side of the engine test: it keeps what would
// have been sent (the real methods are tested against real servers in
// internal/pager and cmd/entretien).
type recorder struct {
	mu   sync.Mutex
	sent []Message
	fail map[string]bool
}

func (r *recorder) Deliver(_ context.Context, cs []oncall.Contact, m Message) []oncall.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ds []oncall.Delivery
	for _, c := range cs {
		if r.fail[c.Method] {
			ds = append(ds, oncall.Delivery{Method: c.Method, Error: "connection refused"})
			continue
		}
		r.sent = append(r.sent, m)
		return append(ds, oncall.Delivery{Method: c.Method, OK: true})
	}
	return ds
}

func (r *recorder) to() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.sent {
		out = append(out, m.Member+":"+strings.Fields(m.Title)[0])
	}
	return out
}

// The engine against a real store with a moving clock: nothing before
// after; step 1 the member on call, once however many rounds and engines;
// step 2 the next member; an ack stops it; clear for clear_after, one
// resolved message to each member paged.
func TestEngineEscalation(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	for _, h := range []string{"amelie", "lucas", "chloe"} {
		if _, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddContact(ctx, h, oncall.Contact{Method: "email", Target: h + "@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := rotafile.Parse("r", []byte(`rotation "primary" {
  time_zone = "Europe/Paris"
  shift = "1w"
  handoff = "10:00"
  start = "2026-11-30"
  participants = ["amelie", "lucas", "chloe"]
}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyRotations(ctx, rs); err != nil {
		t.Fatal(err)
	}
	p, _ := Parse("p", []byte(policy))
	p.Default = ""
	p.Routes = nil
	if _, err := st.ApplyPagingPolicy(ctx, p); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e1 := &Engine{Store: st, Deliver: rec, Holder: "w1", LeaseTTL: 15 * time.Second, AckVia: "ssh bastion", Log: log}
	e2 := &Engine{Store: st, Deliver: rec, Holder: "w2", LeaseTTL: 15 * time.Second, AckVia: "ssh bastion", Log: log}
	down := []oncall.PagedOutage{{Subject: "service/guichet@lyon", Kind: "service", Name: "guichet", Site: "lyon", Status: "critical", Host: "lucas", Since: now}}
	tick := func(d time.Duration, cur []oncall.PagedOutage) {
		t.Helper()
		now = now.Add(d)
		for _, e := range []*Engine{e1, e2} {
			if err := e.Tick(ctx, cur, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An incident already in progress about lyon: the page names it and
	// its journal records the page.
	inc, err := st.OpenIncident(ctx, "chloe", oncall.NewIncident{Title: "lyon flaky", Severity: 3, Affects: []string{"site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	tick(0, down)
	tick(time.Minute, down)
	if got := rec.to(); len(got) != 0 {
		t.Fatalf("paged before after: %v", got)
	}
	tick(61*time.Second, down)
	tick(time.Second, down)
	if got := rec.to(); !reflect.DeepEqual(got, []string{"amelie:DOWN"}) {
		t.Fatalf("step 1: %v, want amelie once", got)
	}
	if !e1.Leading() || e2.Leading() {
		t.Errorf("leading: e1 %v e2 %v", e1.Leading(), e2.Leading())
	}
	m := rec.sent[0]
	for _, want := range []string{"service guichet critical in lyon", "since 2026-12-02 11:00 CET", "hosted by lucas", "acknowledge: ssh bastion entretien page ack 1"} {
		if !strings.Contains(m.Title+"\n"+m.Text, want) {
			t.Errorf("page lacks %q:\n%s\n%s", want, m.Title, m.Text)
		}
	}
	if !strings.Contains(m.Text, "incident #1 in progress: lyon flaky") {
		t.Errorf("page does not name the incident:\n%s", m.Text)
	}
	open, _ := st.OpenPagedOutages(ctx)
	pages, _ := st.Pages(ctx, oncall.PageFilter{OutageID: open[0].ID})
	if got := Summary(p, open[0], pages, now); got != "paged amelie: email delivered · not acknowledged · next escalation in 9m" {
		t.Errorf("summary = %q", got)
	}
	es, _ := st.Entries(ctx, inc.ID)
	if len(es) != 1 || !strings.Contains(es[0].Text, "paged amelie (page #1, step 1)") || !strings.Contains(es[0].Text, "email delivered") {
		t.Errorf("journal = %+v", es)
	}
	tick(10*time.Minute, down)
	if got := rec.to(); !reflect.DeepEqual(got, []string{"amelie:DOWN", "lucas:DOWN"}) {
		t.Fatalf("step 2: %v", got)
	}
	if _, err := st.AckPage(ctx, 2, "lucas"); err != nil {
		t.Fatal(err)
	}
	tick(20*time.Minute, down)
	if got := rec.to(); len(got) != 2 {
		t.Fatalf("paged after the ack: %v", got)
	}
	tick(time.Second, nil)
	tick(30*time.Second, nil)
	if got := rec.to(); len(got) != 2 {
		t.Fatalf("resolved before clear_after: %v", got)
	}
	tick(31*time.Second, nil)
	tick(time.Second, nil)
	if got := rec.to(); !reflect.DeepEqual(got, []string{"amelie:DOWN", "lucas:DOWN", "amelie:RESOLVED", "lucas:RESOLVED"}) {
		t.Fatalf("resolved: %v", got)
	}
	// e1 stops renewing (paused): e2 takes over after the lease.
	now = now.Add(16 * time.Second)
	if err := e2.Tick(ctx, down, true); err != nil || !e2.Leading() {
		t.Fatalf("e2 did not take over: %v", err)
	}
	if err := e1.Tick(ctx, down, true); err != nil || e1.Leading() {
		t.Fatalf("e1 resumed and leads: %v", err)
	}
}
