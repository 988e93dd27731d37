package devcluster

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procID names a process across PID reuse: pid + start time (clock ticks).
type procID struct {
	pid   int
	start uint64
}

type procStat struct {
	ppid  int
	state byte
	start uint64
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// comm may hold spaces and parens: fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	start, _ := strconv.ParseUint(f[19], 10, 64)
	return procStat{ppid: ppid, state: f[0][0], start: start}, true
}

func allPIDs() []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// descendants lists every live process below the given roots. A root that
// is gone or whose PID was reused (start time differs) contributes nothing:
// never walk from PID 0 or from a stranger, whose "children" are the world.
func descendants(roots []procID) []procID {
	children := map[int][]int{}
	stats := map[int]procStat{}
	for _, pid := range allPIDs() {
		if st, ok := readStat(pid); ok {
			children[st.ppid] = append(children[st.ppid], pid)
			stats[pid] = st
		}
	}
	var out []procID
	var queue []int
	for _, r := range roots {
		if st, ok := stats[r.pid]; ok && r.pid > 1 && st.start == r.start {
			queue = append(queue, r.pid)
		}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, ch := range children[p] {
			out = append(out, procID{ch, stats[ch].start})
			queue = append(queue, ch)
		}
	}
	return out
}

// alive is false for gone, reused or zombie PIDs.
func (p procID) alive() bool {
	st, ok := readStat(p.pid)
	return ok && st.start == p.start && st.state != 'Z'
}

// referencesPath reports whether a process's command line, working dir or
// open files mention dir: Nomad tasks re-parented to PID 1 are found this way
// (the executor's JSON argument, python's --directory, the task's cwd,
// logmon's log files).
func referencesPath(pid int, dir string) bool {
	base := "/proc/" + strconv.Itoa(pid)
	if b, err := os.ReadFile(base + "/cmdline"); err == nil && containsPath(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})), dir) {
		return true
	}
	if l, err := os.Readlink(base + "/cwd"); err == nil && containsPath(l, dir) {
		return true
	}
	fds, _ := os.ReadDir(base + "/fd")
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join(base, "fd", fd.Name())); err == nil && containsPath(l, dir) {
			return true
		}
	}
	return false
}

// containsPath finds dir in s as a whole path (so /tmp/x-1 does not match
// /tmp/x-12).
func containsPath(s, dir string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], dir)
		if j < 0 {
			return false
		}
		end := i + j + len(dir)
		if end == len(s) || !isPathChar(s[end]) || s[end] == '/' {
			return true
		}
		i = i + j + 1
	}
}

func isPathChar(b byte) bool {
	return b == '/' || b == '.' || b == '-' || b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// procsReferencing lists live processes (other than this one) referencing dir.
func procsReferencing(dir string) []procID {
	self := os.Getpid()
	var out []procID
	for _, pid := range allPIDs() {
		if pid == self {
			continue
		}
		st, ok := readStat(pid)
		if !ok || st.state == 'Z' {
			continue
		}
		if referencesPath(pid, dir) {
			out = append(out, procID{pid, st.start})
		}
	}
	return out
}

// killAll SIGKILLs the processes still alive and waits up to 3 s for them to
// be gone; it returns those that are not.
func killAll(ps []procID) []procID {
	for _, p := range ps {
		if p.alive() {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		var left []procID
		for _, p := range ps {
			if p.alive() {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.TrimSpace(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
}
