package care

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// loadPages reads the pages sent in [from, to), with when their member
// acknowledged them.
func loadPages(ctx context.Context, st oncall.Store, f *Facts, from, to time.Time) error {
	ps, err := st.Pages(ctx, oncall.PageFilter{})
	if err != nil {
		return err
	}
	outages := map[int64]oncall.PagedOutage{}
	for _, p := range ps {
		if p.Step == 0 || p.Created.Before(from) || !p.Created.Before(to) {
			continue
		}
		o, ok := outages[p.OutageID]
		if !ok {
			if o, err = st.PagedOutage(ctx, p.OutageID); err != nil {
				return err
			}
			outages[p.OutageID] = o
		}
		cp := Page{ID: p.ID, Member: p.Member, At: p.Created}
		if o.AckedBy == p.Member && !o.Acked.Before(p.Created) {
			cp.Acked = o.Acked
		}
		f.Pages = append(f.Pages, cp)
	}
	return nil
}

// pages credits each page to its member, by band in their zone, with the
// time they took to acknowledge it.
func (c *computer) pages() {
	bands := make([][NumBands]int, len(c.members))
	acks := make([][]time.Duration, len(c.members))
	for _, p := range c.f.Pages {
		i, ok := c.row[p.Member]
		if !ok || !c.inWindow(p.At) {
			continue
		}
		b := BandAt(p.At, c.locs[i])
		bands[i][b]++
		note := b.String()
		if !p.Acked.IsZero() {
			d := p.Acked.Sub(p.At)
			acks[i] = append(acks[i], d)
			note += ", acknowledged after " + fmtDuration(d)
		}
		c.add(p.Member, PagesReceived, Fact{Kind: "page", Ref: "page #" + strconv.FormatInt(p.ID, 10), Start: p.At, End: p.Acked, Amount: 1, Note: note})
	}
	for i := range c.members {
		cell := &c.cells[i][FigureIndex(PagesReceived)]
		if cell.Value == 0 {
			continue
		}
		b := bands[i]
		cell.Text = fmt.Sprintf("%d · %d/%d/%d", int(cell.Value), b[Day], b[EveningWeekend], b[Night])
		if len(acks[i]) > 0 {
			cell.Text += " · ack " + fmtDuration(median(acks[i]))
		}
	}
}
