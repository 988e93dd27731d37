package devcluster

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDescendantsNeverFromStrangers(t *testing.T) {
	if ds := descendants([]procID{{0, 0}}); len(ds) != 0 {
		t.Errorf("descendants of pid 0: %d processes, want none", len(ds))
	}
	sh := exec.Command("/bin/sh", "-c", "sleep 30 & wait")
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sh.Process.Kill(); sh.Wait() }()
	st := mustStat(t, sh.Process.Pid)
	var ds []procID
	for deadline := time.Now().Add(3 * time.Second); len(ds) == 0 && time.Now().Before(deadline); {
		ds = descendants([]procID{{sh.Process.Pid, st.start}})
		time.Sleep(20 * time.Millisecond)
	}
	if len(ds) != 1 || cmdline(ds[0].pid) != "sleep 30" {
		t.Fatalf("descendants of sh: %v, want the sleep", ds)
	}
	// Same PID, other start time: a reused PID is a stranger.
	if ds := descendants([]procID{{sh.Process.Pid, st.start + 1}}); len(ds) != 0 {
		t.Errorf("descendants of a reused pid: %v, want none", ds)
	}
	if left := killAll(ds); len(left) != 0 {
		t.Errorf("sleep survived SIGKILL: %v", left)
	}
}

func TestDataDirMustBeOwn(t *testing.T) {
	fake := t.TempDir()
	for _, n := range []string{"nomad", "consul"} {
		if err := os.WriteFile(filepath.Join(fake, n), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	busy := t.TempDir()
	keep := filepath.Join(busy, "precious")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{AgentsDir: fake, DataDir: busy})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Start with a non-empty DataDir: err = %v, want 'not empty'", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("caller's file touched: %v", err)
	}
}
