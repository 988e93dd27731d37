package tui

import (
	"context"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// unreached names the open outages whose pages reached nobody: every
// contact method of every member paged failed. The status line says so to
// everyone, since whoever sees it may be the only one who can call.
func unreached(st oncall.Store) []string {
	if st == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	os, err := st.OpenPagedOutages(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, o := range os {
		ps, err := st.Pages(ctx, oncall.PageFilter{OutageID: o.ID})
		if err != nil {
			return out
		}
		tried, delivered := 0, false
		for _, p := range ps {
			if p.Step == 0 { // the resolved message
				continue
			}
			if len(p.Deliveries) > 0 {
				tried++
			}
			delivered = delivered || p.Delivered
		}
		if tried > 0 && !delivered {
			out = append(out, o.Subject)
		}
	}
	return out
}
