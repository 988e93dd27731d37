package oncall

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var handleRE = lazyRegexp(`^[a-z][a-z0-9_-]{0,31}$`)

// CheckLine validates a one-line human text (names, titles): not blank,
// valid UTF-8, at most maxRunes characters, no control characters (a newline
// or escape in a title would break every list that shows it).
func CheckLine(field, s string, maxRunes int) error {
	if !utf8.ValidString(s) {
		return Invalid(field, s, "not valid UTF-8")
	}
	if strings.TrimSpace(s) == "" {
		return Invalid(field, s, "must not be empty")
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return Invalid(field, s, "longer than "+itoa(maxRunes)+" characters")
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return Invalid(field, s, "must not contain control characters")
	}
	return nil
}

// checkToken validates an identifier-like string (OS user, affects target):
// non-empty, printable, no spaces.
func checkToken(field, s string, maxBytes int) error {
	if s == "" {
		return Invalid(field, s, "must not be empty")
	}
	if len(s) > maxBytes {
		return Invalid(field, s, "longer than "+itoa(maxBytes)+" bytes")
	}
	if !utf8.ValidString(s) {
		return Invalid(field, s, "not valid UTF-8")
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return Invalid(field, s, "must not contain spaces or control characters")
	}
	return nil
}

// loadZone accepts IANA names only: "" and "Local" load too, but mean UTC or
// whatever machine runs the process, which is not a member's zone.
func loadZone(field, tz string) (*time.Location, error) {
	if tz == "" || tz == "Local" {
		return nil, Invalid(field, tz, "must be an IANA time zone such as Europe/Paris")
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, Invalid(field, tz, "unknown time zone")
	}
	return loc, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
