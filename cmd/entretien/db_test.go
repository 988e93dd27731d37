package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/internal/seed"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/oncall/postgres"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// sameAnswers asks both stores what the screens and commands ask, and
// wants the same answers.
func sameAnswers(t *testing.T, a, b oncall.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	same := func(what string, x, y any, errX, errY error) {
		t.Helper()
		if errX != nil || errY != nil {
			t.Fatalf("%s: %v / %v", what, errX, errY)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s differs:\nsqlite   %+v\npostgres %+v", what, x, y)
		}
	}
	ma, e1 := a.Members(ctx)
	mb, e2 := b.Members(ctx)
	same("members", ma, mb, e1, e2)
	ia, e1 := a.Incidents(ctx, oncall.IncidentFilter{})
	ib, e2 := b.Incidents(ctx, oncall.IncidentFilter{})
	same("incidents", ia, ib, e1, e2)
	if len(ia) < 5 {
		t.Fatalf("only %d incidents seeded", len(ia))
	}
	for _, in := range ia {
		ea, e1 := a.Entries(ctx, in.ID)
		eb, e2 := b.Entries(ctx, in.ID)
		same("journal of incident "+in.Title, ea, eb, e1, e2)
		ra, e1 := a.Retro(ctx, in.ID)
		rb, e2 := b.Retro(ctx, in.ID)
		same("retro of incident "+in.Title, ra, rb, e1, e2)
	}
	from, to := now.AddDate(-1, 0, -7), now.AddDate(0, 0, 28)
	sa, e1 := a.Schedule(ctx, now.AddDate(0, 0, -7), to)
	sb, e2 := b.Schedule(ctx, now.AddDate(0, 0, -7), to)
	same("rota schedule", sa, sb, e1, e2)
	ha, e1 := a.OnCallHistory(ctx, from, now)
	hb, e2 := b.OnCallHistory(ctx, from, now)
	same("on-call history", ha, hb, e1, e2)
	oa, e1 := a.Overrides(ctx, from, to)
	ob, e2 := b.Overrides(ctx, from, to)
	same("overrides", oa, ob, e1, e2)
	la, e1 := a.Leaves(ctx, from, to)
	lb, e2 := b.Leaves(ctx, from, to)
	same("leave", la, lb, e1, e2)
	aa, e1 := a.Actions(ctx, oncall.ActionFilter{})
	ab, e2 := b.Actions(ctx, oncall.ActionFilter{})
	same("action items", aa, ab, e1, e2)
	fa, e1 := care.Load(ctx, a, from, now)
	fb, e2 := care.Load(ctx, b, from, now)
	same("care facts", fa, fb, e1, e2)
	same("care table", care.Compute(fa, from, now), care.Compute(fb, from, now), nil, nil)
}

// The demo collective with its seeded year, copied by the command into an
// empty PostgreSQL database: verified table by table, and the PostgreSQL
// store then answers as the SQLite one did. A second copy is refused.
func TestDBCopyTheSeededCollective(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "entretien.db")
	user, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 18, 14, 30, 0, 0, time.UTC)
	if err := seed.Collective(ctx, seed.File(path), user, now); err != nil {
		t.Fatal(err)
	}
	dsn := pgtest.DSN(t)
	out, errOut, code := runIn(t, "--db", path, "db", "copy", "--to", dsn)
	if code != 0 {
		t.Fatalf("db copy: code %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"TABLE", "SQLITE CHECKSUM", "POSTGRES CHECKSUM", "incidents", "entries", "oncall_history", "verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("db copy output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "DIFFERS") {
		t.Errorf("a table differs:\n%s", out)
	}

	lite, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	lite.SetClock(func() time.Time { return now })
	pg.SetClock(func() time.Time { return now })
	sameAnswers(t, lite, pg, now)

	// Ids were kept, and the next one comes after them on both.
	in, err := pg.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "after the copy", Severity: 3})
	if err != nil {
		t.Fatalf("a write after the copy: %v", err)
	}
	in2, err := lite.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "after the copy", Severity: 3})
	if err != nil || in2.ID != in.ID {
		t.Fatalf("next incident id: postgres %d, sqlite %d (%v)", in.ID, in2.ID, err)
	}

	// Not empty any more: refused, naming what is there, nothing written.
	before, err := postgres.Tables(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runIn(t, "--db", path, "db", "copy", "--to", dsn)
	if code != exitUsage || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "incidents (") || !strings.Contains(errOut, "nothing was copied") {
		t.Fatalf("a second copy: code %d\n%s\n%s", code, out, errOut)
	}
	after, _ := postgres.Tables(ctx, dsn)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the refused copy changed the target:\n%v\n%v", before, after)
	}
}

func TestDBCopyRefusesBadTargets(t *testing.T) {
	path := seededDB(t)
	for _, c := range []struct{ to, want string }{
		{filepath.Join(t.TempDir(), "other.db"), "want a PostgreSQL database"},
		{"postgres://entretien:s3cret@127.0.0.1:1/x", "holds a password"},
		{"host=127.0.0.1 port=1 dbname=x password=s3cret", "holds a password"},
	} {
		out, errOut, code := runIn(t, "--db", path, "db", "copy", "--to", c.to)
		if code != exitUsage || !strings.Contains(errOut, c.want) || strings.Contains(out+errOut, "s3cret") {
			t.Errorf("--to %s: code %d, want 2 and %q\n%s%s", c.to, code, c.want, out, errOut)
		}
	}
	// The source must be SQLite.
	_, errOut, code := runIn(t, "--db", "host=127.0.0.1 dbname=x", "db", "copy", "--to", "host=127.0.0.1 dbname=y")
	if code != exitUsage || !strings.Contains(errOut, "reads a SQLite database") {
		t.Errorf("PostgreSQL source: code %d\n%s", code, errOut)
	}
}

func TestDBStatusAndMigrate(t *testing.T) {
	dsn := pgtest.DSN(t)
	var doc dbStatusJSON
	out, errOut, code := runIn(t, "--db", dsn, "db", "status", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("db status --json: code %d\n%s\n%s", code, out, errOut)
	}
	known := postgres.KnownVersion()
	if doc.Backend != "postgres" || doc.SchemaVersion != 0 || doc.KnownVersion != known || doc.Server == nil || doc.Server.Role != "primary" ||
		!strings.HasPrefix(doc.Server.Version, "1") || strings.Contains(out, "passfile=") == false {
		t.Errorf("status of an empty database: %+v\n%s", doc, out)
	}
	out, errOut, code = runIn(t, "--db", dsn, "db", "migrate")
	if code != 0 || !strings.Contains(out, "schema version 0 → ") {
		t.Fatalf("db migrate: code %d\n%s%s", code, out, errOut)
	}
	out, _, code = runIn(t, "--db", dsn, "db", "migrate")
	if code != 0 || !strings.Contains(out, "already up to date") {
		t.Fatalf("db migrate again: code %d\n%s", code, out)
	}
	out, _, code = runIn(t, "--db", dsn, "db", "status")
	for _, want := range []string{"backend", "postgres", "(up to date)", "role", "primary", "PostgreSQL 1"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("db status lacks %q (code %d):\n%s", want, code, out)
		}
	}

	// SQLite: a file not there yet is not created by status.
	path := filepath.Join(t.TempDir(), "e.db")
	out, _, code = runIn(t, "--db", path, "db", "status", "--json")
	doc = dbStatusJSON{}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Backend != "sqlite" || doc.Exists || doc.KnownVersion != known {
		t.Fatalf("status of a missing file: code %d %+v\n%s", code, doc, out)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("db status created the file")
	}
	if _, _, code = runIn(t, "--db", path, "db", "migrate"); code != 0 {
		t.Fatal("migrate a new file")
	}
	out, _, _ = runIn(t, "--db", path, "db", "status", "--json")
	if json.Unmarshal([]byte(out), &doc) != nil || !doc.Exists || doc.SchemaVersion != known || doc.Server != nil {
		t.Fatalf("status of a migrated file: %+v", doc)
	}
}

// A password in --db or ENTRETIEN_DB is refused before anything connects
// or is created, and never printed.
func TestDatabasePasswordInTheDSNRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, db := range []string{"postgres://entretien:s3cret@db/entretien", "host=db dbname=entretien password=s3cret"} {
		_, errOut, code := runIn(t, "member", "list", "--db", db)
		if code != exitUsage || !strings.Contains(errOut, "holds a password") || strings.Contains(errOut, "s3cret") {
			t.Errorf("--db %q: code %d\n%s", db, code, errOut)
		}
		t.Setenv("ENTRETIEN_DB", db)
		_, errOut, code = runIn(t, "incident", "list")
		if code != exitUsage || !strings.Contains(errOut, "~/.pgpass") || strings.Contains(errOut, "s3cret") {
			t.Errorf("ENTRETIEN_DB=%q: code %d\n%s", db, code, errOut)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files created: %v", ents)
	}
}

// Commands run on PostgreSQL as on SQLite.
func TestCommandsOnPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	user, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runIn(t, "--db", dsn, "member", "add", "--handle", "amelie", "--name", "Amélie", "--tz", "Europe/Paris", "--os-user", user); code != 0 {
		t.Fatalf("member add: %d %s", code, errOut)
	}
	out, errOut, code := runIn(t, "--db", dsn, "incident", "open", "--sev", "2", "--title", "garage down", "--affects", "site/lyon")
	if code != 0 {
		t.Fatalf("incident open: %d %s", code, errOut)
	}
	out, _, code = runIn(t, "--db", dsn, "incident", "list", "--json")
	if code != 0 || !strings.Contains(out, `"garage down"`) {
		t.Fatalf("incident list: %d\n%s", code, out)
	}
	out, _, code = runIn(t, "--db", dsn, "incident", "show", "999")
	if code != exitNotFound {
		t.Fatalf("unknown incident: code %d\n%s", code, out)
	}
}

// doctor checks PostgreSQL as it checks Nomad and Consul: reachable, the
// schema version, primary or standby; a refused login says where the
// password goes, and no password is ever printed.
func TestDoctorChecksPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	user, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runIn(t, "--db", dsn, "member", "add", "--handle", "amelie", "--name", "Amélie", "--tz", "Europe/Paris", "--os-user", user); code != 0 {
		t.Fatalf("member add: %s", errOut)
	}
	check := func(db string) map[string]checkJSON {
		t.Helper()
		out, errOut, code := runIn(t, "doctor", "--json", "--nomad-addr", deadNomad, "--consul-addr", deadConsul, "--db", db)
		if code != exitFail { // Nomad and Consul are down
			t.Fatalf("doctor: code %d\n%s%s", code, out, errOut)
		}
		var cs []checkJSON
		if err := json.Unmarshal([]byte(out), &cs); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		m := map[string]checkJSON{}
		for _, c := range cs {
			m[c.Check] = c
		}
		return m
	}
	m := check(dsn)
	db := m["database"]
	if !db.OK || !strings.Contains(db.Detail, "PostgreSQL 1") || !strings.Contains(db.Detail, "primary") ||
		!strings.Contains(db.Detail, "schema version") || !strings.Contains(db.Detail, "entretien@127.0.0.1") {
		t.Errorf("database check: %+v", db)
	}
	if id := m["identity"]; !id.OK || !strings.Contains(id.Detail, "amelie") {
		t.Errorf("identity check: %+v", id)
	}
	if _, ok := m["sharing"]; ok {
		t.Error("a file-sharing check on PostgreSQL")
	}
	// A role with no password in the passfile: refused by the server.
	bad := strings.Replace(dsn, "entretien@", "nobody@", 1)
	m = check(bad)
	if db := m["database"]; db.OK || !strings.Contains(db.Fix, "~/.pgpass") || !strings.Contains(db.Detail, "nobody@127.0.0.1") {
		t.Errorf("database check with a refused login: %+v", db)
	}
	if id := m["identity"]; id.OK {
		t.Errorf("identity without a database: %+v", id)
	}
}

// On a streaming standby, db status says so, and doctor fails the
// database check with the fix (entretien writes).
func TestDBStatusAndDoctorOnAStandby(t *testing.T) {
	prim := pgtest.New(t)
	dsn := prim.NewDB(t)
	if _, errOut, code := runIn(t, "--db", dsn, "db", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	sb := prim.NewStandby(t)
	sdsn := sb.URL(pgtest.DBName(dsn))
	var doc dbStatusJSON
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, _, code := runIn(t, "--db", sdsn, "db", "status", "--json")
		doc = dbStatusJSON{}
		if code == 0 && json.Unmarshal([]byte(out), &doc) == nil && doc.SchemaVersion == doc.KnownVersion {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("standby status: code %d\n%s", code, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if doc.Server == nil || doc.Server.Role != "standby" {
		t.Fatalf("standby status: %+v", doc)
	}
	out, _, code := runIn(t, "--db", dsn, "db", "status")
	if code != 0 || !strings.Contains(out, "primary") || !strings.Contains(out, "replica") {
		t.Errorf("primary's status does not list its replica:\n%s", out)
	}
	out, _, code = runIn(t, "doctor", "--json", "--nomad-addr", deadNomad, "--consul-addr", deadConsul, "--db", sdsn)
	var cs []checkJSON
	if code != exitFail || json.Unmarshal([]byte(out), &cs) != nil {
		t.Fatalf("doctor: %d\n%s", code, out)
	}
	for _, c := range cs {
		if c.Check == "database" && (c.OK || !strings.Contains(c.Detail, "standby") || !strings.Contains(c.Fix, "target_session_attrs=read-write")) {
			t.Errorf("database check on a standby: %+v", c)
		}
	}
}
