package conformance

import (
	"context"
	"testing"
	"time"
)

func testMarkSeeded(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	if ok, at, err := st.Seeded(ctx); err != nil || ok || !at.IsZero() {
		t.Fatalf("fresh store seeded=%v at %v, %v", ok, at, err)
	}
	now := time.Date(2026, 11, 25, 13, 20, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	if err := st.MarkSeeded(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := st.MarkSeeded(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if ok, at, err := st.Seeded(ctx); err != nil || !ok || !at.Equal(now.Add(-time.Hour)) {
		t.Fatalf("seeded=%v at %v, %v; want the first mark", ok, at, err)
	}
}
