package oncall

import (
	"testing"
	"time"
)

func TestRotaParseWindow(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"daily 08:00-22:00", "daily 08:00-22:00"},
		{"weekends", "weekends"},
		{"mon-fri 18:00-08:00", "weekdays 18:00-08:00"},
		{"fri-mon", "sun,mon,fri,sat"},
		{"MON,wed", "mon,wed"},
	} {
		w, err := ParseWindow(c.in)
		if err != nil || w.String() != c.out {
			t.Errorf("ParseWindow(%q) = %v %v, want %s", c.in, w, err, c.out)
		}
	}
	for _, bad := range []string{"", "nights", "mon 25:00-26:00", "daily 8-22", "mon-xyz", "a b c"} {
		if _, err := ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q) accepted", bad)
		} else {
			wantValidation(t, err, "member.availability")
		}
	}
	// A night window crossing midnight over the fall-back night in Paris.
	w, _ := ParseWindow("daily 22:00-06:00")
	paris := zone(t, "Europe/Paris")
	un := Unavailable([]Window{w}, paris, time.Date(2026, 10, 24, 12, 0, 0, 0, paris), time.Date(2026, 10, 25, 12, 0, 0, 0, paris))
	if len(un) != 2 || !un[0].End.Equal(time.Date(2026, 10, 24, 22, 0, 0, 0, paris)) || !un[1].Start.Equal(utc(2026, 10, 25, 5, 0)) {
		t.Fatalf("unavailable %+v", un)
	}
}
