package care

import (
	"context"

	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/oncall"
)

// Pages from a real store: amelie paged at night in Paris and
// acknowledging after 4m, lucas paged in the day and not acknowledging;
// the resolved message does not count.
func TestPagesReceived(t *testing.T) { backends.ForEach(t, testPagesReceived) }

func testPagesReceived(t *testing.T, be backends.Backend) {
	ctx := context.Background()
	st := be.Open(t)
	clock := time.Date(2026, 12, 2, 1, 30, 0, 0, time.UTC) // 02:30 in Paris: night
	st.SetClock(func() time.Time { return clock })
	for _, h := range []string{"amelie", "lucas"} {
		if _, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
	}
	l, _, _ := st.AcquireLease(ctx, "w", 48*time.Hour)
	page := func(subject, member string, step int) oncall.Page {
		os, err := st.SyncOutages(ctx, l, []oncall.PagedOutage{{Subject: subject, Kind: "service", Name: subject, Site: "lyon", Status: "critical"}})
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		for _, o := range os {
			if o.Subject == subject {
				id = o.ID
			}
		}
		p, _, err := st.ClaimPage(ctx, l, id, step, member, func(int64) string { return "DOWN" })
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := page("garage", "amelie", 1)
	page("garage", "amelie", 0) // resolved message
	clock = clock.Add(4 * time.Minute)
	if _, err := st.AckPage(ctx, a.ID, "amelie"); err != nil {
		t.Fatal(err)
	}
	clock = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) // Wednesday 11:00 in Paris: day
	page("guichet", "lucas", 1)

	from, to := clock.Add(-24*time.Hour), clock.Add(time.Hour)
	f, err := Load(ctx, st, from, to)
	if err != nil {
		t.Fatal(err)
	}
	tab := Compute(f, from, to)
	cell := func(member string) Cell {
		for _, r := range tab.Rows {
			if r.Member == member {
				return r.Cells[FigureIndex(PagesReceived)]
			}
		}
		t.Fatalf("no row %s", member)
		return Cell{}
	}
	if c := cell("amelie"); c.Value != 1 || c.Text != "1 · 0/0/1 · ack 4m" || len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Note, "night, acknowledged after 4m") {
		t.Errorf("amelie: %+v", c)
	}
	if c := cell("lucas"); c.Value != 1 || c.Text != "1 · 1/0/0" {
		t.Errorf("lucas: %+v", c)
	}
}
