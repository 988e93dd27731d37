package outages

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/paging"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// pagingMsg carries what entretien watch did about each open outage, read
// from the store off the event loop.
type pagingMsg struct {
	owner  any
	policy oncall.PagingPolicy
	by     map[string]pagedOutage // by paging subject
}

type pagedOutage struct {
	outage oncall.PagedOutage
	pages  []oncall.Page
}

// loadPaging reads the open episodes and their pages.
func loadPaging(c *common.Context, owner any) tea.Cmd {
	st := c.Store
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		msg := pagingMsg{owner: owner, by: map[string]pagedOutage{}}
		var err error
		if msg.policy, _, err = st.PagingPolicy(ctx); err != nil {
			return msg
		}
		os, err := st.OpenPagedOutages(ctx)
		if err != nil {
			return msg
		}
		for _, o := range os {
			ps, err := st.Pages(ctx, oncall.PageFilter{OutageID: o.ID})
			if err != nil {
				return msg
			}
			msg.by[o.Subject] = pagedOutage{outage: o, pages: ps}
		}
		return msg
	}
}

// pagingDetail prefixes an outage's detail with what the pager did about
// it: "paged amelie: email failed (connection refused), webhook delivered
// · not acknowledged · next escalation in 4m".
func (m *Model) pagingDetail(o sources.Outage, now time.Time) string {
	p, ok := m.paging.by[paging.SubjectOf(o.Kind, o.Namespace, o.Name, o.Site)]
	if !ok {
		return o.Detail
	}
	s := paging.Summary(m.paging.policy, p.outage, p.pages, now)
	if s == "" {
		return o.Detail
	}
	return s + " · " + o.Detail
}
