package common

import (
	"sync"
	"sync/atomic"
	"time"
)

// Ages on screen move with the clock ("12s ago", "stale 3m", "for 2h").
// While the root draws a frame it records, through Ago and Left, when the
// first age drawn will read differently; it then redraws at that moment
// and only then: a frame without ages needs no timer, a frame whose finest
// age is in hours wakes once an hour.

var (
	frameMu sync.Mutex // one frame recorded at a time (tests draw in parallel)
	frame   atomic.Pointer[ageFrame]
)

type ageFrame struct {
	mu   sync.Mutex // an Ago outside any frame, on another goroutine, may land here
	next time.Duration
	any  bool
}

// DrawFrame runs draw, recording the ages it formats; next is how long
// until the first of them reads differently, ok false when it drew none.
func DrawFrame(draw func()) (next time.Duration, ok bool) {
	frameMu.Lock()
	defer frameMu.Unlock()
	f := &ageFrame{}
	frame.Store(f)
	defer frame.Store(nil)
	draw()
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next, f.any
}

// record notes an age drawn: d grows with the clock (an age) or shrinks (a
// countdown, Left).
func record(d time.Duration, countdown bool) {
	f := frame.Load()
	if f == nil {
		return
	}
	var in time.Duration
	u := unit(d)
	switch {
	case countdown && d < 0:
		return // "0s" for good
	case countdown:
		in = d%u + time.Millisecond // when it drops below the unit shown
	case d < 0:
		in = -d // "0s" until it is positive
	default:
		in = u - d%u
	}
	f.mu.Lock()
	if !f.any || in < f.next {
		f.next, f.any = in, true
	}
	f.mu.Unlock()
}

// unit is the granularity Ago shows d at.
func unit(d time.Duration) time.Duration {
	switch {
	case d < time.Minute:
		return time.Second
	case d < time.Hour:
		return time.Minute
	case d < 48*time.Hour:
		return time.Hour
	}
	return 24 * time.Hour
}

// Left writes a time remaining ("3h") like Ago, for a countdown: an end
// time minus now.
func Left(d time.Duration) string {
	record(d, true)
	return ago(d)
}
