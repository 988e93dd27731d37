package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/internal/seed"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// bin is the real entretien binary the end-to-end tests run: $ENTRETIEN_BIN
// (make test builds it), else built here once.
var bin string

func TestMain(m *testing.M) {
	bin = os.Getenv("ENTRETIEN_BIN")
	if bin == "" {
		dir, err := os.MkdirTemp("", "entretien-bin-")
		if err != nil {
			panic(err)
		}
		bin = filepath.Join(dir, "entretien")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "building entretien: %v\n%s", err, out)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
	}
	code := m.Run()
	os.Exit(code)
}

func runBin(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

func TestVersionAndUsage(t *testing.T) {
	out, code := runBin(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "entretien ") {
		t.Errorf("--version: code %d, %q", code, out)
	}
	out, code = runBin(t, nil, "frobnicate")
	if code != exitUsage || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: code %d, %q", code, out)
	}
	out, code = runBin(t, nil, "--site-key", "rack")
	if code != exitUsage || !strings.Contains(out, `--site-key "rack"`) {
		t.Errorf("bad --site-key: code %d, %q", code, out)
	}
}

// closedAddrs are loopback ports nothing listens on.
const (
	deadNomad  = "http://127.0.0.1:9"
	deadConsul = "127.0.0.1:19"
)

func TestDoctorNamesBothUnreachableAddresses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e.db")
	out, code := runBin(t, []string{"NOMAD_TOKEN=s3cr3t-nomad-token", "CONSUL_HTTP_TOKEN=s3cr3t-consul-token"},
		"doctor", "--nomad-addr", deadNomad, "--consul-addr", deadConsul, "--db", db)
	if code != exitFail {
		t.Errorf("doctor exit code %d, want %d\n%s", code, exitFail, out)
	}
	for _, want := range []string{"nomad     FAIL", deadNomad, "consul    FAIL", deadConsul, "database  ok", "identity  FAIL", "fix:"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cr3t") {
		t.Errorf("doctor printed a token:\n%s", out)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o660 {
		t.Errorf("database created with mode %04o, want 0660", perm)
	}
}

func TestDoctorOnTheDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	db := seededDB(t)
	out, code := runBin(t, nil, "doctor", "--nomad-addr", c.NomadAddr(), "--consul-addr", c.ConsulAddr(), "--db", db)
	if code != 0 {
		t.Fatalf("doctor exit code %d on a healthy setup:\n%s", code, out)
	}
	for _, want := range []string{"nomad     ok", "consul    ok", "identity  ok", "is amelie"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}

// seededDB is a database seeded with the demo's present day (seed.Present:
// the tests count its ids), with the OS user running
// the tests mapped to amelie.
// seededOn is seededDB on either backend: the --db of its database.
func seededOn(t *testing.T, be backends.Backend) string {
	t.Helper()
	ctx := context.Background()
	st := be.Open(t)
	user, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	again := func(context.Context) (oncall.Store, error) { return be.Again(t, st), nil }
	if err := seed.Present(ctx, again, user, time.Now()); err != nil {
		t.Fatal(err)
	}
	return be.Locator(st)
}

func seededDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "entretien.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	user, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Present(ctx, seed.File(path), user, time.Now()); err != nil {
		t.Fatal(err)
	}
	return path
}

// The shared-bastion trap: the folder is not setgid, so the database got
// its creator's own group and the other members are locked out. doctor
// names both groups and gives the exact fix.
func TestDoctorNamesTheDatabaseGroupAndTheFix(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "entretien.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	di, _ := os.Stat(dir)
	dirGid := gidOf(di)
	other := -1
	if os.Geteuid() == 0 {
		other = int(dirGid) + 1 // root may give the file any group
	} else if out, err := exec.Command("id", "-G").Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if g, err := strconv.Atoi(f); err == nil && uint32(g) != dirGid {
				other = g
				break
			}
		}
	}
	if other < 0 {
		t.Skip("the test user belongs to one group only: no group to give the database but its folder's")
	}
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Chown(f, -1, other); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	fileGroup, dirGroup := groupName(uint32(other)), groupName(dirGid)
	out, code := runBin(t, nil, "doctor", "--nomad-addr", deadNomad, "--consul-addr", deadConsul, "--db", db)
	if code != exitFail {
		t.Errorf("doctor exit code %d", code)
	}
	for _, want := range []string{
		"sharing   FAIL  " + db + " has group " + fileGroup + " but its folder " + dir + " has group " + dirGroup,
		"fix: chgrp " + dirGroup + " " + db + "* && chmod 2770 " + dir,
		"install -d -m 2770 -g " + dirGroup + " " + dir,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	// Fixed as told: the check passes.
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		os.Chown(f, -1, int(dirGid))
	}
	if err := os.Chmod(dir, 0o770|os.ModeSetgid); err != nil { // chmod 2770
		t.Fatal(err)
	}
	out, _ = runBin(t, nil, "doctor", "--nomad-addr", deadNomad, "--consul-addr", deadConsul, "--db", db)
	if !strings.Contains(out, "sharing   ok    "+db+" and its folder are group "+dirGroup+", the folder is setgid") {
		t.Errorf("after the fix:\n%s", out)
	}
}
