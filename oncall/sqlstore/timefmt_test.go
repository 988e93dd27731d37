package sqlstore

import (
	"math/rand/v2"
	"testing"
	"time"
)

// decodeTime's fast path gives what time.Parse gives, and leaves to it
// everything it would refuse.
func TestDecodeTimeAsTimeParse(t *testing.T) {
	cases := []string{
		"2026-12-02T07:30:00.123456789Z", "0000-01-01T00:00:00.000000000Z", "9999-12-31T23:59:59.999999999Z",
		"2024-02-29T12:00:00.000000000Z", "2025-02-29T12:00:00.000000000Z", "2025-04-31T12:00:00.000000000Z",
		"2025-13-01T12:00:00.000000000Z", "2025-00-01T12:00:00.000000000Z", "2025-01-00T12:00:00.000000000Z",
		"2025-01-01T24:00:00.000000000Z", "2025-01-01T23:60:00.000000000Z", "2025-01-01T23:59:60.000000000Z",
		"2025-01-01T23:59:59.00000000Z", "2025-01-01T23:59:59.0000000000Z", "2025-01-01 23:59:59.000000000Z",
		"2025-01-01T23:59:59.000000000+", "2025-01-01T23:59:59.00000000aZ", "+025-01-01T23:59:59.000000000Z",
		"2025-1-01T23:59:59.0000000000Z", "", "2025-01-01T23:59:59Z",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		at := time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)).UTC()
		cases = append(cases, encodeTime(at))
		b := []byte(encodeTime(at))
		b[r.IntN(len(b))] = "0123456789:-TZ.x"[r.IntN(16)]
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, werr := time.Parse(timeLayout, s)
		got, err := decodeTime(s)
		if (err != nil) != (werr != nil) || !got.Equal(want.UTC()) || got.Location() != time.UTC {
			t.Errorf("%q: decoded %v, %v; time.Parse %v, %v", s, got, err, want, werr)
		}
		if f, ok := decodeTimeFast(s); ok && (werr != nil || f != want.UTC()) {
			t.Errorf("%q: fast path %v, time.Parse %v, %v", s, f, want, werr)
		}
	}
}

func BenchmarkDecodeTime(b *testing.B) {
	s := encodeTime(time.Now())
	for b.Loop() {
		if _, err := decodeTime(s); err != nil {
			b.Fatal(err)
		}
	}
}
