package care

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Windows are the windows the screen cycles through, in days.
var Windows = []int{30, 90, 365}

// ParseWindow reads a window length as days ("90d", 1 to 3660 days).
func ParseWindow(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil || !strings.HasSuffix(s, "d") || n < 1 || n > 3660 {
		return 0, fmt.Errorf("window %q: want a number of days such as 30d, 90d or 365d", s)
	}
	return n, nil
}

// Window is [now - days, now).
func Window(now time.Time, days int) (from, to time.Time) {
	return now.Add(-time.Duration(days) * 24 * time.Hour), now
}
