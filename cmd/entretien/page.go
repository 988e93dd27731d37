package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/oncall"
)

func (a *app) pageCmd() *cobra.Command {
	return group("page", "pages sent by entretien watch: ack ID, list", a.pageAckCmd(), a.pageListCmd())
}

func (a *app) pageAckCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "ack ID",
		Short:       "acknowledge a page: stops its escalation, opens (or joins) the outage's incident, you lead unless someone does",
		Args:        exactArgs("page ack", 1, "exactly one page ID"),
		Annotations: needsStore(),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID("page", args[0])
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		me, err := a.me(ctx)
		if err != nil {
			return err
		}
		res, err := a.st.AckPage(ctx, id, me.Handle)
		if err != nil {
			return err
		}
		if res.Already {
			fmt.Fprintf(a.stdout, "page #%d: %s is already acknowledged by %s", id, line(res.Outage.Subject), line(res.Outage.AckedBy))
			if res.Incident.ID != 0 {
				fmt.Fprintf(a.stdout, " (incident #%d)", res.Incident.ID)
			}
			fmt.Fprintln(a.stdout)
			return nil
		}
		verb := "joined"
		if res.Opened {
			verb = "opened"
		}
		fmt.Fprintf(a.stdout, "page #%d acknowledged: escalation stopped; incident #%d %s: %s", id, res.Incident.ID, verb, line(res.Incident.Title))
		if res.Lead {
			fmt.Fprintf(a.stdout, "; you lead it")
		}
		fmt.Fprintln(a.stdout)
		return nil
	}
	return c
}

type pageJSON struct {
	ID          int64          `json:"id"`
	OutageID    int64          `json:"outage_id"`
	Subject     string         `json:"subject"`
	Status      string         `json:"status"`
	Step        int            `json:"step"` // 0: the resolved message
	Member      string         `json:"member"`
	SentAt      *time.Time     `json:"sent_at"`
	Delivered   bool           `json:"delivered"`
	Deliveries  []deliveryJSON `json:"deliveries"`
	AckedBy     string         `json:"acknowledged_by"`
	AckedAt     *time.Time     `json:"acknowledged_at"`
	IncidentID  *int64         `json:"incident_id"`
	OutageSince *time.Time     `json:"outage_since"`
	OutageEnded *time.Time     `json:"outage_ended"`
}

type deliveryJSON struct {
	At     *time.Time `json:"at"`
	Method string     `json:"method"`
	OK     bool       `json:"ok"`
	Error  string     `json:"error"`
}

func (a *app) pageListCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "list",
		Short:       "every page: to whom, about what, how it was delivered, who acknowledged",
		Args:        noArgs("page list"),
		Annotations: needsStore(),
	}
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		ps, err := a.st.Pages(ctx, oncall.PageFilter{})
		if err != nil {
			return err
		}
		outages := map[int64]oncall.PagedOutage{}
		rows := []pageJSON{}
		for _, p := range ps {
			o, ok := outages[p.OutageID]
			if !ok {
				if o, err = a.st.PagedOutage(ctx, p.OutageID); err != nil {
					return err
				}
				outages[p.OutageID] = o
			}
			r := pageJSON{ID: p.ID, OutageID: p.OutageID, Subject: line(o.Subject), Status: line(o.Status), Step: p.Step, Member: line(p.Member),
				SentAt: utc(p.Created), Delivered: p.Delivered, Deliveries: []deliveryJSON{}, AckedBy: line(o.AckedBy), AckedAt: utc(o.Acked),
				OutageSince: utc(o.Since), OutageEnded: utc(o.Ended)}
			if o.IncidentID != 0 {
				id := o.IncidentID
				r.IncidentID = &id
			}
			for _, d := range p.Deliveries {
				r.Deliveries = append(r.Deliveries, deliveryJSON{At: utc(d.At), Method: line(d.Method), OK: d.OK, Error: line(d.Error)})
			}
			rows = append(rows, r)
		}
		if *asJSON {
			return writeJSON(a.stdout, rows)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSENT\tTO\tSTEP\tOUTAGE\tDELIVERY\tACK\t")
		for i, r := range rows {
			step := fmt.Sprint(r.Step)
			if r.Step == 0 {
				step = "resolved"
			}
			ack := "-"
			if r.AckedBy != "" {
				ack = r.AckedBy
				if r.IncidentID != nil {
					ack += fmt.Sprintf(" (incident #%d)", *r.IncidentID)
				}
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\t%s\t\n", r.ID, ps[i].Created.Local().Format(time.DateTime), r.Member, step, r.Subject, r.Status,
				line(ps[i].DeliverySummary()), ack)
		}
		return tw.Flush()
	}
	return c
}
