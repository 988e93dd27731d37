package main

import (
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// The documents --json prints. They are declared here, field by field, so
// that renaming a store field never changes what a script reads: names are
// snake_case, times RFC 3339 in UTC (null when unknown), ids numbers, and
// every string from a member or the cluster is sanitised like the tables.

var line = sanitize.Line

type shiftJSON struct {
	Rotation   string     `json:"rotation"`
	Member     string     `json:"member"`
	Start      *time.Time `json:"start"`
	End        *time.Time `json:"end"`
	Covers     string     `json:"covers,omitempty"`
	OverrideID int64      `json:"override_id,omitempty"`
}

func shiftOf(sh oncall.Shift) shiftJSON {
	return shiftJSON{Rotation: line(sh.Rotation), Member: line(sh.Member), Start: utc(sh.Start), End: utc(sh.End),
		Covers: line(sh.Covers), OverrideID: sh.OverrideID}
}

type handoffNoteJSON struct {
	ID        int64      `json:"id"`
	Author    string     `json:"author"`
	HandoffAt *time.Time `json:"handoff_at"`
	WrittenAt *time.Time `json:"written_at"`
	Text      string     `json:"text"`
}

func notesOf(ns []oncall.HandoffNote) []handoffNoteJSON {
	out := []handoffNoteJSON{}
	for _, n := range ns {
		out = append(out, handoffNoteJSON{ID: n.ID, Author: line(n.Author), HandoffAt: utc(n.HandoffAt), WrittenAt: utc(n.WrittenAt), Text: sanitize.Text(n.Text)})
	}
	return out
}

type onCallJSON struct {
	Rotation         string            `json:"rotation"`
	Now              *shiftJSON        `json:"now"` // null: nobody yet
	Next             shiftJSON         `json:"next"`
	HandoffNotes     []handoffNoteJSON `json:"handoff_notes"`
	NextHandoffNotes []handoffNoteJSON `json:"next_handoff_notes"`
}

type rotaNowDoc struct {
	At     *time.Time   `json:"at"`
	OnCall []onCallJSON `json:"on_call"`
}

func rotaNowJSON(at time.Time, ocs []oncall.OnCall) rotaNowDoc {
	d := rotaNowDoc{At: utc(at), OnCall: []onCallJSON{}}
	for _, oc := range ocs {
		j := onCallJSON{Rotation: line(oc.Rotation.Name), Next: shiftOf(oc.Next), HandoffNotes: notesOf(oc.Notes), NextHandoffNotes: notesOf(oc.NextNotes)}
		if oc.HasNow {
			now := shiftOf(oc.Now)
			j.Now = &now
		}
		d.OnCall = append(d.OnCall, j)
	}
	return d
}

type handoffJSON struct {
	Rotation   string     `json:"rotation"`
	At         *time.Time `json:"at"`
	Member     string     `json:"member"`
	Covers     string     `json:"covers,omitempty"`
	OverrideID int64      `json:"override_id,omitempty"`
}

type conflictJSON struct {
	Kind    string     `json:"kind"`
	Member  string     `json:"member"`
	Start   *time.Time `json:"start"`
	End     *time.Time `json:"end"`
	LeaveID int64      `json:"leave_id,omitempty"`
}

type gapJSON struct {
	Start  *time.Time `json:"start"`
	End    *time.Time `json:"end"`
	Reason string     `json:"reason"`
}

type rotationScheduleJSON struct {
	Name      string         `json:"name"`
	Every     string         `json:"every"`
	TimeZone  string         `json:"time_zone"`
	Shifts    []shiftJSON    `json:"shifts"`
	Conflicts []conflictJSON `json:"conflicts"`
	Gaps      []gapJSON      `json:"gaps"`
	Pending   []overrideJSON `json:"pending"`
}

type scheduleDoc struct {
	From      *time.Time             `json:"from"`
	To        *time.Time             `json:"to"`
	Rotations []rotationScheduleJSON `json:"rotations"`
}

func scheduleJSON(rg oncall.Range, sch []oncall.RotationSchedule) scheduleDoc {
	d := scheduleDoc{From: utc(rg.Start), To: utc(rg.End), Rotations: []rotationScheduleJSON{}}
	for _, r := range sch {
		j := rotationScheduleJSON{Name: line(r.Rotation.Name), Every: r.Rotation.Every(), TimeZone: line(r.Rotation.TZ),
			Shifts: []shiftJSON{}, Conflicts: []conflictJSON{}, Gaps: []gapJSON{}, Pending: []overrideJSON{}}
		for _, sh := range r.Shifts {
			j.Shifts = append(j.Shifts, shiftOf(sh))
		}
		for _, c := range r.Conflicts {
			j.Conflicts = append(j.Conflicts, conflictJSON{Kind: string(c.Kind), Member: line(c.Member), Start: utc(c.Start), End: utc(c.End), LeaveID: c.LeaveID})
		}
		for _, g := range r.Gaps {
			j.Gaps = append(j.Gaps, gapJSON{Start: utc(g.Start), End: utc(g.End), Reason: line(g.Reason)})
		}
		for _, o := range r.Pending {
			j.Pending = append(j.Pending, overrideOf(o))
		}
		d.Rotations = append(d.Rotations, j)
	}
	return d
}

type overrideJSON struct {
	ID           int64      `json:"id"`
	Rotation     string     `json:"rotation"`
	Covering     string     `json:"covering"`
	Covered      string     `json:"covered"`
	Start        *time.Time `json:"start"`
	End          *time.Time `json:"end"`
	Status       string     `json:"status"`
	AwaitingFrom []string   `json:"awaiting_from"`
	SwapID       int64      `json:"swap_id,omitempty"`
	ProposedBy   string     `json:"proposed_by"`
	ProposedAt   *time.Time `json:"proposed_at"`
	ClosedBy     string     `json:"closed_by,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Note         string     `json:"note,omitempty"`
}

func overrideOf(o oncall.Override) overrideJSON {
	aw := []string{}
	for _, h := range o.AwaitingFrom() {
		aw = append(aw, line(h))
	}
	return overrideJSON{ID: o.ID, Rotation: line(o.Rotation), Covering: line(o.Covering), Covered: line(o.Covered),
		Start: utc(o.Start), End: utc(o.End), Status: string(o.Status), AwaitingFrom: aw, SwapID: o.SwapID,
		ProposedBy: line(o.ProposedBy), ProposedAt: utc(o.ProposedAt), ClosedBy: line(o.ClosedBy), ClosedAt: utc(o.ClosedAt), Note: line(o.Note)}
}

type leaveJSON struct {
	ID        int64      `json:"id"`
	Member    string     `json:"member"`
	Start     *time.Time `json:"start"`
	End       *time.Time `json:"end"`
	Reason    string     `json:"reason"`
	MarkedBy  string     `json:"marked_by"`
	CreatedAt *time.Time `json:"created_at"`
}

type memberJSON struct {
	Handle    string   `json:"handle"`
	Name      string   `json:"name"`
	TimeZone  string   `json:"time_zone"`
	Contact   string   `json:"contact"`
	OSUsers   []string `json:"os_users"`
	Available []string `json:"available"` // empty: always
}

type incidentJSON struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Severity  int        `json:"severity"`
	Status    string     `json:"status"`
	Affects   []string   `json:"affects"`
	OpenedAt  *time.Time `json:"opened_at"`
	OpenedBy  string     `json:"opened_by"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func incidentOf(in oncall.Incident) incidentJSON {
	aff := []string{}
	for _, x := range in.Affects {
		aff = append(aff, line(x))
	}
	return incidentJSON{ID: in.ID, Title: line(in.Title), Severity: in.Severity, Status: string(in.Status), Affects: aff,
		OpenedAt: utc(in.OpenedAt), OpenedBy: line(in.OpenedBy), UpdatedAt: utc(in.UpdatedAt)}
}

type timelineJSON struct {
	At      *time.Time `json:"at"`
	Who     string     `json:"who"` // "" for the cluster
	Kind    string     `json:"kind"`
	Text    string     `json:"text"`
	EntryID int64      `json:"entry_id,omitempty"`
	Amends  int64      `json:"amends,omitempty"`
}

func timelineOf(items []oncall.TimelineItem) []timelineJSON {
	out := []timelineJSON{}
	for _, it := range items {
		out = append(out, timelineJSON{At: utc(it.At), Who: line(it.Who), Kind: it.Kind, Text: sanitize.Text(it.Text), EntryID: it.EntryID, Amends: it.Amends})
	}
	return out
}

type incidentDoc struct {
	incidentJSON
	Timeline []timelineJSON `json:"timeline"`
}

type actionJSON struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"incident_id"`
	Title      string     `json:"title"`
	Owner      string     `json:"owner"`
	Due        string     `json:"due"` // YYYY-MM-DD or ""
	State      string     `json:"state"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  *time.Time `json:"created_at"`
	ClosedBy   string     `json:"closed_by,omitempty"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
}

func actionOf(a oncall.ActionItem) actionJSON {
	return actionJSON{ID: a.ID, IncidentID: a.IncidentID, Title: line(a.Title), Owner: line(a.Owner), Due: a.Due, State: string(a.State),
		CreatedBy: line(a.CreatedBy), CreatedAt: utc(a.CreatedAt), ClosedBy: line(a.ClosedBy), ClosedAt: utc(a.ClosedAt)}
}

type retroNoteJSON struct {
	ID     int64      `json:"id"`
	Text   string     `json:"text"`
	Author string     `json:"author"`
	At     *time.Time `json:"at"`
}

func retroNotesOf(ns []oncall.RetroNote) []retroNoteJSON {
	out := []retroNoteJSON{}
	for _, n := range ns {
		out = append(out, retroNoteJSON{ID: n.ID, Text: line(n.Text), Author: line(n.Author), At: utc(n.At)})
	}
	return out
}

type momentJSON struct {
	Name string     `json:"name"`
	At   *time.Time `json:"at"`
	By   string     `json:"by"`
}

type phaseJSON struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Seconds float64 `json:"seconds"`
}

type retroDoc struct {
	Incident      incidentJSON    `json:"incident"`
	Draft         bool            `json:"draft"` // the incident is not resolved yet
	Moments       []momentJSON    `json:"moments"`
	Phases        []phaseJSON     `json:"phases"`
	ImpactSites   []string        `json:"impact_sites"`
	ImpactSeconds float64         `json:"impact_seconds"`
	Timeline      []timelineJSON  `json:"timeline"`
	Summary       []retroNoteJSON `json:"summary"`
	Impact        []retroNoteJSON `json:"impact"`
	Factors       []retroNoteJSON `json:"factors"`
	WentWell      []retroNoteJSON `json:"went_well"`
	WasHard       []retroNoteJSON `json:"was_hard"`
	Actions       []actionJSON    `json:"actions"`
	Care          []string        `json:"care"`
}

func retroJSON(r oncall.Retro) retroDoc {
	d := retroDoc{Incident: incidentOf(r.Incident), Draft: r.Ongoing, Moments: []momentJSON{}, Phases: []phaseJSON{}, ImpactSites: []string{},
		ImpactSeconds: r.ImpactFor.Seconds(), Timeline: timelineOf(r.Timeline), Summary: retroNotesOf(r.Summary), Impact: retroNotesOf(r.Impact),
		Factors: retroNotesOf(r.Factors), WentWell: retroNotesOf(r.WentWell), WasHard: retroNotesOf(r.WasHard), Actions: []actionJSON{}, Care: careLines(r.Care)}
	for _, m := range r.Moments {
		d.Moments = append(d.Moments, momentJSON{Name: m.Name, At: utc(m.At), By: line(m.By)})
	}
	for _, p := range r.Phases {
		d.Phases = append(d.Phases, phaseJSON{From: p.From, To: p.To, Seconds: p.D.Seconds()})
	}
	for _, s := range r.ImpactSites {
		d.ImpactSites = append(d.ImpactSites, line(s))
	}
	for _, a := range r.Actions {
		d.Actions = append(d.Actions, actionOf(a))
	}
	return d
}

type checkJSON struct {
	Check  string `json:"check"` // nomad, consul, database, identity
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}
