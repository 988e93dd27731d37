package care

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Compute derives every figure over [from, to) from f. It reads no clock and
// no store: the same facts always give the same table.
func Compute(f Facts, from, to time.Time) Table {
	c := newComputer(f, from, to)
	c.shifts()
	c.incidents()
	c.roles()
	c.actionItems()
	c.retros()
	c.pages()
	c.loggedActions()
	c.decisions()
	return c.table()
}

type computer struct {
	f        Facts
	from, to time.Time
	members  []Member
	row      map[string]int
	locs     []*time.Location
	cells    [][]Cell
	onCall   [][]interval // per member: merged shifts, sorted
	ackTimes [][]time.Duration
	nodeSite map[string]string
	// acted[service or site] and per machine: who acted, on which incidents
	services, sites, machines map[string]*coverage
}

type interval struct{ start, end time.Time }

type coverage struct {
	incidents map[int64]bool
	actors    map[string][]int64 // member -> entry IDs of their actions
}

func newCoverage() *coverage {
	return &coverage{incidents: map[int64]bool{}, actors: map[string][]int64{}}
}

func newComputer(f Facts, from, to time.Time) *computer {
	c := &computer{f: f, from: from, to: to, row: map[string]int{}, nodeSite: map[string]string{},
		services: map[string]*coverage{}, sites: map[string]*coverage{}, machines: map[string]*coverage{}}
	c.members = slices.Clone(f.Members)
	slices.SortFunc(c.members, func(a, b Member) int { return strings.Compare(a.Handle, b.Handle) })
	c.members = slices.CompactFunc(c.members, func(a, b Member) bool { return a.Handle == b.Handle })
	for i, m := range c.members {
		c.row[m.Handle] = i
		loc, err := time.LoadLocation(m.TZ)
		if err != nil || m.TZ == "" {
			loc = time.UTC
		}
		c.locs = append(c.locs, loc)
		c.cells = append(c.cells, make([]Cell, len(Figures)))
	}
	c.onCall = make([][]interval, len(c.members))
	c.ackTimes = make([][]time.Duration, len(c.members))
	for _, m := range f.Machines {
		c.nodeSite[m.Node] = m.Site
	}
	return c
}

func (c *computer) inWindow(t time.Time) bool { return !t.Before(c.from) && t.Before(c.to) }

// add credits a fact to a member's cell; unknown members are ignored.
func (c *computer) add(member, figure string, fact Fact) {
	i, ok := c.row[member]
	if !ok {
		return
	}
	cell := &c.cells[i][FigureIndex(figure)]
	cell.Value += fact.Amount
	cell.Facts = append(cell.Facts, fact)
}

func hours(d time.Duration) float64 { return d.Hours() }

func (c *computer) shifts() {
	for _, s := range c.f.Shifts {
		i, ok := c.row[s.Member]
		if !ok || !s.Start.Before(s.End) {
			continue
		}
		c.onCall[i] = append(c.onCall[i], interval{s.Start, s.End})
		start, end := maxTime(s.Start, c.from), minTime(s.End, c.to)
		if !start.Before(end) {
			continue
		}
		b := SplitBands(start, end, c.locs[i])
		note := fmt.Sprintf("day %s · eve/wkend %s · night %s (%s)", fmtHours(hours(b[Day])),
			fmtHours(hours(b[EveningWeekend])), fmtHours(hours(b[Night])), c.locs[i])
		if s.Covering != "" {
			note += " · covering " + s.Covering
		}
		if s.InProgress {
			note += " · in progress"
		}
		base := Fact{Kind: "shift", Ref: "shift " + s.Rotation, Start: start, End: end, Note: note}
		f := base
		f.Amount = hours(end.Sub(start))
		c.add(s.Member, HoursHeld, f)
		for band, fig := range [NumBands]string{HoursDay, HoursEvening, HoursNight} {
			if b[band] > 0 {
				f := base
				f.Amount = hours(b[band])
				c.add(s.Member, fig, f)
			}
		}
		if s.Covering != "" {
			f := base
			f.Amount = 1
			c.add(s.Member, ShiftsCovered, f)
		}
	}
	for i := range c.onCall {
		c.onCall[i] = mergeIntervals(c.onCall[i])
	}
}

func mergeIntervals(iv []interval) []interval {
	slices.SortFunc(iv, func(a, b interval) int { return a.start.Compare(b.start) })
	var out []interval
	for _, x := range iv {
		if n := len(out); n > 0 && !x.start.After(out[n-1].end) {
			out[n-1].end = maxTime(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

// onCallAt reports whether member row i holds a shift at t.
func (c *computer) onCallAt(i int, t time.Time) bool {
	iv := c.onCall[i]
	k := sort.Search(len(iv), func(k int) bool { return iv[k].start.After(t) }) - 1
	return k >= 0 && t.Before(iv[k].end)
}

func rank(s oncall.Status) int { return slices.Index(oncall.Statuses, s) }

func (c *computer) incidents() {
	byIncident := map[int64][]Entry{}
	for _, e := range c.f.Entries {
		byIncident[e.IncidentID] = append(byIncident[e.IncidentID], e)
	}
	known := map[int64]bool{}
	for _, inc := range c.f.Incidents {
		known[inc.ID] = true
		es := byIncident[inc.ID]
		slices.SortFunc(es, func(a, b Entry) int {
			if d := a.At.Compare(b.At); d != 0 {
				return d
			}
			return int(a.ID - b.ID)
		})
		c.incident(inc, es)
	}
	// Entries count as writing even if their incident was not loaded.
	for _, e := range c.f.Entries {
		c.entry(e)
	}
}

func incRef(inc Incident) string {
	return "incident #" + strconv.FormatInt(inc.ID, 10) + " " + inc.Title
}
func entryRef(e Entry) string { return "entry #" + strconv.FormatInt(e.ID, 10) }

func (c *computer) incident(inc Incident, es []Entry) {
	// Attention: the first member to notice it.
	if c.inWindow(inc.OpenedAt) {
		who, note := inc.OpenedBy, "opened it"
		if who == "" {
			for _, e := range es {
				if e.Author != "" {
					who, note = e.Author, "first entry ("+entryRef(e)+") after the system opened it"
					break
				}
			}
		}
		c.add(who, FirstNotice, Fact{Kind: "incident", Ref: incRef(inc), Incident: inc.ID, Start: inc.OpenedAt, Amount: 1, Note: note})
	}
	active := c.inWindow(inc.OpenedAt)
	var ack, fix *Entry
	for k := range es {
		e := &es[k]
		if c.inWindow(e.At) {
			active = true
		}
		if e.Kind != oncall.KindStatus {
			continue
		}
		if ack == nil && rank(e.To) >= rank(oncall.StatusAcknowledged) {
			ack = e
		}
		if fix == nil && rank(e.To) >= rank(oncall.StatusMitigated) {
			fix = e
		}
	}
	// Responsiveness: detection to acknowledgement. Detection is the
	// opening, or an earlier system entry (a cluster transition captured
	// into the journal before anyone opened the incident).
	detected := inc.OpenedAt
	for _, e := range es {
		if e.Kind == oncall.KindSystem && e.At.Before(detected) {
			detected = e.At
		}
	}
	if ack != nil && ack.Author != "" && c.inWindow(ack.At) {
		d := max(ack.At.Sub(detected), 0)
		if i, ok := c.row[ack.Author]; ok {
			c.ackTimes[i] = append(c.ackTimes[i], d)
		}
		c.add(ack.Author, Acks, Fact{Kind: "status", Ref: entryRef(*ack), Incident: inc.ID, Start: ack.At, Amount: 1,
			Note: fmt.Sprintf("%s → %s, %s after detection at %s (%s)", ack.From, ack.To, fmtDuration(d), detected.UTC().Format("2006-01-02 15:04Z"), incRef(inc))})
	}
	// Competence: every action a member wrote in its journal is a repair
	// (a restart done from the screens lands here as an action entry);
	// an incident mitigated or resolved with no action written before is
	// one for whoever set the status.
	actedBefore := false
	for _, e := range es {
		if e.Kind != oncall.KindAction || e.Author == "" {
			continue
		}
		if fix != nil && !e.At.After(fix.At) {
			actedBefore = true
		}
		if !c.inWindow(e.At) {
			continue
		}
		when := "while it was " + string(oncall.StatusOpen) + " or acknowledged"
		if fix != nil && !e.At.Before(fix.At) {
			when = "after it was " + string(fix.To) + " at " + fix.At.UTC().Format("2006-01-02 15:04Z")
		} else if fix != nil {
			when = "before it was " + string(fix.To) + " at " + fix.At.UTC().Format("2006-01-02 15:04Z")
		}
		c.add(e.Author, Repairs, Fact{Kind: "action", Ref: entryRef(e), Incident: inc.ID, Start: e.At, Amount: 1,
			Note: fmt.Sprintf("%s, an action in %s, %s", entryRef(e), incRef(inc), when)})
	}
	if fix != nil && c.inWindow(fix.At) && !actedBefore && fix.Author != "" {
		c.add(fix.Author, Repairs, Fact{Kind: "incident", Ref: incRef(inc), Incident: inc.ID, Start: fix.At, Amount: 1,
			Note: fmt.Sprintf("%s at %s; actions: %s", fix.To, fix.At.UTC().Format("2006-01-02 15:04Z"), entryRef(*fix)+" (status, no action written)")})
	}
	if !active {
		return
	}
	// Who acted on it in the window, for services, sites and machines.
	var targets []*coverage
	for _, a := range inc.Affects {
		kind, name, _ := strings.Cut(a, "/")
		switch kind {
		case "service", "job":
			targets = append(targets, c.cover(c.services, name))
		case "site":
			targets = append(targets, c.cover(c.sites, name))
		case "node":
			targets = append(targets, c.cover(c.machines, name))
			if s, ok := c.nodeSite[name]; ok {
				targets = append(targets, c.cover(c.sites, s))
			}
		}
	}
	// job/garage and service/garage are one service: count it once.
	seen := map[*coverage]bool{}
	targets = slices.DeleteFunc(targets, func(t *coverage) bool {
		dup := seen[t]
		seen[t] = true
		return dup
	})
	for _, t := range targets {
		t.incidents[inc.ID] = true
	}
	for _, e := range es {
		acted := e.Kind == oncall.KindAction || (e.Kind == oncall.KindStatus && rank(e.To) >= rank(oncall.StatusMitigated) && rank(e.From) < rank(oncall.StatusMitigated))
		if !acted || e.Author == "" || !c.inWindow(e.At) {
			continue
		}
		for _, t := range targets {
			t.actors[e.Author] = append(t.actors[e.Author], e.ID)
		}
	}
}

func (c *computer) cover(m map[string]*coverage, name string) *coverage {
	cv := m[name]
	if cv == nil {
		cv = newCoverage()
		m[name] = cv
	}
	return cv
}

// entry credits the writing and responsiveness figures of one entry.
func (c *computer) entry(e Entry) {
	i, ok := c.row[e.Author]
	if !ok || !c.inWindow(e.At) {
		return
	}
	loc := c.locs[i]
	f := Fact{Kind: "entry", Ref: entryRef(e), Incident: e.IncidentID, Start: e.At, Amount: 1,
		Note: string(e.Kind) + " at " + e.At.In(loc).Format("Mon 02 Jan 15:04 MST")}
	if e.Kind == oncall.KindStatus {
		f.Note = fmt.Sprintf("status %s → %s at %s", e.From, e.To, e.At.In(loc).Format("Mon 02 Jan 15:04 MST"))
	}
	if e.Kind != oncall.KindStatus && e.Kind != oncall.KindSystem {
		c.add(e.Author, EntriesWritten, f)
	}
	if !c.onCallAt(i, e.At) {
		c.add(e.Author, OffCallAnswers, f)
	}
	if BandAt(e.At, loc) == Night {
		c.add(e.Author, NightEntries, f)
	}
}

// roleCounted are the roles the "roles taken" figure counts.
var roleCounted = map[string]bool{"lead": true, "scribe": true}

func (c *computer) roles() {
	for _, r := range c.f.Roles {
		if !roleCounted[r.Role] || !c.inWindow(r.Start) {
			continue
		}
		note := "held until " + r.End.UTC().Format("2006-01-02 15:04Z")
		if r.End.IsZero() {
			note = "still held"
		}
		c.add(r.Member, RolesTaken, Fact{Kind: "role", Ref: r.Role + " on incident #" + strconv.FormatInt(r.IncidentID, 10),
			Incident: r.IncidentID, Start: r.Start, End: r.End, Amount: 1, Note: note})
	}
}

func (c *computer) actionItems() {
	for _, a := range c.f.ActionItems {
		ref := "action item #" + strconv.FormatInt(a.ID, 10) + " " + a.Title
		if a.CreatedAt.Before(c.to) && (a.ClosedAt.IsZero() || !a.ClosedAt.Before(c.from)) {
			note := "state " + a.State
			if !a.Due.IsZero() {
				note += ", due " + a.Due.UTC().Format("2006-01-02")
			}
			c.add(a.Owner, ItemsOwned, Fact{Kind: "action_item", Ref: ref, Incident: a.IncidentID, Start: a.CreatedAt, End: a.ClosedAt, Amount: 1, Note: note})
		}
		if !a.ClosedAt.IsZero() && a.State != "dropped" && c.inWindow(a.ClosedAt) {
			by, note := a.ClosedBy, "closed by "+a.ClosedBy+" (owner "+ownerName(a.Owner)+")"
			if by == "" {
				by, note = a.Owner, "closer not recorded: credited to the owner, at the last update"
			}
			c.add(by, ItemsClosed, Fact{Kind: "action_item", Ref: ref, Incident: a.IncidentID, Start: a.ClosedAt, Amount: 1, Note: note})
		}
	}
}

func ownerName(h string) string {
	if h == "" {
		return "nobody"
	}
	return h
}

func (c *computer) retros() {
	for _, r := range c.f.Retros {
		if !c.inWindow(r.At) {
			continue
		}
		for _, a := range uniq(r.Authors) {
			c.add(a, RetrosWritten, Fact{Kind: "retro", Ref: "retro #" + strconv.FormatInt(r.ID, 10) + " of incident #" + strconv.FormatInt(r.IncidentID, 10),
				Incident: r.IncidentID, Start: r.At, Amount: 1, Note: "with " + strings.Join(r.Authors, ", ")})
		}
	}
}

// competence turns the coverage maps into the members' services and sites.
func (c *computer) competence() {
	for _, kind := range []struct {
		m   map[string]*coverage
		fig string
		lbl string
	}{{c.services, ServicesActed, "service "}, {c.sites, SitesActed, "site "}} {
		for _, name := range sortedKeys(kind.m) {
			for _, who := range sortedKeys(kind.m[name].actors) {
				ids := kind.m[name].actors[who]
				c.add(who, kind.fig, Fact{Kind: "target", Ref: kind.lbl + name, Amount: 1, Note: "acted in " + joinEntryIDs(ids)})
			}
		}
	}
}

func (c *computer) table() Table {
	c.competence()
	t := Table{From: c.from, To: c.to, Figures: Figures, Notes: slices.Clone(c.f.Missing)}
	for i, m := range c.members {
		if ds := c.ackTimes[i]; len(ds) > 0 {
			cell := &c.cells[i][FigureIndex(Acks)]
			cell.Text = fmt.Sprintf("%d · med %s", len(ds), fmtDuration(median(ds)))
		}
		t.Rows = append(t.Rows, Row{Member: m.Handle, TZ: c.locs[i].String(), Cells: c.cells[i]})
	}
	for j, fig := range Figures {
		vals := make([]float64, len(t.Rows))
		for i := range t.Rows {
			vals[i] = t.Rows[i].Cells[j].Value
		}
		b := BalanceOf(vals)
		t.Balance = append(t.Balance, b)
		for i := range t.Rows {
			cell := &t.Rows[i].Cells[j]
			if cell.Text == "" {
				cell.Text = formatValue(cell.Value, fig.Hours)
			}
			if b.Total > 0 {
				cell.Share = cell.Value / b.Total
			}
			if b.Mean > 0 && cell.Value > b.Mean {
				cell.AbovePct = int(math.Round((cell.Value/b.Mean - 1) * 100))
			}
			if cell.Facts == nil {
				cell.Facts = []Fact{}
			}
		}
	}
	t.Services = coverages("service", c.services)
	t.Sites = coverages("site", c.sites)
	t.Hosting = c.hosting()
	t.Unheard = c.unheard()
	if len(c.f.Shifts) == 0 {
		t.Notes = append(t.Notes, "no on-call shift in the window: attention hours are zero and every answer counts as off call")
	}
	return t
}

func coverages(kind string, m map[string]*coverage) []Coverage {
	var out []Coverage
	for _, name := range sortedKeys(m) {
		cv := m[name]
		c := Coverage{Kind: kind, Name: name, Actors: sortedKeys(cv.actors), Incidents: sortedKeys(cv.incidents), Facts: []Fact{}}
		c.BusFactor = len(c.Actors)
		c.Risk = c.BusFactor <= 1
		for _, who := range c.Actors {
			c.Facts = append(c.Facts, Fact{Kind: "target", Ref: who, Amount: 1, Note: "acted in " + joinEntryIDs(cv.actors[who])})
		}
		if c.Actors == nil {
			c.Actors = []string{}
		}
		out = append(out, c)
	}
	return out
}

// hosting groups machines by site and puts their hosts next to who acted
// on their incidents (the machine's own, or its site's).
func (c *computer) hosting() []SiteHosting {
	bySite := map[string][]Machine{}
	for _, m := range c.f.Machines {
		bySite[m.Site] = append(bySite[m.Site], m)
	}
	var out []SiteHosting
	for _, site := range sortedKeys(bySite) {
		ms := bySite[site]
		slices.SortFunc(ms, func(a, b Machine) int { return strings.Compare(a.Node, b.Node) })
		h := SiteHosting{Site: site, Hosts: []string{}, Repairers: []string{}}
		hosts, repairers := map[string]bool{}, map[string]bool{}
		for _, m := range ms {
			mc := MachineCare{Machine: m, Repairers: []string{}}
			who := map[string]bool{}
			for _, cv := range []*coverage{c.machines[m.Node], c.sites[site]} {
				if cv != nil {
					for a := range cv.actors {
						who[a] = true
					}
				}
			}
			mc.Repairers = sortedKeys(who)
			if mc.Repairers == nil {
				mc.Repairers = []string{}
			}
			for a := range who {
				repairers[a] = true
			}
			if m.HostedBy != "" {
				hosts[m.HostedBy] = true
			}
			h.Machines = append(h.Machines, mc)
		}
		if k := sortedKeys(hosts); k != nil {
			h.Hosts = k
		}
		if k := sortedKeys(repairers); k != nil {
			h.Repairers = k
		}
		switch len(h.Hosts) {
		case 0:
			h.Risk, h.Why = true, "nobody is recorded as hosting "+site+"'s machines"
		case 1:
			h.Risk, h.Why = true, "only "+h.Hosts[0]+" can physically reach "+site+"'s machines"
		}
		out = append(out, h)
	}
	return out
}

func sortedKeys[K interface{ ~string | ~int64 }, V any](m map[K]V) []K {
	if len(m) == 0 {
		return nil
	}
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func uniq(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func joinEntryIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "#" + strconv.FormatInt(id, 10)
	}
	if len(parts) > 8 {
		parts = append(parts[:8], fmt.Sprintf("… (%d entries)", len(ids)))
	}
	return "entries " + strings.Join(parts, ", ")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func formatValue(v float64, isHours bool) string {
	if isHours {
		return fmtHours(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// fmtHours writes hours with at most one decimal: 62h, 12.5h.
func fmtHours(h float64) string {
	return strconv.FormatFloat(math.Round(h*10)/10, 'f', -1, 64) + "h"
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.FormatFloat(math.Round(d.Hours()*10)/10, 'f', -1, 64) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// loggedActions: an action done from entretien outside any incident (the
// action log) and accepted by Nomad is a repair of the member who did it.
func (c *computer) loggedActions() {
	for _, a := range c.f.Actions {
		if !a.OK || !c.inWindow(a.At) {
			continue
		}
		c.add(a.By, Repairs, Fact{Kind: "action", Ref: "action #" + strconv.FormatInt(a.ID, 10), Start: a.At, Amount: 1,
			Note: a.What + " (action log: outside any incident)"})
	}
}
