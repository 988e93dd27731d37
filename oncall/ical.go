package oncall

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteICal writes shifts as an RFC 5545 calendar (CRLF lines, TEXT
// escaping, lines folded at 75 octets), one VEVENT per shift with UTC
// times, so any calendar client can subscribe to it. UIDs are stable (the
// rotation, member and start), so a re-fetched feed updates events in place.
func WriteICal(w io.Writer, name string, shifts []Shift, stamp time.Time) error {
	bw := bufio.NewWriter(w)
	line := func(s string) { writeFolded(bw, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//entretien//on-call rota//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icalText(name))
	st := stamp.UTC().Format(icalUTC)
	for _, s := range shifts {
		sum := fmt.Sprintf("on call: %s (%s)", s.Rotation, s.Member)
		desc := fmt.Sprintf("%s holds the %s pager.", s.Member, s.Rotation)
		if s.Covers != "" {
			sum = fmt.Sprintf("on call: %s (%s covers %s)", s.Rotation, s.Member, s.Covers)
			desc = fmt.Sprintf("%s covers %s on %s (override #%d).", s.Member, s.Covers, s.Rotation, s.OverrideID)
		}
		h := sha256.Sum256([]byte(s.Rotation + "\x00" + s.Member))
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:%s-%d@entretien", hex.EncodeToString(h[:6]), s.Start.Unix()))
		line("DTSTAMP:" + st)
		line("DTSTART:" + s.Start.UTC().Format(icalUTC))
		line("DTEND:" + s.End.UTC().Format(icalUTC))
		line("SUMMARY:" + icalText(sum))
		line("DESCRIPTION:" + icalText(desc))
		line("CATEGORIES:" + icalText(s.Rotation))
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return bw.Flush()
}

const icalUTC = "20060102T150405Z"

// icalText escapes a TEXT value (RFC 5545 3.3.11); other control
// characters are dropped, they have no escape.
func icalText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded ends s with CRLF, folding it so no line exceeds 75 octets;
// continuation lines start with a space, never inside a UTF-8 sequence.
func writeFolded(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
