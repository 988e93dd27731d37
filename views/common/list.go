package common

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/views/theme"
)

// Row is one line of a List.
type Row struct {
	// ID identifies what the row stands for: the cursor stays on it across
	// updates, and drill-down opens it.
	ID    string
	Cells []Spec
	// Sites the row belongs to, for `:site` narrowing (nil: every site).
	Sites []string
	// Data is whatever the screen needs to drill down (a sources value).
	Data any

	search string // lower-case plain text the filter matches
}

// ListKeys are the list movements every list screen shares: the
// navigation keys, and sorting.
type ListKeys struct {
	NavKeys
	Sort, Reverse key.Binding
}

func DefaultListKeys() ListKeys {
	return ListKeys{
		NavKeys: DefaultNavKeys(),
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort by next column")),
		Reverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse the sort")),
	}
}

func (k ListKeys) Bindings() []key.Binding {
	return append(k.Moves(), k.Sort, k.Reverse)
}

// List is a scrolling, filterable, sortable table. Rows are set whenever
// the data changes; the filter, the site and the sort only reorder an index
// over them, and a frame draws only the visible rows, so ten thousand rows
// cost what a screenful does.
type List struct {
	Cols []Col
	Keys ListKeys

	rows    []Row
	view    []int // indexes into rows: filtered, narrowed, sorted
	natural []int
	cursor  int
	offset  int
	height  int // rows visible in the last frame (for paging)

	filter  string
	site    string
	sortCol int  // -1: the order the screen gave
	desc    bool // sortCol descending
}

func NewList(cols ...Col) List {
	return List{Cols: cols, Keys: DefaultListKeys(), sortCol: -1}
}

// SetRows replaces the rows, keeping the cursor on the same ID.
func (l *List) SetRows(rows []Row) {
	prev := l.selectedID()
	l.rows = rows
	l.natural = make([]int, len(l.Cols))
	var b strings.Builder
	for i := range rows {
		r := &rows[i]
		b.Reset()
		for j := range r.Cells {
			// Sanitised once here; drawing and sorting use the result.
			t := sanitize.Line(r.Cells[j].Text)
			r.Cells[j].Text = t
			if j < len(l.natural) {
				l.natural[j] = max(l.natural[j], width(t))
			}
			b.WriteString(t)
			b.WriteByte(' ')
		}
		r.search = strings.ToLower(b.String())
	}
	l.reindex(prev)
}

// SetFilter narrows the rows to those containing q (case-insensitive).
func (l *List) SetFilter(q string) {
	prev := l.selectedID()
	l.filter = strings.ToLower(strings.TrimSpace(q))
	l.reindex(prev)
}

func (l *List) Filter() string { return l.filter }

// SetSite narrows the rows to one site ("" shows all).
func (l *List) SetSite(site string) {
	prev := l.selectedID()
	l.site = site
	l.reindex(prev)
}

// CycleSort sorts by the next column (then back to the screen's order).
// The direction stays what ReverseSort last made it, as htop's does.
func (l *List) CycleSort() {
	prev := l.selectedID()
	l.sortCol++
	if l.sortCol >= len(l.Cols) {
		l.sortCol = -1
	}
	l.reindex(prev)
}

// ReverseSort flips the direction of the sort; in the screen's own order
// (nothing to reverse by) it sorts by the first column, descending.
func (l *List) ReverseSort() {
	if len(l.Cols) == 0 {
		return
	}
	prev := l.selectedID()
	if l.sortCol < 0 {
		l.sortCol, l.desc = 0, true
	} else {
		l.desc = !l.desc
	}
	l.reindex(prev)
}

// Sort is the column sorted by (-1: the screen's order) and whether it is
// descending.
func (l *List) Sort() (col int, desc bool) { return l.sortCol, l.desc }

func (l *List) reindex(keepID string) {
	l.view = l.view[:0]
	for i := range l.rows {
		r := &l.rows[i]
		if l.site != "" && r.Sites != nil && !slices.Contains(r.Sites, l.site) {
			continue
		}
		if l.filter != "" && !strings.Contains(r.search, l.filter) {
			continue
		}
		l.view = append(l.view, i)
	}
	if c := l.sortCol; c >= 0 {
		slices.SortStableFunc(l.view, func(a, b int) int {
			if l.desc {
				a, b = b, a
			}
			return compareKeys(sortKey(l.rows[a], c), sortKey(l.rows[b], c))
		})
	}
	l.cursor = min(l.cursor, max(len(l.view)-1, 0))
	if keepID != "" {
		for i, ri := range l.view {
			if l.rows[ri].ID == keepID {
				l.cursor = i
				break
			}
		}
	}
}

// compareKeys orders numbers as numbers (RESTARTS: 2 before 10) and the
// rest as text.
func compareKeys(x, y string) int {
	if fx, err := strconv.ParseFloat(x, 64); err == nil {
		if fy, err := strconv.ParseFloat(y, 64); err == nil {
			return cmp.Compare(fx, fy)
		}
	}
	return cmp.Compare(x, y)
}

func sortKey(r Row, c int) string {
	if c < len(r.Cells) {
		return r.Cells[c].Text
	}
	return ""
}

// width is ansi.StringWidth with a fast path for ASCII, which most names are.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

func (l *List) selectedID() string {
	if r, ok := l.Selected(); ok {
		return r.ID
	}
	return ""
}

// Selected is the row under the cursor.
func (l *List) Selected() (Row, bool) {
	if l.cursor < 0 || l.cursor >= len(l.view) {
		return Row{}, false
	}
	return l.rows[l.view[l.cursor]], true
}

// AtLast is true when the cursor is on the last row shown (or there is
// none): a list that follows new rows (a timeline) stays at the bottom.
func (l *List) AtLast() bool { return l.cursor >= len(l.view)-1 }

// SelectLast moves the cursor to the last row shown.
func (l *List) SelectLast() { l.cursor = max(len(l.view)-1, 0) }

// Len is the number of rows shown (after filter and site); Total all rows.
func (l *List) Len() int   { return len(l.view) }
func (l *List) Total() int { return len(l.rows) }

// Update moves the cursor on list keys and the mouse wheel; it reports
// whether it used the message.
func (l *List) Update(msg tea.Msg) bool {
	page := max(l.height-1, 1)
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			l.move(-3)
		case tea.MouseWheelDown:
			l.move(3)
		default:
			return false
		}
		return true
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, l.Keys.Up):
			l.move(-1)
		case key.Matches(msg, l.Keys.Down):
			l.move(1)
		case key.Matches(msg, l.Keys.PageUp):
			l.move(-page)
		case key.Matches(msg, l.Keys.PageDown):
			l.move(page)
		case key.Matches(msg, l.Keys.Top):
			l.cursor = 0
		case key.Matches(msg, l.Keys.Bottom):
			l.cursor = max(len(l.view)-1, 0)
		case key.Matches(msg, l.Keys.Sort):
			l.CycleSort()
		case key.Matches(msg, l.Keys.Reverse):
			l.ReverseSort()
		default:
			return false
		}
		return true
	}
	return false
}

// Click moves the cursor to the row drawn on line i of the list's rows (0
// is the first row under the column header); false when no row is there.
func (l *List) Click(i int) bool {
	if i < 0 || i >= l.height || l.offset+i >= len(l.view) {
		return false
	}
	l.cursor = l.offset + i
	return true
}

func (l *List) move(d int) {
	l.cursor = max(min(l.cursor+d, len(l.view)-1), 0)
}

// View draws the header and the rows that fit in height lines.
func (l *List) View(st *theme.Styles, width, height int) string {
	if height <= 0 || width <= 0 {
		return ""
	}
	visible := max(height-1, 1)
	l.height = visible
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+visible {
		l.offset = l.cursor - visible + 1
	}
	l.offset = max(min(l.offset, len(l.view)-visible), 0)
	cols := l.Cols
	if l.sortCol >= 0 {
		cols = slices.Clone(cols)
		arrow := "▲"
		if l.desc {
			arrow = "▼"
		}
		cols[l.sortCol].Title += arrow
	}
	t := Table{Cols: cols, Natural: l.natural, Cursor: l.cursor - l.offset}
	end := min(l.offset+visible, len(l.view))
	t.Rows = make([][]Cell, 0, end-l.offset)
	for _, ri := range l.view[l.offset:end] {
		specs := l.rows[ri].Cells
		cells := make([]Cell, len(specs))
		for j, sp := range specs {
			cells[j] = Cell{Text: sp.Text, Style: sp.style(st), Styled: true}
		}
		t.Rows = append(t.Rows, cells)
	}
	return t.Render(st.Header, st.Cursor, width, height)
}
