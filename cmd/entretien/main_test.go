package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/internal/seed"
	"codeberg.org/entretien/entretien/oncall"
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
func seededDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "entretien.db")
	st, err := oncall.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	user, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Present(ctx, st, user, time.Now()); err != nil {
		t.Fatal(err)
	}
	return path
}
