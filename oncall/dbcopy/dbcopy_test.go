package dbcopy

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/postgres"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

func stores(t *testing.T) (src, dst *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	src, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	dst, err = postgres.Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	return src, dst
}

func version(t *testing.T, st *sqlstore.Store) int {
	v, err := st.Dialect().SchemaVersion(context.Background(), st.SQL())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Booleans, NULLs, a self-reference (an amendment) and text with quotes
// survive the copy; a row changed afterwards is caught by the checksum,
// and a row added by the count.
func TestCopyThenVerifyCatchesADifference(t *testing.T) {
	ctx := context.Background()
	src, dst := stores(t)
	if _, err := src.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "Amélie 'A'", TZ: "Europe/Paris", OSUsers: []string{"amelie", "am"}}); err != nil {
		t.Fatal(err)
	}
	in, err := src.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: `disk "full"`, Severity: 2, Affects: []string{"site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := src.AddEntry(ctx, in.ID, "amelie", oncall.KindObservation, "first")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.AmendEntry(ctx, e.ID, "amelie", "first, corrected"); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []bool{true, false} {
		if _, err := src.RecordAction(ctx, oncall.ClusterAction{At: time.Now(), By: "amelie", What: "restart", Touches: []string{"job/x"}, OK: ok}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Copy(ctx, src.SQL(), dst.SQL(), version(t, src), version(t, dst))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("copy differs: %+v", rep.Tables)
	}
	counts := map[string]int64{}
	for _, tc := range rep.Tables {
		counts[tc.Table] = tc.TargetRows
	}
	if counts["entries"] < 2 || counts["cluster_actions"] != 2 || counts["member_os_users"] != 2 {
		t.Fatalf("rows copied: %v", counts)
	}
	acts, err := dst.ClusterActions(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(acts) != 2 || !acts[0].OK || acts[1].OK {
		t.Fatalf("booleans after the copy: %+v %v", acts, err)
	}

	tables, err := plan(ctx, src.SQL(), dst.SQL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.SQL().ExecContext(ctx, `UPDATE entries SET text = 'first, tampered' WHERE text = 'first'`); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.SQL().ExecContext(ctx, `INSERT INTO store_marks(key, value, set_at) VALUES ('extra', '', 'x')`); err != nil {
		t.Fatal(err)
	}
	rep, err = verify(ctx, src.SQL(), dst.SQL(), tables)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]TableCheck{}
	for _, tc := range rep.Tables {
		if !tc.OK() {
			bad[tc.Table] = tc
		}
	}
	if rep.OK() || len(bad) != 2 {
		t.Fatalf("verify found %v, want entries and store_marks", bad)
	}
	if e := bad["entries"]; e.SourceRows != e.TargetRows || e.SourceChecksum == e.TargetChecksum {
		t.Errorf("a changed row: %+v", e)
	}
	if m := bad["store_marks"]; m.TargetRows != m.SourceRows+1 {
		t.Errorf("an added row: %+v", m)
	}

	// And the target is not empty any more: a second copy writes nothing.
	_, err = Copy(ctx, src.SQL(), dst.SQL(), version(t, src), version(t, dst))
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "entries (") {
		t.Fatalf("a second copy: %v", err)
	}
}

func TestCopyRefusesDifferentVersions(t *testing.T) {
	src, dst := stores(t)
	if _, err := Copy(context.Background(), src.SQL(), dst.SQL(), 7, 8); err == nil || !strings.Contains(err.Error(), "schema versions differ") {
		t.Fatalf("versions 7 and 8: %v", err)
	}
}
