package oncall

import (
	"context"
	"time"
)

// Replicated is what a replicated store can say of itself: since when
// no primary has answered (zero while writes go through). Reads are then
// served by a standby and writes wait for a primary. A store on one file
// (SQLite) does not implement it: it is never read-only that way.
type Replicated interface {
	NoPrimarySince() time.Time
}

// ReadOnlySince is st's NoPrimarySince, or zero for a store without one.
func ReadOnlySince(st Store) time.Time {
	if a, ok := st.(Replicated); ok {
		return a.NoPrimarySince()
	}
	return time.Time{}
}

type waitNoticeKey struct{}

// WithWaitNotice makes a write that has to wait for a primary call notice
// once, with the reason, before it waits: the command line says why it
// hangs, the TUI why a form has not closed yet.
func WithWaitNotice(ctx context.Context, notice func(reason string)) context.Context {
	return context.WithValue(ctx, waitNoticeKey{}, notice)
}

// WaitNotice is ctx's notice, or a no-op.
func WaitNotice(ctx context.Context) func(reason string) {
	if f, ok := ctx.Value(waitNoticeKey{}).(func(string)); ok && f != nil {
		return f
	}
	return func(string) {}
}
