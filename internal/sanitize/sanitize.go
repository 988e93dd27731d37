// Package sanitize makes strings from the cluster, the journal or the user
// safe to draw in a terminal: escape sequences are removed and control
// characters dropped, so a job name or a journal entry cannot move the
// cursor, change the title or rewrite the screen.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Line returns s on one line: escape sequences stripped, newlines and tabs
// turned into spaces, every other control character removed.
func Line(s string) string { return clean(s, false) }

// Text is Line but keeps newlines (for multi-line journal entries and check
// output).
func Text(s string) string { return clean(s, true) }

func clean(s string, keepNewlines bool) string {
	if isPlain(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && keepNewlines:
			b.WriteRune(r)
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r), r == '\u2028', r == '\u2029',
			r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			// C0, DEL, C1 controls and bidi overrides (which can make a
			// name read backwards) are dropped.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain is the fast path: printable ASCII needs no work, and most names are.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
