package care

import (
	"fmt"
	"time"
)

// Table is the care table over [From, To): one row per member (ordered by
// handle, never by a figure), one cell per figure of Figures.
type Table struct {
	From    time.Time   `json:"from"`
	To      time.Time   `json:"to"`
	Figures []FigureDef `json:"figures"`
	Rows    []Row       `json:"members"`
	// Balance[i] is the balance of Figures[i] across every member.
	Balance  []Balance     `json:"balance"`
	Services []Coverage    `json:"services"`
	Sites    []Coverage    `json:"sites"`
	Hosting  []SiteHosting `json:"hosting"`
	// Unheard are the hosts who took no position on proposals affecting
	// the machines they host.
	Unheard []UnheardHost `json:"unheard_hosts"`
	// Notes say what the figures could not take into account.
	Notes []string `json:"notes,omitempty"`
}

// Row is one member's figures; Cells[i] is Figures[i].
type Row struct {
	Member string `json:"member"`
	TZ     string `json:"tz"`
	Cells  []Cell `json:"cells"`
}

// Cell is one figure for one member and the facts it was computed from.
type Cell struct {
	Value float64 `json:"value"`
	Text  string  `json:"text"`
	// Share is this member's part of the collective's total (0..1).
	Share float64 `json:"share"`
	// AbovePct is how far above the collective's average the member is, in
	// percent (0 when not above).
	AbovePct int    `json:"above_average_pct,omitempty"`
	Facts    []Fact `json:"facts"`
}

// Flag words a share above average as an invitation to share it:
// "+40% of night hours"; "" when the member is not above average.
func (c Cell) Flag(f FigureDef) string {
	if c.AbovePct <= 0 {
		return ""
	}
	return fmt.Sprintf("+%d%% of %s", c.AbovePct, f.Of)
}

// Fact is one recorded fact a figure was computed from. Amount is what it
// adds to the cell; the amounts of a cell's facts sum to its value.
type Fact struct {
	Kind     string    `json:"kind"` // shift, entry, status, incident, action, role, action_item, retro, target
	Ref      string    `json:"ref"`  // "entry #12", "shift primary", "incident #3"
	Incident int64     `json:"incident,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	Amount   float64   `json:"amount"`
	Note     string    `json:"note,omitempty"`
}

// Coverage is a service or a site and who acted on its incidents.
type Coverage struct {
	Kind      string   `json:"kind"` // "service" or "site"
	Name      string   `json:"name"`
	Incidents []int64  `json:"incidents"`
	Actors    []string `json:"actors"`
	// BusFactor is len(Actors): 1 (or 0) is a risk.
	BusFactor int    `json:"bus_factor"`
	Risk      bool   `json:"risk"`
	Facts     []Fact `json:"facts"`
}

// SiteHosting puts who hosts a site's machines next to who repairs them.
type SiteHosting struct {
	Site      string        `json:"site"`
	Machines  []MachineCare `json:"machines"`
	Hosts     []string      `json:"hosts"`
	Repairers []string      `json:"repairers"`
	Risk      bool          `json:"risk"`
	Why       string        `json:"why,omitempty"`
}

// MachineCare is a machine, its host and who acted on its incidents.
type MachineCare struct {
	Machine
	Repairers []string `json:"repairers"`
}

// Row returns the row of a member.
func (t Table) Row(handle string) (Row, bool) {
	for _, r := range t.Rows {
		if r.Member == handle {
			return r, true
		}
	}
	return Row{}, false
}

// Cell returns one member's cell of a figure.
func (t Table) Cell(handle, figure string) (Cell, bool) {
	i := FigureIndex(figure)
	r, ok := t.Row(handle)
	if !ok || i < 0 || i >= len(r.Cells) {
		return Cell{}, false
	}
	return r.Cells[i], true
}

// UnheardHost is a member who hosts machines that proposals affected
// without a position from them: the collective decided about their home
// without hearing them.
type UnheardHost struct {
	Host      string   `json:"host"`
	Machines  []string `json:"machines"` // site/node
	Proposals []int64  `json:"proposals"`
	Facts     []Fact   `json:"facts"`
}
