package common

import (
	"testing"
	"time"
)

func TestDrawFrameRecordsTheNextAgeChange(t *testing.T) {
	cases := []struct {
		name string
		draw func()
		next time.Duration
		ok   bool
	}{
		{"no age", func() {}, 0, false},
		{"seconds", func() { Ago(45*time.Second + 300*time.Millisecond) }, 700 * time.Millisecond, true},
		{"minutes", func() { Ago(12*time.Minute + 30*time.Second) }, 30 * time.Second, true},
		{"hours", func() { Ago(3*time.Hour + 15*time.Minute) }, 45 * time.Minute, true},
		{"the finest wins", func() { Ago(3 * time.Hour); Ago(90 * time.Second); Ago(2 * 24 * time.Hour) }, 30 * time.Second, true},
		{"countdown", func() { Left(3*time.Hour + 20*time.Minute) }, 20*time.Minute + time.Millisecond, true},
		{"countdown over", func() { Left(-time.Minute) }, 0, false},
		{"future age", func() { Ago(-2 * time.Second) }, 2 * time.Second, true},
	}
	for _, c := range cases {
		next, ok := DrawFrame(c.draw)
		if ok != c.ok || next != c.next {
			t.Errorf("%s: next %v, %v; want %v, %v", c.name, next, ok, c.next, c.ok)
		}
	}
	// Outside a frame nothing is recorded, and the text is unchanged.
	if got := Ago(90 * time.Second); got != "1m" {
		t.Errorf("Ago(90s) = %q", got)
	}
	if got := Left(90 * time.Second); got != "1m" {
		t.Errorf("Left(90s) = %q", got)
	}
}
