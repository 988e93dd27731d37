package common

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
)

// Cell is one table cell: text (sanitised when drawn) and the style that
// carries its meaning.
type Cell struct {
	Text  string
	Style lipgloss.Style
	// Styled marks Text as already sanitised and styled by the view (for
	// cells that mix several states, like "1 running · 2 failed").
	Styled bool
}

func (c Cell) text() string {
	if c.Styled {
		return c.Text
	}
	return sanitize.Line(c.Text)
}

// Col describes a column: a header, a minimum width and whether it takes
// the width left over (one flexible column absorbs the rest).
type Col struct {
	Title string
	Min   int
	Flex  bool
}

// Table renders rows of cells into a fixed width. Long text is truncated
// with an ellipsis, never wrapped into the next row. Only the rows in
// [offset, offset+height) are drawn, so huge lists cost what is visible.
type Table struct {
	Cols   []Col
	Rows   [][]Cell
	Cursor int // -1 for none
	// Natural, when set, is each column's natural width, measured once by
	// the caller over every row (List does), so Rows may hold only the
	// visible rows and a frame costs what it draws.
	Natural []int
}

const colGap = 2

// Render draws the header and up to height-1 rows, scrolled so that the
// cursor is visible.
func (t Table) Render(header, cursor lipgloss.Style, width, height int) string {
	if width <= 0 || height <= 0 || len(t.Cols) == 0 {
		return ""
	}
	widths := t.widths(width)
	var b strings.Builder
	hdr := make([]Cell, len(t.Cols))
	for i, c := range t.Cols {
		hdr[i] = Cell{Text: c.Title, Style: header}
	}
	b.WriteString(renderRow(hdr, widths, nil))
	visible := height - 1
	start := 0
	if t.Cursor >= visible {
		start = t.Cursor - visible + 1
	}
	for i := start; i < len(t.Rows) && i < start+visible; i++ {
		b.WriteByte('\n')
		if i == t.Cursor {
			b.WriteString(renderRow(t.Rows[i], widths, &cursor))
		} else {
			b.WriteString(renderRow(t.Rows[i], widths, nil))
		}
	}
	return b.String()
}

// widths gives each column its natural width (capped by the terminal),
// then hands the rest, or takes the shortfall, from the flexible column.
func (t Table) widths(total int) []int {
	w := make([]int, len(t.Cols))
	for i, c := range t.Cols {
		w[i] = max(c.Min, ansi.StringWidth(c.Title))
		if i < len(t.Natural) {
			w[i] = max(w[i], t.Natural[i])
		}
	}
	if t.Natural == nil {
		for _, r := range t.Rows {
			for i := range w {
				if i < len(r) {
					w[i] = max(w[i], ansi.StringWidth(r[i].text()))
				}
			}
		}
	}
	flex := -1
	for i, c := range t.Cols {
		if c.Flex {
			flex = i
		}
	}
	if flex < 0 {
		flex = len(w) - 1
	}
	sum := colGap * (len(w) - 1)
	for _, x := range w {
		sum += x
	}
	switch {
	case sum < total && t.Cols[flex].Flex:
		w[flex] += total - sum
	case sum > total:
		over := sum - total
		// Shrink the flexible column first, then the widest ones.
		for over > 0 {
			i := flex
			if w[flex] <= max(t.Cols[flex].Min, 4) {
				i = widest(w)
			}
			if w[i] <= 1 {
				break
			}
			w[i]--
			over--
		}
	}
	return w
}

func widest(w []int) int {
	best := 0
	for i := range w {
		if w[i] > w[best] {
			best = i
		}
	}
	return best
}

func renderRow(cells []Cell, widths []int, cursor *lipgloss.Style) string {
	var b strings.Builder
	for i, w := range widths {
		if i > 0 {
			gap := strings.Repeat(" ", colGap)
			if cursor != nil {
				gap = cursor.Render(gap)
			}
			b.WriteString(gap)
		}
		var c Cell
		if i < len(cells) {
			c = cells[i]
		}
		text := ansi.Truncate(c.text(), w, "…")
		pad := w - ansi.StringWidth(text)
		st := c.Style
		if cursor != nil {
			st = cursor.Inherit(st)
		}
		b.WriteString(st.Render(text + strings.Repeat(" ", pad)))
	}
	return b.String()
}
