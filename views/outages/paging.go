package outages

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/paging"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/incidents"
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

// ackMsg is the result of acknowledging an outage's pages from the screen.
type ackMsg struct {
	owner any
	res   oncall.AckResult
	err   error
}

// ack acknowledges the pages about o as the member running entretien, as
// `entretien page ack` does: the escalation stops, the outage's incident
// is opened or joined, the member leads unless someone does.
func (m *Model) ack(o sources.Outage) tea.Cmd {
	p, ok := m.paging.by[paging.SubjectOf(o.Kind, o.Namespace, o.Name, o.Site)]
	if !ok || len(p.pages) == 0 {
		return common.Notice("nobody was paged about " + o.Kind + " " + o.Name)
	}
	me := m.ctx.Me.Handle
	if me == "" {
		return common.Notice("you are not a member: `entretien member add` first")
	}
	st, id, owner := m.ctx.Store, p.pages[0].ID, any(m)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := st.AckPage(ctx, id, me)
		return ackMsg{owner: owner, res: res, err: err}
	}
}

// acked shows the incident the acknowledgement opened or joined, saying so.
func (m *Model) acked(msg ackMsg) tea.Cmd {
	if msg.err != nil {
		return common.Notice("acknowledge: " + msg.err.Error())
	}
	r := msg.res
	var note string
	switch {
	case r.Already:
		note = fmt.Sprintf("already acknowledged by %s", r.Outage.AckedBy)
	case r.Opened:
		note = "acknowledged: escalation stopped, incident opened"
	default:
		note = "acknowledged: escalation stopped, incident joined"
	}
	if r.Lead {
		note += "; you lead it"
	}
	if r.Incident.ID == 0 {
		return tea.Batch(common.Notice(note), m.load())
	}
	return tea.Batch(common.Push(incidents.NewIncident(m.ctx, r.Incident.ID).WithNote(note)), m.load())
}
