package care

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall/care"
	"codeberg.org/entretien/entretien/views/common"
)

func (m *Model) View() string {
	st := m.ctx.Styles
	d := m.data
	switch {
	case !d.loaded:
		return st.Muted.Render("computing the care figures…")
	case d.err != nil:
		return st.Crit.Render("care figures unavailable: ") + sanitize.Line(d.err.Error())
	case len(d.table.Rows) == 0:
		return st.Muted.Render("No member yet.")
	}
	if m.drill {
		return m.drillView()
	}
	return m.tableView()
}

// phaseFigures are the indexes in care.Figures of one phase's figures.
func phaseFigures(p care.Phase) []int {
	var out []int
	for i, f := range care.Figures {
		if f.Phase == p {
			out = append(out, i)
		}
	}
	return out
}

func (m *Model) tableView() string {
	st, t, w := m.ctx.Styles, m.data.table, m.ctx.Width
	phase := care.Figures[m.fig].Phase
	figs := phaseFigures(phase)

	head := st.Section.Render(fmt.Sprintf("care work · last %d days", m.data.days))
	if m.data.seeded { // before the tagline: a narrow terminal cuts the end
		head += "  " + st.Warn.Render("demo: this history is seeded, not real")
	}
	lines := []string{head + st.Muted.Render("  the same figures for everyone, to see and share the work — not a ranking")}
	var tabs []string
	for _, p := range care.Phases {
		if p == phase {
			tabs = append(tabs, st.TabActive.Render(string(p)))
		} else {
			tabs = append(tabs, st.Tab.Render(string(p)))
		}
	}
	lines = append(lines, strings.Join(tabs, ""), "")

	barW := max(min((w-12)/max(len(figs), 1)-14, 8), 0)
	tab := common.Table{Cursor: -1, Cols: []common.Col{{Title: "MEMBER", Min: 8}}}
	for _, i := range figs {
		tab.Cols = append(tab.Cols, common.Col{Title: strings.ToUpper(care.Figures[i].Label), Min: 6})
	}
	for r, row := range t.Rows {
		cells := []common.Cell{{Text: row.Member, Style: st.Bold}}
		for _, i := range figs {
			cells = append(cells, m.cell(row.Cells[i], i, t.Balance[i], barW, r == m.row && i == m.fig))
		}
		tab.Rows = append(tab.Rows, cells)
	}
	bal := []common.Cell{{Text: "balance", Style: st.Muted}}
	for _, i := range figs {
		b := t.Balance[i]
		txt := "—"
		if b.Total > 0 {
			txt = fmt.Sprintf("gini %.2f · pairs %.2f", b.Gini, b.Score)
		}
		bal = append(bal, common.Cell{Text: txt, Style: st.Muted})
	}
	tab.Rows = append(tab.Rows, bal)
	lines = append(lines, strings.Split(tab.Render(st.Header, st.Cursor, w, len(tab.Rows)+1), "\n")...)

	f := care.Figures[m.fig]
	sel := t.Rows[m.row].Cells[m.fig]
	lines = append(lines, "", st.Muted.Render(sanitize.Line(t.Rows[m.row].Member)+" · "+f.Of+": ")+sanitize.Line(sel.Text)+
		st.Muted.Render(" ("+common.Plural(len(sel.Facts), "fact", "facts")+") · enter shows them"))
	if flag := sel.Flag(f); flag != "" {
		lines[len(lines)-1] += " " + st.CareFlag.Render(flag)
	}
	lines = append(lines, m.risks()...)
	for _, n := range t.Notes {
		lines = append(lines, st.Muted.Render("note: "+sanitize.Line(n)))
	}
	return strings.Join(lines, "\n")
}

// cell draws "62h ███▍ +84%": the value, a bar of its share of the column's
// largest value, and the share above the average.
func (m *Model) cell(c care.Cell, fig int, b care.Balance, barW int, selected bool) common.Cell {
	st := m.ctx.Styles
	text := sanitize.Line(c.Text)
	if barW > 0 {
		hi := 0.0
		for _, r := range m.data.table.Rows {
			hi = math.Max(hi, r.Cells[fig].Value)
		}
		if hi > 0 {
			text += " " + st.CareBar.Render(bar(c.Value/hi, barW))
		}
	}
	if c.AbovePct > 0 {
		text += " " + st.CareFlag.Render(fmt.Sprintf("+%d%%", c.AbovePct))
	}
	if selected {
		text = st.Cursor.Render("▸ ") + text
	}
	return common.Cell{Text: text, Styled: true}
}

var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// bar is frac (0..1) of width cells, in eighths of a cell.
func bar(frac float64, width int) string {
	n := int(math.Round(frac * float64(width*8)))
	return strings.Repeat("█", n/8) + eighths[n%8]
}

// risks lists the services and sites with a bus factor of 1 (or nobody)
// and the sites whose machines only one member can reach.
func (m *Model) risks() []string {
	st, t := m.ctx.Styles, m.data.table
	var out []string
	for _, list := range [][]care.Coverage{t.Services, t.Sites} {
		for _, c := range list {
			if !c.Risk {
				continue
			}
			who := "nobody acted on its incidents"
			if len(c.Actors) == 1 {
				who = "only " + c.Actors[0] + " acted on its incidents"
			}
			out = append(out, st.Warn.Render("bus factor "+fmt.Sprint(c.BusFactor))+" "+
				sanitize.Line(fmt.Sprintf("%s %s: %s (%s)", c.Kind, c.Name, who, common.Plural(len(c.Incidents), "incident", "incidents"))))
		}
	}
	for _, h := range t.Hosting {
		line := sanitize.Line(fmt.Sprintf("site %s: hosted by %s · repaired by %s", h.Site, orNobody(h.Hosts), orNobody(h.Repairers)))
		if h.Risk {
			out = append(out, st.Warn.Render("hosting")+" "+line+" — "+sanitize.Line(h.Why))
		} else {
			out = append(out, st.Muted.Render("hosting "+line))
		}
	}
	for _, u := range t.Unheard {
		out = append(out, st.Warn.Render("not heard")+" "+sanitize.Line(fmt.Sprintf("%s hosts %s and took no position on %s affecting it",
			u.Host, strings.Join(u.Machines, ", "), common.Plural(len(u.Proposals), "proposal", "proposals")))+st.Muted.Render(" ("+proposalRefs(u.Proposals)+")"))
	}
	if len(out) > 0 {
		out = append([]string{""}, out...)
	}
	return out
}

func proposalRefs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(parts, ", ")
}

func orNobody(s []string) string {
	if len(s) == 0 {
		return "nobody"
	}
	return strings.Join(s, ", ")
}

// drillView lists the facts the selected cell was computed from.
func (m *Model) drillView() string {
	st, t := m.ctx.Styles, m.data.table
	row := t.Rows[m.row]
	f, c := care.Figures[m.fig], row.Cells[m.fig]
	loc := common.Location(row.TZ)
	head := st.Section.Render(sanitize.Line(row.Member)+" · "+f.Of+" · "+sanitize.Line(c.Text)) +
		st.Muted.Render(fmt.Sprintf("  (%.0f%% of the collective's", c.Share*100)+" total)")
	lines := []string{head}
	if flag := c.Flag(f); flag != "" {
		lines = append(lines, st.CareFlag.Render(flag)+st.Muted.Render(" — a share to talk about, and to hand on if it weighs"))
	}
	lines = append(lines, st.Muted.Render(f.Doc+"; times in "+row.TZ), "")
	if len(c.Facts) == 0 {
		lines = append(lines, st.Muted.Render("No fact in this window."))
	}
	var facts []string
	for _, x := range c.Facts {
		when := x.Start.In(loc).Format("2006-01-02 15:04")
		if !x.End.IsZero() {
			when += " → " + x.End.In(loc).Format("2006-01-02 15:04")
		}
		amt := fmt.Sprintf("+%g", math.Round(x.Amount*10)/10)
		if f.Hours {
			amt += "h"
		}
		facts = append(facts, fmt.Sprintf("%-35s %-7s %s", when, amt, sanitize.Line(x.Ref))+st.Muted.Render("  "+sanitize.Line(x.Note)))
	}
	m.scroll = min(m.scroll, max(len(facts)-1, 0))
	lines = append(lines, facts[m.scroll:]...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.ctx.Width, "…")
	}
	return strings.Join(lines, "\n")
}
