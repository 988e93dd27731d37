package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// actionLogDB is the seeded present day plus three actions outside any
// incident: two in the last days (one failed, with an escape in Nomad's
// words), one 60 days ago.
func actionLogDB(t *testing.T) (string, []int64) {
	t.Helper()
	db := seededDB(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Second)
	var ids []int64
	for _, a := range []oncall.ClusterAction{
		{At: now.Add(-60 * 24 * time.Hour), By: "chloe", What: "drained node bruxelles-9 (bruxelles)", Touches: []string{"node/bruxelles-9", "site/bruxelles"}, OK: true, Outcome: "drain started, deadline 1h0m0s"},
		{At: now.Add(-2 * time.Hour), By: "lucas", What: "restarted allocation 3f2a1b2c of veille (paris)", Touches: []string{"job/veille", "node/paris-9", "site/paris"}, OK: true, Outcome: "restart accepted"},
		{At: now.Add(-time.Hour), By: "amelie", What: "stopped allocation 9d8c7b6a of veille (paris)", Touches: []string{"job/veille", "site/paris"}, OK: false, Outcome: "nomad: HTTP 500: \x1b[31mraft\x1b[0m"},
	} {
		rec, err := st.RecordAction(ctx, a)
		if err != nil || rec.LogID == 0 {
			t.Fatalf("RecordAction(%s): %+v, %v", a.What, rec, err)
		}
		ids = append(ids, rec.LogID)
	}
	return db, ids
}

func TestActionsJSON(t *testing.T) {
	db, ids := actionLogDB(t)
	out, code := runBin(t, nil, "actions", "--json", "--db", db)
	if code != 0 {
		t.Fatalf("actions --json: code %d\n%s", code, out)
	}
	var rows []struct {
		ID      int64     `json:"id"`
		At      time.Time `json:"at"`
		By      string    `json:"by"`
		What    string    `json:"what"`
		Touches []string  `json:"touches"`
		OK      bool      `json:"ok"`
		Outcome string    `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// The last 30 days by default, oldest first.
	if len(rows) != 2 || rows[0].ID != ids[1] || rows[1].ID != ids[2] {
		t.Fatalf("rows %+v, want the actions %v", rows, ids[1:])
	}
	r := rows[0]
	if r.By != "lucas" || !strings.Contains(r.What, "restarted allocation 3f2a1b2c") || !r.OK || r.Outcome != "restart accepted" ||
		strings.Join(r.Touches, ",") != "job/veille,node/paris-9,site/paris" || time.Since(r.At) > 3*time.Hour {
		t.Errorf("first row %+v", r)
	}
	if rows[1].OK || strings.Contains(rows[1].Outcome, "\x1b") || !strings.Contains(rows[1].Outcome, "raft") {
		t.Errorf("failed row %+v: want ok false, Nomad's words sanitised", rows[1])
	}
	// The document's own shape: snake_case keys, ids as numbers, UTC times.
	var raw []map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if _, isNum := raw[0]["id"].(float64); !isNum {
		t.Errorf("id %T, want a number", raw[0]["id"])
	}
	if at, _ := raw[0]["at"].(string); !strings.HasSuffix(at, "Z") {
		t.Errorf("at %q, want RFC 3339 UTC", raw[0]["at"])
	}

	// --from reaches back to the drain; --to before the restart leaves it alone.
	out, code = runBin(t, nil, "actions", "--json", "--from", "-90d", "--to", "-1d", "--db", db)
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].ID != ids[0] || rows[0].By != "chloe" {
		t.Errorf("--from -90d --to -1d: code %d, %s", code, out)
	}
	out, code = runBin(t, nil, "actions", "--json", "--from", "-90d", "--to", "-80d", "--db", db)
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("an empty range: code %d, %q; want []", code, out)
	}
	out, code = runBin(t, nil, "actions", "--from", "someday", "--db", db)
	if code != exitUsage {
		t.Errorf("--from someday: code %d, %q", code, out)
	}
}

func TestActionsText(t *testing.T) {
	db, _ := actionLogDB(t)
	out, code := runBin(t, nil, "actions", "--tz", "UTC", "--db", db)
	if code != 0 {
		t.Fatalf("actions: code %d\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "RESULT") {
		t.Fatalf("table:\n%s", out)
	}
	if !strings.Contains(lines[1], "lucas") || !strings.Contains(lines[1], "done: restart accepted") || !strings.Contains(lines[1], "job/veille,node/paris-9,site/paris") {
		t.Errorf("restart row %q", lines[1])
	}
	if !strings.Contains(lines[2], "amelie") || !strings.Contains(lines[2], "failed: nomad: HTTP 500") || strings.Contains(out, "\x1b") {
		t.Errorf("failed row %q", lines[2])
	}
	out, code = runBin(t, nil, "actions", "--from", "-90d", "--to", "-80d", "--db", db)
	if code != 0 || !strings.HasPrefix(out, "no action outside incidents from ") {
		t.Errorf("an empty range: code %d, %q", code, out)
	}
}
