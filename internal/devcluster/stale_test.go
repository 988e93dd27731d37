package devcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSweepStale: a data dir whose owner died (the test binary was
// SIGKILLed) is cleaned by the next cluster: leftover task killed, tmpfs
// unmounted, dir removed. Dirs of live owners are left alone.
func TestSweepStale(t *testing.T) {
	stale, err := os.MkdirTemp("", tempDirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	live, err := os.MkdirTemp("", tempDirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(live)
	if err := writeOwner(live); err != nil {
		t.Fatal(err)
	}

	// The owner: a process that has exited.
	owner := exec.Command("sleep", "60")
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	st, _ := readStat(owner.Process.Pid)
	owner.Process.Kill()
	owner.Wait()
	if err := os.WriteFile(filepath.Join(stale, ownerFile),
		fmt.Appendf(nil, "%d %d\n", owner.Process.Pid, st.start), 0o644); err != nil {
		t.Fatal(err)
	}
	// A leftover "task" running in the stale dir.
	task := exec.Command("sleep", "300")
	task.Dir = stale
	if err := task.Start(); err != nil {
		t.Fatal(err)
	}
	defer task.Process.Kill()
	taskID := procID{task.Process.Pid, mustStat(t, task.Process.Pid).start}
	waited := make(chan struct{})
	go func() { task.Wait(); close(waited) }()

	if os.Geteuid() == 0 {
		secrets := filepath.Join(stale, "alloc", "secrets")
		os.MkdirAll(secrets, 0o755)
		if err := syscall.Mount("tmpfs", secrets, "tmpfs", 0, "size=1m"); err != nil {
			t.Fatalf("mount tmpfs: %v", err)
		}
	} else {
		t.Log("not root: no tmpfs in the stale dir")
	}

	(&Cluster{}).sweepStale()

	<-waited
	if taskID.alive() {
		t.Error("leftover task still alive")
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale dir still there: %v", err)
	}
	if ms, _ := mountsUnder(stale); len(ms) > 0 {
		t.Errorf("mounts left: %v", ms)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("dir of a live owner was removed: %v", err)
	}
}

func mustStat(t *testing.T, pid int) procStat {
	st, ok := readStat(pid)
	if !ok {
		t.Fatalf("no /proc stat for %d", pid)
	}
	return st
}
