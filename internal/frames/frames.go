// Package frames lets tests wait on what a bubbletea model draws now, not
// on the program's output: the renderer writes only the cells that changed,
// so a string on screen may never appear whole in the output stream.
package frames

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Recorder keeps the last frame a model drew. View calls Record on the
// program's event loop; tests read it from their own goroutine.
type Recorder struct{ last atomic.Pointer[string] }

// Record stores s without styles and returns it unchanged.
func (r *Recorder) Record(s string) string {
	plain := ansi.Strip(s)
	r.last.Store(&plain)
	return s
}

// Last is the last frame drawn, without styles ("" before the first).
func (r *Recorder) Last() string {
	if p := r.last.Load(); p != nil {
		return *p
	}
	return ""
}

// Wait polls the last frame until it holds every want, and returns it.
func (r *Recorder) Wait(t testing.TB, d time.Duration, wants ...string) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := r.Last()
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %q; last frame:\n%s", d, wants, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
