package care

// Phase is one of the four phases of care (Joan Tronto), plus writing it
// down.
type Phase string

const (
	Attention      Phase = "attention"
	Responsibility Phase = "responsibility"
	Competence     Phase = "competence"
	Responsiveness Phase = "responsiveness"
	Writing        Phase = "writing"
	// Deciding is the work of decisions taken together: bringing a change
	// up (responsibility), saying what it implies and taking a position
	// (attention), writing the outcome down (writing).
	Deciding Phase = "deciding"
)

// Phases in the order the table shows them.
var Phases = []Phase{Attention, Responsibility, Competence, Responsiveness, Writing, Deciding}

// Figure identifiers.
const (
	HoursHeld      = "hours_held"
	HoursDay       = "hours_day"
	HoursEvening   = "hours_evening_weekend"
	HoursNight     = "hours_night"
	FirstNotice    = "first_to_notice"
	RolesTaken     = "roles_taken"
	ShiftsCovered  = "shifts_covered"
	ItemsOwned     = "action_items_owned"
	Repairs        = "repairs"
	ServicesActed  = "services_acted_on"
	SitesActed     = "sites_acted_on"
	Acks           = "acknowledgements"
	PagesReceived  = "pages_received"
	OffCallAnswers = "answers_off_call"
	NightEntries   = "night_entries"
	EntriesWritten = "entries_written"
	RetrosWritten  = "retros_written"
	ItemsClosed    = "action_items_closed"
	Proposals      = "proposals_brought"
	Implications   = "implications_written"
	Positions      = "positions_taken"
	Outcomes       = "outcomes_written"
)

// FigureDef describes one column of the table.
type FigureDef struct {
	ID    string `json:"id"`
	Phase Phase  `json:"phase"`
	Label string `json:"label"` // short column header
	// Of is the noun phrase of the share wording: "+40% of night hours".
	Of    string `json:"of"`
	Hours bool   `json:"hours,omitempty"` // values are hours
	// Doc says how the figure is computed, for the drill-down and --json.
	Doc string `json:"doc"`
}

// Figures is every figure, grouped by phase, in table order.
var Figures = []FigureDef{
	{HoursHeld, Attention, "on call", "on-call hours", true, "hours of on-call shifts held in the window"},
	{HoursDay, Attention, "day", "daytime on-call hours", true, "on-call hours Mon-Fri 07:00-18:00 in the member's time zone"},
	{HoursEvening, Attention, "eve/wkend", "evening and weekend on-call hours", true, "on-call hours Mon-Fri 18:00-22:00 and Sat-Sun 07:00-22:00 in the member's time zone"},
	{HoursNight, Attention, "night", "night on-call hours", true, "on-call hours 22:00-07:00 in the member's time zone"},
	{FirstNotice, Attention, "noticed", "incidents noticed first", false, "incidents the member opened (or, if the system opened it, wrote first on)"},
	{RolesTaken, Responsibility, "roles", "lead and scribe roles", false, "lead and scribe roles taken on incidents"},
	{ShiftsCovered, Responsibility, "covered", "shifts covered for others", false, "shifts held in someone else's place (override or swap)"},
	{ItemsOwned, Responsibility, "items", "action items owned", false, "action items owned that were open at some point of the window"},
	{Repairs, Competence, "repairs", "repairs", false, "actions the member wrote in incident journals in the window (a restart or drain done from entretien is one), actions done from entretien outside any incident that Nomad accepted (the action log), and incidents mitigated or resolved with no action written before, for whoever set the status"},
	{ServicesActed, Competence, "services", "services acted on", false, "distinct services (service/ and job/ targets) of incidents the member acted on"},
	{SitesActed, Competence, "sites", "sites acted on", false, "distinct sites (site/ targets, node/ via the machine's site) of incidents the member acted on"},
	{Acks, Responsiveness, "acks", "acknowledgements", false, "incidents the member acknowledged; the text gives the median time from detection (the opening, or an earlier captured cluster transition) to acknowledgement"},
	{PagesReceived, Responsiveness, "paged", "pages received", false, "pages entretien watch sent the member (resolved messages excluded); the text splits them day / evening-weekend / night in the member's time zone and gives the median time from a page to its acknowledgement by the member"},
	{OffCallAnswers, Responsiveness, "off call", "answers while off call", false, "journal entries (status changes included) written while holding no shift"},
	{NightEntries, Responsiveness, "at night", "entries written at night", false, "journal entries (status changes included) written 22:00-07:00 in the member's time zone"},
	{EntriesWritten, Writing, "entries", "journal entries", false, "observations, actions, decisions, questions and handoffs written (status and system entries excluded)"},
	{RetrosWritten, Writing, "retros", "retros written", false, "retros the member is an author of"},
	{ItemsClosed, Writing, "closed", "action items closed", false, "action items set done in the window, credited to the member who closed them (the owner, at the last update, for items closed before that was recorded)"},
	{Proposals, Deciding, "proposed", "proposals brought", false, "proposals the member opened in the window (bringing a change up: responsibility)"},
	{Implications, Deciding, "implied", "implications written", false, "implications the member added to proposals in the window (what a change implies: attention)"},
	{Positions, Deciding, "positions", "positions taken", false, "positions the member took on proposals in the window, each change and each confirmation after an amendment counted (attention)"},
	{Outcomes, Deciding, "outcomes", "outcomes written", false, "outcomes the member recorded (adopted, not adopted, expired, withdrawn) in the window (writing it down)"},
}

// FigureIndex is the position of a figure ID in Figures, or -1.
func FigureIndex(id string) int {
	for i, f := range Figures {
		if f.ID == id {
			return i
		}
	}
	return -1
}
