package conformance

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// The lease: one holder at a time; a new holder after expiry gets the next
// epoch, and the old holder's writes are fenced (nothing written).
func testWatcherLeaseFencing(t *testing.T, open Opener) {
	st, clk := openTemp(t, open)
	ctx := context.Background()
	mustMember(t, st, "amelie", "Europe/Paris")
	a, ok, err := st.AcquireLease(ctx, "watch@a", 10*time.Second)
	if err != nil || !ok || a.Epoch != 1 {
		t.Fatalf("a: %+v %v %v", a, ok, err)
	}
	if b, ok, _ := st.AcquireLease(ctx, "watch@b", 10*time.Second); ok || b.Holder != "watch@a" {
		t.Fatalf("b took a running lease: %+v", b)
	}
	clk.add(5 * time.Second)
	if a2, ok, _ := st.AcquireLease(ctx, "watch@a", 10*time.Second); !ok || a2.Epoch != 1 {
		t.Fatalf("a renews: %+v %v", a2, ok)
	}
	os, err := st.SyncOutages(ctx, a, []oncall.PagedOutage{{Subject: "service/guichet@lyon", Kind: "service", Name: "guichet", Site: "lyon", Status: "critical"}})
	if err != nil || len(os) != 1 {
		t.Fatalf("sync: %+v %v", os, err)
	}
	// An idle round (lease half left, nothing changed) commits nothing:
	// every TUI on the file would reload at each commit.
	other := again(t, st)
	seen := changes(t, other)
	if _, ok, _ := st.AcquireLease(ctx, "watch@a", 10*time.Second); !ok {
		t.Fatal("a lost its lease")
	}
	st.SyncOutages(ctx, a, []oncall.PagedOutage{{Subject: "service/guichet@lyon", Kind: "service", Name: "guichet", Site: "lyon", Status: "critical", Detail: "new output"}})
	noChange(t, seen, 600*time.Millisecond, "an idle round")
	// a pauses past its lease: b takes over with epoch 2 (a commit, seen).
	clk.add(11 * time.Second)
	b, ok, _ := st.AcquireLease(ctx, "watch@b", 10*time.Second)
	if !ok || b.Epoch != 2 {
		t.Fatalf("b after expiry: %+v %v", b, ok)
	}
	wantChange(t, seen, 5*time.Second, "a new lease")
	_, created, err := st.ClaimPage(ctx, a, os[0].ID, 1, "amelie", func(int64) string { return "x" })
	if !errors.Is(err, oncall.ErrFenced) || created {
		t.Fatalf("paused leader's claim: created %v, err %v; want ErrFenced", created, err)
	}
	if n := count(t, st, "pages"); n != 0 {
		t.Fatalf("%d pages written by a fenced leader", n)
	}
	if st.LeaseHeld(ctx, a) || !st.LeaseHeld(ctx, b) {
		t.Error("LeaseHeld disagrees")
	}
	// The same (outage, step, member) is claimed once, whoever asks.
	p, created, err := st.ClaimPage(ctx, b, os[0].ID, 1, "amelie", func(id int64) string { return "page " + strconv.Itoa(int(id)) })
	if err != nil || !created || p.Text != "page "+strconv.Itoa(int(p.ID)) {
		t.Fatalf("claim: %+v %v %v", p, created, err)
	}
	if _, again, err := st.ClaimPage(ctx, b, os[0].ID, 1, "amelie", func(int64) string { return "y" }); err != nil || again {
		t.Fatalf("second claim created %v, %v", again, err)
	}
	// An outage that leaves starts clearing; back again, it is not.
	if os, _ = st.SyncOutages(ctx, b, nil); os[0].ClearSince.IsZero() {
		t.Error("absent outage not clearing")
	}
	if os, _ = st.SyncOutages(ctx, b, []oncall.PagedOutage{{Subject: "service/guichet@lyon", Kind: "service", Name: "guichet", Site: "lyon", Status: "critical"}}); !os[0].ClearSince.IsZero() || len(os) != 1 {
		t.Errorf("outage back: %+v", os)
	}
}

// An acknowledgement opens an incident affecting the outage, makes the
// member its lead, writes who was paged via what and the ack into its
// journal, and a second ack says it already was.
func testAckPage(t *testing.T, open Opener) {
	st, clk := openTemp(t, open)
	ctx := context.Background()
	mustMember(t, st, "amelie", "Europe/Paris")
	mustMember(t, st, "lucas", "Europe/Paris")
	l, _, _ := st.AcquireLease(ctx, "w", time.Minute)
	os, _ := st.SyncOutages(ctx, l, []oncall.PagedOutage{{Subject: "service/guichet@lyon", Kind: "service", Name: "guichet", Site: "lyon", Status: "critical"}})
	p, _, err := st.ClaimPage(ctx, l, os[0].ID, 1, "amelie", func(int64) string { return "DOWN" })
	if err != nil {
		t.Fatal(err)
	}
	st.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: oncall.MethodEmail, Error: "connection refused"})
	st.RecordDelivery(ctx, p.ID, oncall.Delivery{Method: oncall.MethodWebhook, OK: true})
	clk.add(time.Minute)
	res, err := st.AckPage(ctx, p.ID, "amelie")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Opened || !res.Lead || res.Already || !slices.Equal(res.Incident.Affects, []string{"service/guichet", "site/lyon"}) {
		t.Fatalf("ack = %+v", res)
	}
	es, _ := st.Entries(ctx, res.Incident.ID)
	var texts []string
	for _, e := range es {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"paged amelie (page #1, step 1)", "email failed (connection refused), webhook delivered", "acknowledged by amelie", "open → acknowledged"} {
		if !strings.Contains(all, want) {
			t.Errorf("journal lacks %q:\n%s", want, all)
		}
	}
	roles, _ := st.Roles(ctx, res.Incident.ID)
	if len(roles) != 1 || roles[0].Member != "amelie" || roles[0].Role != oncall.RoleLead {
		t.Errorf("roles = %+v", roles)
	}
	again, err := st.AckPage(ctx, p.ID, "lucas")
	if err != nil || !again.Already || again.Outage.AckedBy != "amelie" || again.Incident.ID != res.Incident.ID {
		t.Errorf("second ack = %+v, %v", again, err)
	}
	if _, err := st.AckPage(ctx, 99, "amelie"); !errors.Is(err, oncall.ErrNotFound) {
		t.Errorf("ack of no page: %v", err)
	}
}

// Contacts: in order, validated (method, target, preset named), removable.
func testContacts(t *testing.T, open Opener) {
	st, _ := openTemp(t, open)
	ctx := context.Background()
	mustMember(t, st, "amelie", "Europe/Paris")
	for _, c := range []oncall.Contact{{Method: "email", Target: "amelie@example.org"}, {Method: "webhook", Target: "https://ntfy.sh/x", Preset: "ntfy"}, {Method: "command", Target: "/usr/bin/true"}} {
		if _, err := st.AddContact(ctx, "amelie", c); err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.AddContact(ctx, "amelie", oncall.Contact{Method: "pigeon", Target: "x"})
	wantValidation(t, err, "contact.method")
	_, err = st.AddContact(ctx, "amelie", oncall.Contact{Method: "email", Target: "not an address"})
	wantValidation(t, err, "contact.target")
	_, err = st.AddContact(ctx, "amelie", oncall.Contact{Method: "webhook", Target: "https://x", Preset: "slack"})
	wantValidation(t, err, "contact.preset")
	_, err = st.AddContact(ctx, "nobody", oncall.Contact{Method: "email", Target: "a@b.c"})
	wantNotFound(t, err)
	cs, _ := st.Contacts(ctx)
	if got := cs["amelie"]; len(got) != 3 || got[0].Method != "email" || got[1].Preset != "ntfy" || got[2].Position != 3 {
		t.Fatalf("contacts = %+v", got)
	}
	if err := st.RemoveContact(ctx, "amelie", cs["amelie"][0].ID); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, st.RemoveContact(ctx, "amelie", cs["amelie"][0].ID))
	if cs, _ = st.Contacts(ctx); len(cs["amelie"]) != 2 || cs["amelie"][0].Method != "webhook" {
		t.Errorf("after remove: %+v", cs["amelie"])
	}
}
