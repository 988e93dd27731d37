package overview

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

func render(t *testing.T, snap *sources.Snapshot) string {
	t.Helper()
	ctx := &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 160, Height: 40}
	m := New(ctx)
	m.Update(common.SnapshotMsg{Snap: snap})
	return ansi.Strip(m.View())
}

// With a bastion per site the database is shown per site beside Nomad and
// Consul: each site's member and its role, a site without one, and a line
// saying what is wrong once a member is gone.
func TestOverviewShowsTheDatabasePerSite(t *testing.T) {
	snap := fixture.Snapshot()
	if v := render(t, snap); strings.Contains(v, "DATABASE") {
		t.Fatalf("a database column without Patroni followed:\n%s", v)
	}
	snap.Store = sources.StoreCluster{Scope: "entretien", Leader: "lyon", Synchronous: true,
		Health: sources.Health{Updated: fixture.Now},
		Members: []sources.StoreMember{
			{Name: "lyon", Role: sources.RolePrimary, State: "running"},
			{Name: "paris", Role: sources.RoleStandby, State: "gone", LagBytes: -1},
		}}
	v := render(t, snap)
	if !strings.Contains(v, "DATABASE") || !strings.Contains(v, "database degraded: primary lyon; paris gone") {
		t.Fatalf("overview lacks the database:\n%s", v)
	}
	for site, want := range map[string]string{"lyon": "primary", "paris": "gone", "bruxelles": "—"} {
		line := ""
		for _, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), site+" ") {
				line = l
			}
		}
		if !strings.Contains(line, want) {
			t.Errorf("%s's row %q lacks %q", site, line, want)
		}
	}
}
