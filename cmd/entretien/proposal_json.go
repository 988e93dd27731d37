package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// The --json documents of `entretien proposal`, and its digest.

type positionJSON struct {
	Member  string     `json:"member"`
	Stance  string     `json:"stance"`
	Text    string     `json:"text"`
	Version int        `json:"version"`
	Stale   bool       `json:"to_confirm"` // taken on an older version
	At      *time.Time `json:"at"`
}

type implicationJSON struct {
	ID     int64      `json:"id"`
	Text   string     `json:"text"`
	Author string     `json:"author"`
	At     *time.Time `json:"at"`
}

type versionJSON struct {
	Version int        `json:"version"`
	Text    string     `json:"text"`
	Author  string     `json:"author"`
	At      *time.Time `json:"at"`
}

type outcomeJSON struct {
	Outcome   string     `json:"outcome"`
	Statement string     `json:"statement"`
	ReviewOn  string     `json:"review_on,omitempty"`
	By        string     `json:"by"`
	At        *time.Time `json:"at"`
}

type decisionActionJSON struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Owner string `json:"owner"`
	Due   string `json:"due,omitempty"`
}

type proposalEventJSON struct {
	ID         int64      `json:"id"`
	ProposalID int64      `json:"proposal_id"`
	At         *time.Time `json:"at"`
	Actor      string     `json:"actor"`
	Kind       string     `json:"kind"`
	Text       string     `json:"text"`
}

type proposalJSON struct {
	ID           int64                `json:"id"`
	Title        string               `json:"title"`
	State        string               `json:"state"`
	StateLine    string               `json:"state_line"`
	Driver       string               `json:"driver"`
	Text         string               `json:"text"`
	Version      int                  `json:"version"`
	Affects      []string             `json:"affects"`
	Process      string               `json:"process"`
	Quorum       int                  `json:"quorum"`
	QuorumLine   string               `json:"quorum_line"`
	ClosesAt     *time.Time           `json:"closes_at"`
	OpenedBy     string               `json:"opened_by"`
	OpenedAt     *time.Time           `json:"opened_at"`
	IncidentID   int64                `json:"incident_id,omitempty"`
	ActionItemID int64                `json:"action_item_id,omitempty"`
	FactorID     int64                `json:"factor_id,omitempty"`
	Versions     []versionJSON        `json:"versions"`
	Implications []implicationJSON    `json:"implications"`
	Positions    []positionJSON       `json:"positions"`
	Outcome      *outcomeJSON         `json:"outcome"`
	Actions      []decisionActionJSON `json:"action_items"`
	History      []proposalEventJSON  `json:"history"`
}

func eventOf(e oncall.ProposalEvent) proposalEventJSON {
	return proposalEventJSON{ID: e.ID, ProposalID: e.ProposalID, At: utc(e.At), Actor: line(e.Actor), Kind: string(e.Kind), Text: sanitize.Text(e.Text)}
}

func proposalOf(p oncall.Proposal, now time.Time) proposalJSON {
	j := proposalJSON{ID: p.ID, Title: line(p.Title), State: string(p.State), StateLine: p.StateLine(now), Driver: sanitize.Text(p.Driver),
		Text: sanitize.Text(p.Text), Version: p.Version, Affects: listOf(p.Affects, line), Process: string(p.Process),
		Quorum: p.QuorumNeeded(), QuorumLine: p.QuorumLine(), ClosesAt: utc(p.ClosesAt), OpenedBy: line(p.OpenedBy), OpenedAt: utc(p.OpenedAt),
		IncidentID: p.IncidentID, ActionItemID: p.ActionItemID, FactorID: p.FactorID,
		Versions: listOf(p.Versions, func(v oncall.ProposalVersion) versionJSON {
			return versionJSON{Version: v.Version, Text: sanitize.Text(v.Text), Author: line(v.Author), At: utc(v.At)}
		}),
		Implications: listOf(p.Implications, func(im oncall.Implication) implicationJSON {
			return implicationJSON{ID: im.ID, Text: sanitize.Text(im.Text), Author: line(im.Author), At: utc(im.At)}
		}),
		Positions: listOf(p.Positions, func(pos oncall.Position) positionJSON {
			return positionJSON{Member: line(pos.Member), Stance: string(pos.Stance), Text: sanitize.Text(pos.Text), Version: pos.Version,
				Stale: pos.Version != p.Version, At: utc(pos.At)}
		}),
		Actions: listOf(p.Actions, func(a oncall.DecisionAction) decisionActionJSON {
			return decisionActionJSON{ID: a.ID, Title: line(a.Title), Owner: line(a.Owner), Due: a.Due}
		}),
		History: listOf(p.History, eventOf),
	}
	if o := p.Outcome; o != nil {
		j.Outcome = &outcomeJSON{Outcome: string(o.State), Statement: sanitize.Text(o.Statement), ReviewOn: o.ReviewOn, By: line(o.By), At: utc(o.At)}
	}
	return j
}

type digestJSON struct {
	From   *time.Time     `json:"from"`
	To     *time.Time     `json:"to"`
	Open   []proposalJSON `json:"open"`
	Closed []proposalJSON `json:"closed"`
	Opened []int64        `json:"opened"` // ids of the proposals opened in the window
}

func (a *app) proposalDigestCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "digest [--days 7]",
		Short:       "a weekly summary of the proposals, plain text, to post to the collective's list",
		Args:        noArgs("proposal digest"),
		Annotations: needsStore(),
	}
	days := c.Flags().Int("days", 7, "the window: the last N days")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if *days < 1 || *days > 366 {
			return usageError{msg: fmt.Sprintf("--days %d: want 1 to 366", *days)}
		}
		now := time.Now()
		from := now.Add(-time.Duration(*days) * 24 * time.Hour)
		ps, err := a.st.Proposals(cmd.Context(), oncall.ProposalFilter{})
		if err != nil {
			return err
		}
		d := digestJSON{From: utc(from), To: utc(now), Open: []proposalJSON{}, Closed: []proposalJSON{}, Opened: []int64{}}
		var open, closed []oncall.Proposal
		for _, p := range ps {
			if !p.OpenedAt.Before(from) {
				d.Opened = append(d.Opened, p.ID)
			}
			switch {
			case p.State == oncall.ProposalOpen:
				open = append(open, p)
				d.Open = append(d.Open, proposalOf(p, now))
			case p.Outcome != nil && !p.Outcome.At.Before(from):
				closed = append(closed, p)
				d.Closed = append(d.Closed, proposalOf(p, now))
			}
		}
		if *asJSON {
			return writeJSON(a.stdout, d)
		}
		writeDigest(a.stdout, from, now, open, closed, d.Opened)
		return nil
	}
	return c
}

func writeDigest(w io.Writer, from, to time.Time, open, closed []oncall.Proposal, opened []int64) {
	fmt.Fprintf(w, "Subject: entretien decisions, %s to %s\n\n", from.UTC().Format("2 Jan"), to.UTC().Format("2 Jan 2006"))
	isNew := map[int64]bool{}
	for _, id := range opened {
		isNew[id] = true
	}
	fmt.Fprintf(w, "Open proposals (%d): take your position with `entretien proposal position ID consent|concern|objection|abstain`\n", len(open))
	if len(open) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, p := range open {
		tag := ""
		if isNew[p.ID] {
			tag = " [new]"
		}
		fmt.Fprintf(w, "\n  #%d %s%s\n    by %s · affects %s\n    %s\n    %s\n", p.ID, sanitize.Line(p.Title), tag, sanitize.Line(p.OpenedBy),
			sanitize.Line(strings.Join(p.Affects, ", ")), p.StateLine(to), p.QuorumLine())
		for _, pos := range p.Positions {
			if pos.Stance == oncall.StanceObjection {
				fmt.Fprintf(w, "    objection by %s: %s\n", sanitize.Line(pos.Member), sanitize.Line(pos.Text))
			}
		}
	}
	fmt.Fprintf(w, "\nClosed this period (%d)\n", len(closed))
	if len(closed) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, p := range closed {
		o := p.Outcome
		fmt.Fprintf(w, "\n  #%d %s: %s\n    %s\n", p.ID, sanitize.Line(p.Title), o.State.Words(), sanitize.Line(o.Statement))
		if o.ReviewOn != "" {
			fmt.Fprintf(w, "    review on %s\n", o.ReviewOn)
		}
		for _, act := range p.Actions {
			fmt.Fprintf(w, "    action: %s — %s\n", sanitize.Line(act.Title), sanitize.Line(act.Owner))
		}
	}
}
