package paging

import (
	"context"
	"fmt"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// DecisionWindow is how far back the watcher looks for decisions to tell:
// a watcher started on an old database does not send a year of them.
const DecisionWindow = time.Hour

// DecisionMessage is the non-urgent message telling member of event.
func DecisionMessage(member string, e oncall.ProposalEvent, p oncall.Proposal, ackVia string) Message {
	how := "entretien proposal show " + fmt.Sprint(p.ID)
	if ackVia != "" {
		how = ackVia + " " + how
	}
	var title string
	switch e.Kind {
	case oncall.EventAmended:
		pos, _ := p.PositionOf(member)
		title = fmt.Sprintf("proposal #%d amended by %s: your %s was on version %d, confirm or change it", p.ID, e.Actor, pos.Stance, pos.Version)
	case oncall.EventOpened:
		title = fmt.Sprintf("proposal #%d opened by %s: %s", p.ID, e.Actor, p.Title)
	case oncall.EventObjection:
		title = fmt.Sprintf("objection to proposal #%d by %s", p.ID, e.Actor)
	default:
		title = fmt.Sprintf("proposal #%d closed: %s", p.ID, p.State.Words())
	}
	lines := []string{sanitize.Line(title), sanitize.Line(p.Title), "affects " + sanitize.Line(strings.Join(p.Affects, ", "))}
	if e.Kind == oncall.EventObjection || e.Kind == oncall.EventClosed {
		lines = append(lines, sanitize.Line(e.Text))
	}
	if p.State == oncall.ProposalOpen {
		lines = append(lines, p.StateLine(time.Now()), "closes "+p.ClosesAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	lines = append(lines, "read it: "+how)
	return Message{Member: member, Title: sanitize.Line(title), Text: strings.Join(lines, "\n"), Quiet: true}
}

// tellDecisions sends every member (but the one who did it) a non-urgent
// message through their contact methods when a proposal opens, gets an
// objection or closes: once per event and member, under the lease.
func (e *Engine) tellDecisions(ctx context.Context, now time.Time) error {
	evs, err := e.Store.NotableProposalEvents(ctx, now.Add(-DecisionWindow))
	if err != nil || len(evs) == 0 {
		return err
	}
	ms, err := e.Store.Members(ctx)
	if err != nil {
		return err
	}
	contacts, err := e.Store.Contacts(ctx)
	if err != nil {
		return err
	}
	props := map[int64]oncall.Proposal{}
	for _, ev := range evs {
		p, ok := props[ev.ProposalID]
		if !ok {
			if p, err = e.Store.Proposal(ctx, ev.ProposalID); err != nil {
				return err
			}
			props[ev.ProposalID] = p
		}
		for _, m := range ms {
			cs := contacts[m.Handle]
			if m.Handle == ev.Actor || len(cs) == 0 {
				continue
			}
			if ev.Kind == oncall.EventAmended {
				// Only those whose position is now on an older version.
				if pos, ok := p.PositionOf(m.Handle); !ok || pos.Version >= p.Version {
					continue
				}
			}
			id, created, err := e.Store.ClaimDecisionNotice(ctx, e.lease, ev.ID, m.Handle)
			if err != nil {
				return err
			}
			if !created {
				continue
			}
			ds := e.Deliver.Deliver(ctx, cs, DecisionMessage(m.Handle, ev, p, e.AckVia))
			delivered := false
			var how []string
			for _, d := range ds {
				delivered = delivered || d.OK
				w := string(d.Method) + " ok"
				if !d.OK {
					w = string(d.Method) + " failed: " + d.Error
				}
				how = append(how, w)
			}
			if err := e.Store.RecordDecisionNotice(ctx, id, delivered, strings.Join(how, "; ")); err != nil {
				return err
			}
			e.Log.Info("told of a decision", "member", sanitize.Line(m.Handle), "proposal", ev.ProposalID, "event", string(ev.Kind), "deliveries", sanitize.Line(strings.Join(how, "; ")))
		}
	}
	return nil
}
