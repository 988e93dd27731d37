package pgtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A reaper killed along with its test binary (kill -9 of both) leaves a
// server running. Each temp dir records its owner (pid and start time), and
// every new server stops and removes those whose owner is gone.

const (
	tempDirPrefix = "entretien-pgtest-"
	ownerFile     = "owner"
)

// startTime is a process's start in clock ticks (/proc/PID/stat field 22),
// which tells a live owner from a reused pid.
func startTime(pid int) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 || f[0] == "Z" {
		return "", false
	}
	return f[19], true
}

func writeOwner(dir string) error {
	st, ok := startTime(os.Getpid())
	if !ok {
		return fmt.Errorf("cannot read own /proc stat")
	}
	return os.WriteFile(filepath.Join(dir, ownerFile), fmt.Appendf(nil, "%d %s\n", os.Getpid(), st), 0o644)
}

func ownerGone(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		return false // being created, or not ours
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return false
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		return false
	}
	st, alive := startTime(pid)
	return !alive || st != f[1]
}

func sweepStale(self string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempDirPrefix+"*"))
	for _, d := range dirs {
		if d == self || !ownerGone(d) {
			continue
		}
		data := filepath.Join(d, "data")
		if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
			s := &Server{dir: d}
			s.runAs, _ = runAsUser()
			if bin, err := BinDir(); err == nil {
				s.bin = bin
				_ = s.command(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").Run()
			}
		}
		_ = os.RemoveAll(d)
	}
}
