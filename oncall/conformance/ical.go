package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"

	ical "github.com/emersion/go-ical"
)

// The feed is read back by a real iCalendar parser (emersion/go-ical), which
// must find every shift with its times and text; its encoder's checks (PRODID,
// VERSION, DTSTAMP, UID) must pass too. CRLF and folding are checked on the
// bytes, since the parser also accepts bare LF.
func testRotaIcalParsesWithARealLibrary(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := weeklyStore(t, open)
	if _, err := st.AddMember(ctx, oncall.Member{Handle: "eve", Name: "Ève", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	night := oncall.Rotation{Name: "nuits; lyon, \\ paris — très longues, à plier ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓", TZ: "Europe/Paris",
		ShiftCount: 12, ShiftUnit: oncall.Hours, Start: utc(2026, 3, 28, 19, 0), Participants: []string{"eve", "c"}}
	if _, err := st.CreateRotation(ctx, night); err != nil {
		t.Fatal(err)
	}
	o, err := st.ProposeOverride(ctx, "c", oncall.OverrideRequest{Rotation: "primary", Covering: "c", Covered: "a", Start: utc(2026, 3, 25, 0, 0), End: utc(2026, 3, 26, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ConfirmOverride(ctx, "a", o.ID); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	from, to := utc(2026, 3, 23, 0, 0), utc(2026, 3, 30, 0, 0)
	if err := st.ICal(ctx, &buf, "c", from, to); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if strings.Count(raw, "\n") != strings.Count(raw, "\r\n") {
		t.Fatal("bare LF in the feed")
	}
	for _, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Fatalf("line of %d octets: %q", len(l), l)
		}
	}
	cal, err := ical.NewDecoder(strings.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
	if err := ical.NewEncoder(&bytes.Buffer{}).Encode(cal); err != nil {
		t.Fatalf("go-ical refuses to re-encode it: %v", err)
	}
	evs := cal.Events()
	// c's events: the cover of a on primary, then c's one night shift in the
	// range on the hours rotation (29 March 07:00Z-19:00Z); nothing of a's.
	if len(evs) != 2 {
		t.Fatalf("%d events:\n%s", len(evs), raw)
	}
	start, _ := evs[0].DateTimeStart(time.UTC)
	end, _ := evs[0].DateTimeEnd(time.UTC)
	sum, _ := evs[0].Props.Text(ical.PropSummary)
	if !start.Equal(utc(2026, 3, 25, 0, 0)) || !end.Equal(utc(2026, 3, 26, 0, 0)) || sum != "on call: primary (c covers a)" {
		t.Fatalf("first event %v..%v %q", start, end, sum)
	}
	var sawNight bool
	uids := map[string]bool{}
	for _, ev := range evs {
		uid, _ := ev.Props.Text(ical.PropUID)
		if uids[uid] {
			t.Fatalf("duplicate UID %s", uid)
		}
		uids[uid] = true
		cat, _ := ev.Props.Text(ical.PropCategories)
		if cat == night.Name {
			sawNight = true
			s, _ := ev.DateTimeStart(time.UTC)
			e, _ := ev.DateTimeEnd(time.UTC)
			if e.Sub(s) != 12*time.Hour {
				t.Fatalf("night event lasts %v", e.Sub(s))
			}
		}
	}
	if !sawNight {
		t.Fatalf("escaped, folded rotation name not read back:\n%s", raw)
	}
	// Unknown member: not found, nothing written.
	var none bytes.Buffer
	wantNotFound(t, st.ICal(ctx, &none, "zoe", from, to))
	if none.Len() != 0 {
		t.Fatal("wrote a feed for an unknown member")
	}
}
