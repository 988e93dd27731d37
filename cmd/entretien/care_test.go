package main

import (
	"encoding/json"
	"strings"
	"testing"

	"codeberg.org/entretien/entretien/oncall/care"
)

func TestCareBadWindow(t *testing.T) {
	for _, w := range []string{"3x", "90", "0d", "1y"} {
		out, code := runBin(t, nil, "care", "--window", w, "--db", seededDB(t), "--no-cluster")
		if code != exitUsage || !strings.Contains(out, `--window "`+w+`": want a number of days such as 30d, 90d or 365d`) {
			t.Errorf("--window %s: code %d, %q", w, code, out)
		}
	}
}

func TestCareText(t *testing.T) {
	db := seededDB(t)
	out, code := runBin(t, nil, "care", "--window", "30d", "--db", db,
		"--nomad-addr", deadNomad, "--consul-addr", deadConsul, "--cluster-wait", "500ms")
	if code != 0 {
		t.Fatalf("care: code %d\n%s", code, out)
	}
	for _, want := range []string{
		"Care work over the last 30 days", "not a ranking",
		"ATTENTION", "RESPONSIBILITY", "COMPETENCE", "RESPONSIVENESS", "WRITING",
		"amelie", "chloe", "dara", "kenji", "lucas", "gini", "pair balance",
		// lucas restarted guichet: the only one who acted on it.
		"service guichet: bus factor 1 (lucas), 1 incidents  ← risk",
		"site lyon: bus factor 1 (lucas)",
		"hosting: Nomad unreachable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("care output lacks %q:\n%s", want, out)
		}
	}
	// Rows by handle, never by a figure.
	if a, c, d, k, l := strings.Index(out, "\namelie"), strings.Index(out, "\nchloe"), strings.Index(out, "\ndara"), strings.Index(out, "\nkenji"), strings.Index(out, "\nlucas"); !(a < c && c < d && d < k && k < l) {
		t.Errorf("members not in handle order:\n%s", out)
	}
}

func TestCareJSON(t *testing.T) {
	out, code := runBin(t, nil, "care", "--window", "365d", "--json", "--no-cluster", "--db", seededDB(t))
	if code != 0 {
		t.Fatalf("care --json: code %d\n%s", code, out)
	}
	var tab care.Table
	if err := json.Unmarshal([]byte(out), &tab); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(tab.Rows) != 5 || tab.Rows[0].Member != "amelie" || len(tab.Figures) != len(care.Figures) || len(tab.Balance) != len(care.Figures) {
		t.Fatalf("table %+v", tab)
	}
	c, ok := tab.Cell("lucas", care.EntriesWritten)
	if !ok || c.Value != 1 || len(c.Facts) != 1 || c.Facts[0].Kind != "entry" {
		t.Errorf("lucas entries %+v", c)
	}
	// amelie holds the seeded rotation's first week, still in progress.
	c, _ = tab.Cell("amelie", care.HoursHeld)
	if c.Value <= 0 || len(c.Facts) != 1 || !strings.Contains(c.Facts[0].Note, "in progress") {
		t.Errorf("amelie hours %+v", c)
	}
	c, _ = tab.Cell("lucas", care.FirstNotice)
	if c.Value != 1 || !strings.Contains(c.Facts[0].Ref, "guichet health check failing in lyon") {
		t.Errorf("lucas noticed %+v", c)
	}
}
