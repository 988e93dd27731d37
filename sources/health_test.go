package sources

import (
	"errors"
	"testing"
	"time"
)

func TestHealthState(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	boom := errors.New("connection refused")
	for _, tc := range []struct {
		h    Health
		want HealthState
		word string
	}{
		{Health{}, Connecting, "connecting"},
		{Health{Updated: t0}, Current, "ok"},
		{Health{Updated: t0, Err: boom}, StaleData, "stale"},
		{Health{Err: boom}, Unreachable, "unreachable"},
	} {
		if got := tc.h.State(); got != tc.want || got.String() != tc.word {
			t.Errorf("%+v: State() = %v (%s), want %v (%s)", tc.h, int(got), got, int(tc.want), tc.word)
		}
		if tc.h.Stale() != (tc.want != Current) {
			t.Errorf("%+v: Stale() disagrees with State()", tc.h)
		}
	}
}
