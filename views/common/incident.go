package common

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/theme"
)

// Incident rows are drawn the same way wherever they appear (the journal,
// the overview, an outage's INCIDENT cell): one renderer, here.

// IncidentCols are the columns of an incident table.
func IncidentCols() []Col {
	return []Col{{Title: "ID", Min: 4}, {Title: "SEV", Min: 4}, {Title: "STATUS", Min: 12},
		{Title: "TITLE", Min: 12, Flex: true}, {Title: "AFFECTS", Min: 8}, {Title: "OPENED", Min: 10}}
}

// IncidentRow is one incident under IncidentCols; Data is the incident.
func IncidentRow(in oncall.Incident, now time.Time) Row {
	opened := Ago(now.Sub(in.OpenedAt)) + " ago"
	if in.OpenedBy != "" {
		opened += " by " + in.OpenedBy
	}
	return Row{
		ID: fmt.Sprintf("incident/%d", in.ID), Data: in,
		Cells: []Spec{
			{Text: fmt.Sprintf("#%d", in.ID), Kind: Muted},
			{Text: fmt.Sprintf("sev%d", in.Severity), Kind: Severity, Word: fmt.Sprint(in.Severity)},
			StatusSpec(string(in.Status)),
			{Text: in.Title},
			{Text: strings.Join(in.Affects, " "), Kind: Muted},
			{Text: opened, Kind: Muted},
		},
	}
}

// IncidentSpec is the INCIDENT cell of a row about something an incident
// affects ("#3 acknowledged"), "—" when there is none.
func IncidentSpec(in oncall.Incident, ok bool) Spec {
	if !ok {
		return Spec{Text: "—", Kind: Muted}
	}
	return Spec{Text: fmt.Sprintf("#%d %s", in.ID, in.Status), Kind: Status, Word: string(in.Status)}
}

// IncidentTable draws incidents under IncidentCols without a cursor, in
// height lines at most (the overview's list of open incidents).
func IncidentTable(st *theme.Styles, ins []oncall.Incident, now time.Time, width, height int) string {
	l := NewList(IncidentCols()...)
	rows := make([]Row, len(ins))
	for i, in := range ins {
		rows[i] = IncidentRow(in, now)
	}
	l.SetRows(rows)
	l.cursor = -1
	return l.View(st, width, height)
}

// Board is what screens about the cluster read from the store: who is on
// call now and the open incidents.
type Board struct {
	Loaded    bool
	OnCall    []oncall.OnCall
	Incidents []oncall.Incident
	Err       error
}

// BoardMsg is a board read; Owner routes it to the screen that asked.
type BoardMsg struct {
	Owner any
	Board
}

// LoadBoard reads the board off the event loop, at the context's now.
func LoadBoard(c *Context, owner any) tea.Cmd {
	st, now := c.Store, c.Now()
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b := Board{Loaded: true}
		b.OnCall, b.Err = st.OnCallAt(ctx, now)
		if b.Err == nil {
			b.Incidents, b.Err = st.Incidents(ctx, oncall.IncidentFilter{OpenOnly: true})
		}
		return BoardMsg{Owner: owner, Board: b}
	}
}
