package care

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// A member who does not own an item and closes it gets the "closed" figure;
// the owner keeps "owned". Items closed before the store kept the closer
// fall back to owner and last update, and the table says which ones.
func TestLoadCreditsTheCloser(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "care.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := utc(2026, 3, 1, 0, 0)
	st.SetClock(func() time.Time { return clock })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []string{"amelie", "chloe", "lucas"} {
		_, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"})
		must(err)
	}
	inc, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "garage down", Severity: 2})
	must(err)
	old, err := st.AddAction(ctx, inc.ID, "amelie", oncall.NewAction{Title: "old chore", Owner: "chloe"})
	must(err)
	item, err := st.AddAction(ctx, inc.ID, "amelie", oncall.NewAction{Title: "second disk", Owner: "amelie"})
	must(err)
	legacy, err := st.AddAction(ctx, inc.ID, "amelie", oncall.NewAction{Title: "rotate logs", Owner: "chloe"})
	must(err)
	clock = utc(2026, 3, 2, 0, 0) // before the window
	_, err = st.UpdateAction(ctx, old.ID, "chloe", oncall.ActionDone, nil, nil)
	must(err)
	clock = utc(2026, 3, 10, 12, 0)
	_, err = st.UpdateAction(ctx, item.ID, "lucas", oncall.ActionDone, nil, nil)
	must(err)
	clock = utc(2026, 3, 20, 0, 0)
	from, to := utc(2026, 3, 5, 0, 0), utc(2026, 4, 1, 0, 0)

	f, err := Load(ctx, st, from, to)
	must(err)
	tab := Compute(f, from, to)
	for _, n := range tab.Notes {
		if strings.Contains(n, "action item") {
			t.Errorf("every closer is known, yet a note: %q", n)
		}
	}
	c, _ := tab.Cell("lucas", ItemsClosed)
	if c.Value != 1 || len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Ref, "second disk") ||
		c.Facts[0].Note != "closed by lucas (owner amelie)" || !c.Facts[0].Start.Equal(utc(2026, 3, 10, 12, 0)) {
		t.Errorf("lucas closed = %v, facts %+v", c.Value, c.Facts)
	}
	if c, _ := tab.Cell("amelie", ItemsClosed); c.Value != 0 {
		t.Errorf("the owner is credited a close she did not make: %+v", c.Facts)
	}
	if c, _ := tab.Cell("amelie", ItemsOwned); c.Value != 1 || !c.Facts[0].End.Equal(utc(2026, 3, 10, 12, 0)) {
		t.Errorf("amelie owned %v %+v", c.Value, c.Facts)
	}
	if c, _ := tab.Cell("chloe", ItemsClosed); c.Value != 0 {
		t.Errorf("closed before the window yet counted: %+v", c.Facts)
	}

	// legacy was done before schema v4: no closer recorded. Mark it so by
	// hand (the store never writes that any more), then touch it in the
	// window through another column.
	clock = utc(2026, 3, 15, 0, 0)
	_, err = st.UpdateAction(ctx, legacy.ID, "lucas", oncall.ActionDone, nil, nil)
	must(err)
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	must(err)
	_, err = db.Exec(`UPDATE action_items SET closed_at = NULL, closed_by = NULL WHERE id = ?`, legacy.ID)
	db.Close()
	must(err)

	f, err = Load(ctx, st, from, to)
	must(err)
	tab = Compute(f, from, to)
	var note string
	for _, n := range tab.Notes {
		if strings.Contains(n, "action item") {
			note = n
		}
	}
	if want := "#" + itoa(legacy.ID); !strings.Contains(note, want) || strings.Contains(note, "#"+itoa(item.ID)) {
		t.Errorf("note %q should name %s only", note, want)
	}
	c, _ = tab.Cell("chloe", ItemsClosed)
	if c.Value != 1 || !strings.Contains(c.Facts[0].Note, "closer not recorded") || !c.Facts[0].Start.Equal(clock) {
		t.Errorf("fallback to the owner at the last update: %v %+v", c.Value, c.Facts)
	}
	if c, _ := tab.Cell("lucas", ItemsClosed); c.Value != 1 {
		t.Errorf("lucas closed = %v", c.Value)
	}

	// A window after every unknown closing has no note.
	later, end := utc(2026, 4, 1, 0, 0), utc(2026, 5, 1, 0, 0)
	f, err = Load(ctx, st, later, end)
	must(err)
	for _, n := range Compute(f, later, end).Notes {
		if strings.Contains(n, "action item") {
			t.Errorf("legacy item closed before the window, yet %q", n)
		}
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
