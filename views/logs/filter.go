package logs

import (
	"slices"
	"strings"

	"codeberg.org/entretien/entretien/internal/sanitize"
)

// The filter keeps the absolute numbers of the matching lines, so lines
// dropped past MaxLines leave it by a prefix cut and a change of filter
// keeps a paused view on the same place in the log (as less's & does).

// SetFilter shows only the lines containing q (case-insensitive); ""
// shows every line. It implements common.Filterable: the root's `/`.
func (m *Model) SetFilter(q string) {
	q = strings.TrimSpace(q)
	lq := strings.ToLower(q)
	if lq == m.filter {
		m.shownQuery = sanitize.Line(q)
		return
	}
	anchor := -1 // absolute number of the first line drawn while paused
	if !m.follow && m.top < m.shownLen() {
		anchor = m.abs(m.top)
	}
	m.filter, m.shownQuery, m.match = lq, sanitize.Line(q), nil
	if lq != "" {
		for i, l := range m.lines {
			if matches(l, lq) {
				m.match = append(m.match, m.first+i)
			}
		}
	}
	if anchor >= 0 {
		m.top = m.indexAtOrAfter(anchor)
		m.top = max(min(m.top, m.lastTop()), 0)
	}
}

// Filter is the filter in force, lower-cased ("" for none).
func (m *Model) Filter() string { return m.filter }

func matches(line, lq string) bool {
	return strings.Contains(strings.ToLower(line), lq)
}

// hasPartial: the unfinished last line is shown (it matches the filter).
func (m *Model) hasPartial() bool {
	return len(m.partial) > 0 && (m.filter == "" || matches(m.partLine, m.filter))
}

// shownLen is how many lines the view holds: the matching ones, or all,
// plus the unfinished last line.
func (m *Model) shownLen() int {
	n := len(m.lines)
	if m.filter != "" {
		n = len(m.match)
	}
	if m.hasPartial() {
		n++
	}
	return n
}

// totalLen counts every line kept, matching or not.
func (m *Model) totalLen() int {
	if len(m.partial) > 0 {
		return len(m.lines) + 1
	}
	return len(m.lines)
}

// shown is line i of the view.
func (m *Model) shown(i int) string {
	switch {
	case m.filter == "" && i < len(m.lines):
		return m.lines[i]
	case m.filter != "" && i < len(m.match):
		return m.lines[m.match[i]-m.first]
	}
	return m.partLine
}

// abs is the absolute number of view line i (the partial line counts as
// the one after the last complete line).
func (m *Model) abs(i int) int {
	if m.filter != "" && i < len(m.match) {
		return m.match[i]
	}
	if m.filter != "" {
		return m.first + len(m.lines)
	}
	return m.first + i
}

// indexAtOrAfter is the first view line whose absolute number is >= n.
func (m *Model) indexAtOrAfter(n int) int {
	if m.filter == "" {
		return max(n-m.first, 0)
	}
	return m.matchesBefore(n)
}

// matchesBefore counts the matching lines numbered below n.
func (m *Model) matchesBefore(n int) int {
	i, _ := slices.BinarySearch(m.match, n)
	return i
}

// unseen counts the shown lines that arrived since the member paused.
func (m *Model) unseen() int {
	if m.filter == "" {
		return max(m.first+len(m.lines)-m.seen, 0)
	}
	return len(m.match) - m.matchesBefore(m.seen)
}
