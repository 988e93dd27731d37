package seed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// pastIncident is one resolved incident of the year: when (week of the
// plan, day after its Monday, Paris time), what, who noticed it, who
// repaired it, who kept the journal, and what the retro said.
type pastIncident struct {
	week, day, hh, mm int
	sev               int
	title             string
	affects           []string
	// noticer opens it; fixer leads and writes the actions (and the
	// mitigation); scribe keeps the journal and writes the summary;
	// asker asks the question. The acknowledgement is by whoever holds the
	// pager then (the noticer when nobody does).
	noticer, fixer, scribe, asker string
	// sys, when set, is the cluster transition seen before anyone opened it.
	sys      *oncall.Transition
	obs, q   string
	acts     []string
	amend    string // corrects the last action, when set
	decision string
	handoff  string // the fixer hands the lead to the scribe (a long night)
	lasts    time.Duration
	factors  []string // by the fixer, then the noticer
	well     string   // by the noticer
	hard     string   // by the fixer
	items    []pastItem
	reviewed bool
}

type pastItem struct {
	title, owner string
	// closer sets it done (or dropped, when drop), days after the retro;
	// "" leaves it open.
	closer string
	after  int
	drop   bool
}

// pastIncidents are in time order. bruxelles is only ever repaired by
// chloe, who hosts its machine; lucas leads most of the rest; dara keeps
// most journals from Montréal. No lyon incident falls in the last 30 days
// (the open guichet incident is lyon's only recent one).
var pastIncidents = []pastIncident{
	{week: 1, day: 2, hh: 19, mm: 40, sev: 2, title: "garage S3 returns 503 in paris", affects: []string{"service/garage", "job/garage", "site/paris"},
		noticer: "chloe", fixer: "amelie", scribe: "dara", asker: "lucas",
		sys:      &oncall.Transition{Kind: "check", Subject: "service/garage", Site: "paris", From: "passing", To: "critical", Detail: "HTTP GET /health: 503 Service Unavailable"},
		obs:      "Backups to garage fail since 19:30; the paris instance answers 503, the others are fine.",
		q:        "Is the paris disk full again?",
		acts:     []string{"Disk at 98% on paris: removed the old layout snapshots (40 GB).", "Restarted the garage allocation on paris."},
		decision: "Keep the snapshots off the data disk from now on.",
		lasts:    50 * time.Minute,
		factors:  []string{"garage keeps layout snapshots on the data disk", "no alert on disk usage"},
		well:     "Noticed by a member trying to upload, not by a user.", hard: "Nobody knew where the snapshots were kept.",
		items: []pastItem{{title: "alert at 85% disk on every machine", owner: "lucas", closer: "lucas", after: 12},
			{title: "move garage snapshots to the backup disk", owner: "amelie", closer: "amelie", after: 20}}, reviewed: true},
	{week: 3, day: 5, hh: 2, mm: 10, sev: 1, title: "lyon unreachable (uplink down)", affects: []string{"site/lyon", "node/lyon"},
		noticer: "kenji", fixer: "lucas", scribe: "kenji", asker: "dara",
		sys:     &oncall.Transition{Kind: "node", Subject: "node/lyon", Site: "lyon", From: "ready", To: "down", Detail: "missed heartbeats"},
		obs:     "Nomad says the lyon node is down, Consul lost its agent; ping from Tokyo times out.",
		q:       "Power cut or the ISP?",
		acts:    []string{"Rebooted the box and the fibre modem at home; the modem was hung.", "Checked the allocations came back on lyon: all running."},
		lasts:   70 * time.Minute,
		factors: []string{"the modem hangs every few months and only a power cycle helps", "lyon's jobs have no second place to run"},
		well:    "kenji was awake in Tokyo and called lucas.", hard: "Woken at 2 in the morning; the only one who can reach the box.",
		items: []pastItem{{title: "smart plug to power-cycle the lyon modem remotely", owner: "lucas", closer: "lucas", after: 30}}},
	{week: 6, day: 1, hh: 14, mm: 5, sev: 3, title: "backup job failing in paris", affects: []string{"job/backup", "site/paris"},
		noticer: "dara", fixer: "dara", scribe: "dara", asker: "amelie",
		sys:     &oncall.Transition{Kind: "alloc", Subject: "job/backup", Site: "paris", From: "running", To: "failed", Detail: "exit 1: repository locked"},
		obs:     "The nightly backup has failed three nights in a row: repository locked.",
		q:       "Did someone run a manual backup last week?",
		acts:    []string{"Removed the stale restic lock after checking no backup runs."},
		lasts:   35 * time.Minute,
		factors: []string{"a manual run was killed and left its lock", "a failed backup does not page anyone"},
		well:    "The failure was visible in entretien's outages screen.", hard: "Three nights without a backup before anyone looked.",
		items: []pastItem{{title: "page on two failed backups in a row", owner: "dara", closer: "dara", after: 15}}, reviewed: true},
	{week: 9, day: 3, hh: 21, mm: 15, sev: 2, title: "bruxelles machine overheating, jobs drained", affects: []string{"site/bruxelles", "node/bruxelles"},
		noticer: "chloe", fixer: "chloe", scribe: "dara", asker: "lucas",
		obs:      "The bruxelles box is at 92°C and throttling; Nomad drained two allocations away.",
		q:        "Can the jobs stay in paris for the night?",
		acts:     []string{"Cleaned the dust filter and moved the box off the radiator shelf.", "Re-enabled scheduling on bruxelles."},
		decision: "Leave the drained jobs in paris until the morning.",
		lasts:    90 * time.Minute,
		factors:  []string{"the box sits above a radiator", "no temperature metric"},
		well:     "Draining worked: no service went down.", hard: "Only chloe can touch the machine.",
		items: []pastItem{{title: "export the CPU temperature to the dashboard", owner: "chloe", closer: "chloe", after: 25}}},
	{week: 12, day: 0, hh: 23, mm: 30, sev: 2, title: "mail delivery stuck", affects: []string{"service/mail", "job/mail"},
		noticer: "lucas", fixer: "lucas", scribe: "amelie", asker: "chloe",
		obs:      "Outgoing queue at 300 messages; the relay refuses us since 22:00.",
		q:        "Are we on a blocklist?",
		acts:     []string{"Our IP is on a blocklist after a compromised account sent spam; locked the account.", "Asked for delisting and routed through the backup relay."},
		amend:    "Routed through the backup relay only for the stuck queue; new mail goes direct again once delisted.",
		decision: "Reset every password older than a year.",
		lasts:    3 * time.Hour, handoff: "Queue draining through the backup relay; delisting asked, answer expected in the morning.",
		factors: []string{"an old password reused elsewhere", "no rate limit on outgoing mail"},
		well:    "The backup relay was already configured.", hard: "Worked past 1 a.m.; delisting took two days.",
		items: []pastItem{{title: "rate-limit outgoing mail per account", owner: "lucas", closer: "lucas", after: 18},
			{title: "yearly password reset reminder", owner: "amelie", closer: "lucas", after: 40}}, reviewed: true},
	{week: 15, day: 2, hh: 8, mm: 50, sev: 3, title: "wiki slow after upgrade", affects: []string{"service/wiki", "job/wiki", "site/paris"},
		noticer: "amelie", fixer: "kenji", scribe: "kenji", asker: "dara",
		obs:     "Pages take 8 seconds; started after last night's upgrade.",
		q:       "Roll back or add the missing index?",
		acts:    []string{"Added the index the migration forgot; pages back under 300 ms."},
		lasts:   45 * time.Minute,
		factors: []string{"the upgrade's migration skipped an index on SQLite"},
		well:    "kenji's first incident: found it from Tokyo in twenty minutes.", hard: "Upgrades are done late at night with nobody watching after.",
		items: []pastItem{{title: "upgrade in the daytime with someone on call", owner: "kenji", closer: "amelie", after: 10}}},
	{week: 17, day: 4, hh: 17, mm: 20, sev: 2, title: "garage bruxelles instance crash-looping", affects: []string{"service/garage", "job/garage", "site/bruxelles"},
		noticer: "lucas", fixer: "chloe", scribe: "lucas", asker: "dara",
		sys:     &oncall.Transition{Kind: "alloc", Subject: "job/garage", Site: "bruxelles", From: "running", To: "failed", Detail: "exit 2: metadata db corrupted"},
		obs:     "The bruxelles garage restarts every minute: metadata db corrupted.",
		q:       "Does paris still hold every object?",
		acts:    []string{"Rebuilt the metadata db from the other nodes (garage repair).", "Replaced the SD card the db lived on with the SSD."},
		lasts:   2 * time.Hour,
		factors: []string{"the metadata db was on an SD card", "a power cut the night before"},
		well:    "Replication meant no data was lost.", hard: "The repair took two hours with one person at the machine.",
		items: []pastItem{{title: "UPS for the bruxelles box", owner: "chloe", closer: "chloe", after: 35},
			{title: "document the garage repair steps", owner: "chloe"}}, reviewed: true},
	{week: 19, day: 6, hh: 11, mm: 0, sev: 3, title: "matrix federation delayed", affects: []string{"service/matrix", "job/matrix"},
		noticer: "dara", fixer: "lucas", scribe: "dara", asker: "kenji",
		obs:     "Messages to other servers arrive 10 minutes late.",
		q:       "Is it our side or matrix.org?",
		acts:    []string{"The federation sender worker was stuck on one dead server; restarted it."},
		lasts:   40 * time.Minute,
		factors: []string{"one unreachable server blocks the queue"},
		well:    "Found from the worker's logs in entretien.", hard: "Sunday morning, half of us away.",
		items: []pastItem{{title: "upgrade the homeserver (the fix is upstream)", owner: "lucas", closer: "lucas", after: 14}}},
	{week: 22, day: 2, hh: 3, mm: 40, sev: 1, title: "paris disk failing, services degraded", affects: []string{"site/paris", "node/paris", "service/garage"},
		noticer: "kenji", fixer: "lucas", scribe: "kenji", asker: "amelie",
		sys:      &oncall.Transition{Kind: "node", Subject: "node/paris", Site: "paris", From: "ready", To: "ineligible", Detail: "I/O errors on /dev/sda"},
		obs:      "I/O errors on paris's data disk; garage in paris read-only.",
		q:        "Is the mirror disk still healthy?",
		acts:     []string{"Drained paris and moved its jobs to lyon and bruxelles.", "Ordered a new disk; amelie swaps it tonight."},
		decision: "Run paris on the mirror alone until the new disk arrives.",
		handoff:  "Drained and stable; amelie takes over when she is up.", lasts: 5 * time.Hour,
		factors: []string{"a five-year-old disk", "SMART warnings nobody read"},
		well:    "The mirror held; draining took ten minutes.", hard: "Night for lucas, daytime for kenji: the two of them alone.",
		items: []pastItem{{title: "mail SMART warnings to the collective", owner: "amelie", closer: "amelie", after: 9},
			{title: "keep one spare disk per site", owner: "dara", closer: "dara", after: 60, drop: true}}, reviewed: true},
	{week: 25, day: 3, hh: 20, mm: 10, sev: 2, title: "guichet login loop in lyon", affects: []string{"service/guichet", "job/guichet", "site/lyon"},
		noticer: "amelie", fixer: "kenji", scribe: "amelie", asker: "chloe",
		obs:     "Logging in to guichet sends you back to the login page.",
		q:       "Cookie domain changed with the proxy update?",
		acts:    []string{"The proxy dropped the Secure flag; fixed the header and redeployed guichet."},
		lasts:   55 * time.Minute,
		factors: []string{"the proxy config is copied by hand per site"},
		well:    "kenji fixed lyon's config without needing lucas.", hard: "Users could not log in for an hour.",
		items: []pastItem{{title: "one proxy template for every site", owner: "kenji"}}},
	{week: 28, day: 1, hh: 12, mm: 30, sev: 3, title: "bruxelles DNS resolution failing", affects: []string{"site/bruxelles", "service/dns"},
		noticer: "dara", fixer: "chloe", scribe: "dara", asker: "amelie",
		obs:     "Jobs in bruxelles cannot resolve external names.",
		q:       "Did the router update overnight?",
		acts:    []string{"The router update reset the DNS forwarder; set it back and pinned the config."},
		lasts:   30 * time.Minute,
		factors: []string{"the ISP router updates itself"},
		well:    "Quick: chloe was home.", hard: "Nobody else knows the router's password.",
		items: []pastItem{{title: "write down the bruxelles router settings in the wiki", owner: "chloe", closer: "chloe", after: 5}}},
	{week: 31, day: 4, hh: 22, mm: 50, sev: 2, title: "nextcloud out of memory in lyon", affects: []string{"service/nextcloud", "job/nextcloud", "site/lyon"},
		noticer: "lucas", fixer: "lucas", scribe: "dara", asker: "kenji",
		sys:     &oncall.Transition{Kind: "alloc", Subject: "job/nextcloud", Site: "lyon", From: "running", To: "failed", Detail: "OOM killed"},
		obs:     "nextcloud killed for memory twice in an hour.",
		q:       "A big sync from one user?",
		acts:    []string{"Raised the memory limit to 1.5 GB and restarted.", "Capped the preview generator's workers."},
		lasts:   80 * time.Minute,
		factors: []string{"preview generation for a 4000-photo upload"},
		well:    "The journal made the morning handover easy.", hard: "Late Friday night again for lucas.",
		items: []pastItem{{title: "generate previews in a nightly batch", owner: "lucas", closer: "lucas", after: 22}}, reviewed: true},
	{week: 34, day: 0, hh: 9, mm: 15, sev: 3, title: "certificate expired on the wiki", affects: []string{"service/wiki", "job/wiki"},
		noticer: "kenji", fixer: "amelie", scribe: "kenji", asker: "dara",
		obs:     "Browsers refuse the wiki: certificate expired this morning.",
		q:       "Why did the renewal not run?",
		acts:    []string{"Renewed by hand; the renewal cron lived in the old allocation only."},
		lasts:   25 * time.Minute,
		factors: []string{"renewal ran inside the task, not as its own job"},
		well:    "Fixed before most people were up.", hard: "Nobody noticed the renewal had failed for a month.",
		items: []pastItem{{title: "certificate renewal as a periodic Nomad job", owner: "amelie", closer: "amelie", after: 11},
			{title: "alert 14 days before any certificate expires", owner: "dara"}}},
	{week: 38, day: 5, hh: 15, mm: 45, sev: 2, title: "bruxelles power cut", affects: []string{"site/bruxelles", "node/bruxelles"},
		noticer: "amelie", fixer: "chloe", scribe: "amelie", asker: "lucas",
		sys:     &oncall.Transition{Kind: "node", Subject: "node/bruxelles", Site: "bruxelles", From: "ready", To: "down", Detail: "missed heartbeats"},
		obs:     "bruxelles is down; chloe says the whole street has no power.",
		q:       "Does the UPS hold?",
		acts:    []string{"The UPS held 40 minutes, then shut the box down cleanly; started it when power came back."},
		lasts:   3 * time.Hour,
		factors: []string{"a neighbourhood power cut longer than the UPS"},
		well:    "A clean shutdown: nothing to repair after.", hard: "chloe was on leave and came home for it.",
		items: []pastItem{{title: "a bigger UPS battery", owner: "chloe", closer: "chloe", after: 30, drop: true}}, reviewed: true},
	{week: 41, day: 2, hh: 1, mm: 20, sev: 2, title: "garage lyon slow, replication lagging", affects: []string{"service/garage", "job/garage", "site/lyon"},
		noticer: "lucas", fixer: "lucas", scribe: "lucas", asker: "kenji",
		obs:     "Replication to lyon lags by two hours; the disk is busy at 100%.",
		q:       "Is the scrub running in the day now?",
		acts:    []string{"Paused the scrub; it had restarted after the reboot and runs at full speed."},
		lasts:   40 * time.Minute,
		factors: []string{"scrub speed is not limited"},
		well:    "Understood quickly.", hard: "Alone at 1 a.m.",
		items: []pastItem{{title: "limit the garage scrub speed", owner: "lucas"}}},
	{week: 44, day: 3, hh: 18, mm: 5, sev: 3, title: "backup to bruxelles failing", affects: []string{"job/backup", "site/bruxelles"},
		noticer: "dara", fixer: "chloe", scribe: "dara", asker: "kenji",
		obs:     "The offsite copy to bruxelles fails: no space left.",
		q:       "Are old snapshots pruned there?",
		acts:    []string{"The prune job was never deployed in bruxelles; ran it and deployed it."},
		lasts:   60 * time.Minute,
		factors: []string{"the prune job is per site and was forgotten for bruxelles"},
		well:    "Found through the backup alert added in the spring.", hard: "Another bruxelles thing only chloe could check.",
		items: []pastItem{{title: "check every periodic job runs in every site", owner: "dara", closer: "chloe", after: 8}}},
	{week: 47, day: 6, hh: 23, mm: 40, sev: 2, title: "paris garage certificate rotation broke TLS", affects: []string{"service/garage", "site/paris"},
		noticer: "chloe", fixer: "lucas", scribe: "chloe", asker: "amelie",
		obs:     "S3 clients get TLS errors against paris since 23:30.",
		q:       "Was the new certificate deployed without its chain?",
		acts:    []string{"Redeployed with the full chain; clients work again."},
		lasts:   35 * time.Minute,
		factors: []string{"the chain file name changed with the new CA"},
		well:    "chloe noticed before any user.", hard: "Sunday night.",
		items: []pastItem{{title: "test the TLS chain after every rotation", owner: "lucas", closer: "lucas", after: 3}}},
	{week: 49, day: 1, hh: 10, mm: 30, sev: 3, title: "matrix media uploads failing", affects: []string{"service/matrix", "job/matrix", "site/paris"},
		noticer: "kenji", fixer: "dara", scribe: "kenji", asker: "amelie",
		obs:     "Uploading images in matrix fails with 413.",
		q:       "Did the proxy limit change?",
		acts:    []string{"The upload limit was reset to 1 MB by the proxy template; set it back to 50 MB."},
		lasts:   30 * time.Minute,
		factors: []string{"the new proxy template has a lower default"},
		well:    "dara fixed it from Montréal in the early morning.", hard: "The template change was not announced.",
		items: []pastItem{{title: "announce proxy template changes in the channel", owner: "kenji", closer: "kenji", after: 2}}},
	{week: 50, day: 4, hh: 20, mm: 0, sev: 2, title: "bruxelles unreachable after router reboot", affects: []string{"site/bruxelles", "node/bruxelles"},
		noticer: "lucas", fixer: "chloe", scribe: "dara", asker: "amelie",
		sys:     &oncall.Transition{Kind: "node", Subject: "node/bruxelles", Site: "bruxelles", From: "ready", To: "down", Detail: "missed heartbeats"},
		obs:     "bruxelles gone from Nomad and Consul since 19:55.",
		q:       "Router again?",
		acts:    []string{"The router came back with a new IP range; fixed the box's static address."},
		lasts:   45 * time.Minute,
		factors: []string{"the ISP router forgets its LAN settings on updates"},
		well:    "The router notes in the wiki made it quick.", hard: "Still only chloe can fix bruxelles.",
		items: []pastItem{{title: "teach someone else the bruxelles setup", owner: "chloe"}}},
	{week: 51, day: 2, hh: 7, mm: 45, sev: 3, title: "wiki search index stale", affects: []string{"service/wiki", "job/wiki"},
		noticer: "amelie", fixer: "amelie", scribe: "amelie", asker: "dara",
		obs:     "Search does not find pages edited this week.",
		q:       "Did the indexer stop after the upgrade?",
		acts:    []string{"Restarted the indexer job and rebuilt the index."},
		lasts:   40 * time.Minute,
		factors: []string{"the indexer does not restart after a failed run"},
		well:    "Small and quickly done.", hard: "Nothing hard.",
		items: []pastItem{{title: "restart policy for the indexer", owner: "amelie"}}},
}

// incidents plans every past incident: its journal in the hours it lasted,
// its retro two days later, its action items closed over the next weeks.
func (y *year) incidents() error {
	for n, p := range pastIncidents {
		if p.week < 0 || p.week >= len(y.weeks) {
			return fmt.Errorf("incident %q: week %d outside the plan", p.title, p.week)
		}
		y.incident(n, p)
	}
	return nil
}

func (y *year) incident(n int, p pastIncident) {
	var id int64
	var lastAct int64
	t0 := y.day(y.weeks[p.week].Start, p.day, p.hh, p.mm)
	at := func(d time.Duration, do func() error) { y.add(t0.Add(d), do) }
	entry := func(d time.Duration, who string, kind oncall.EntryKind, text string) {
		at(d, func() error {
			e, err := y.w.AddEntry(y.ctx, id, who, kind, text)
			if kind == oncall.KindAction {
				lastAct = e.ID
			}
			return err
		})
	}
	status := func(d time.Duration, who string, to oncall.Status) {
		at(d, func() error { return y.w.SetStatus(y.ctx, id, who, to) })
	}
	role := func(d time.Duration, who string, r oncall.Role, takeOver bool) {
		at(d, func() error { _, err := y.w.TakeRole(y.ctx, id, who, r, takeOver); return err })
	}

	at(0, func() error {
		inc, err := y.w.OpenIncident(y.ctx, p.noticer, oncall.NewIncident{Title: p.title, Severity: p.sev, Affects: p.affects})
		id = inc.ID
		return err
	})
	if p.sys != nil {
		// Captured by the recorder before anyone opened it: detection is
		// the transition, a few minutes earlier.
		tr := *p.sys
		tr.At, tr.Key = t0.Add(-6*time.Minute), fmt.Sprintf("seed-%d", n)
		at(10*time.Second, func() error {
			_, _, err := y.w.RecordTransition(y.ctx, id, tr, "watch@bastion")
			return err
		})
	}
	entry(2*time.Minute, p.noticer, oncall.KindObservation, p.obs)

	ack := time.Duration(3+y.rng.IntN(15)) * time.Minute
	if p.hh >= 22 || p.hh < 7 {
		ack += time.Duration(8+y.rng.IntN(20)) * time.Minute // woken up
	}
	acker := y.holder(t0)
	if acker == "" {
		acker = p.noticer
	}
	status(ack, acker, oncall.StatusAcknowledged)
	role(ack+time.Minute, p.fixer, oncall.RoleLead, false)
	role(ack+2*time.Minute, p.scribe, oncall.RoleScribe, false)
	role(ack+3*time.Minute, p.asker, oncall.RoleHelper, false)
	entry(ack+4*time.Minute, p.asker, oncall.KindQuestion, p.q)

	mitigate := max(p.lasts*7/10, ack+10*time.Minute)
	gap := (mitigate - ack - 8*time.Minute) / time.Duration(len(p.acts))
	for i, a := range p.acts {
		entry(ack+6*time.Minute+time.Duration(i)*gap, p.fixer, oncall.KindAction, a)
	}
	if p.amend != "" {
		at(mitigate-time.Minute, func() error { _, err := y.w.AmendEntry(y.ctx, lastAct, p.fixer, p.amend); return err })
	}
	status(mitigate, p.fixer, oncall.StatusMitigated)
	at(mitigate+time.Minute, func() error { _, err := y.w.LeaveRole(y.ctx, id, p.asker, oncall.RoleHelper); return err })
	if p.decision != "" {
		entry(mitigate+2*time.Minute, p.fixer, oncall.KindDecision, p.decision)
	}
	resolver := p.fixer
	if p.handoff != "" {
		entry(mitigate+4*time.Minute, p.fixer, oncall.KindHandoff, p.handoff)
		role(mitigate+5*time.Minute, p.scribe, oncall.RoleLead, true)
		resolver = p.scribe
	}
	// A slow acknowledgement at night makes it last longer.
	lasted := max(p.lasts, mitigate+10*time.Minute)
	status(lasted, resolver, oncall.StatusResolved)

	// The retro, two days later in the evening.
	retro := y.day(t0, 2, 18, 30+y.rng.IntN(20))
	note := func(d time.Duration, who string, sec oncall.Section, text string) {
		y.add(retro.Add(d), func() error { _, err := y.w.AddRetroNote(y.ctx, id, who, sec, text); return err })
	}
	note(0, p.scribe, oncall.SectionSummary, fmt.Sprintf("%s, for %s. %s", p.title, words(lasted), p.acts[0]))
	note(time.Minute, p.scribe, oncall.SectionImpact, impact(p.affects, lasted))
	for i, f := range p.factors {
		who := p.fixer
		if i > 0 {
			who = p.noticer
		}
		note(time.Duration(2+i)*time.Minute, who, oncall.SectionFactor, f)
	}
	note(5*time.Minute, p.noticer, oncall.SectionWentWell, p.well)
	note(6*time.Minute, p.fixer, oncall.SectionWasHard, p.hard)
	for i, it := range p.items {
		var aid int64
		made := retro.Add(time.Duration(10+i) * time.Minute)
		y.add(made, func() error {
			a, err := y.w.AddAction(y.ctx, id, p.scribe, oncall.NewAction{Title: it.title, Owner: it.owner,
				Due: made.AddDate(0, 0, 21).In(y.paris).Format(time.DateOnly)})
			aid = a.ID
			return err
		})
		if it.closer == "" {
			continue
		}
		if it.after >= 10 { // started first, by its owner
			y.add(y.day(made, it.after/2, 12, 0), func() error {
				_, err := y.w.UpdateAction(y.ctx, aid, it.owner, oncall.ActionDoing, nil, nil)
				return err
			})
		}
		state := oncall.ActionDone
		if it.drop {
			state = oncall.ActionDropped
		}
		y.add(y.day(made, it.after, 19, 15), func() error {
			_, err := y.w.UpdateAction(y.ctx, aid, it.closer, state, nil, nil)
			return err
		})
	}
	if p.reviewed {
		y.add(y.day(retro, 1, 20, 0), func() error { return y.w.SetStatus(y.ctx, id, p.scribe, oncall.StatusReviewed) })
	}
}

// words says a duration as a retro would: "50 minutes", "3 hours".
func words(d time.Duration) string {
	if d < 2*time.Hour {
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return fmt.Sprintf("%d hours", int(d.Round(time.Hour).Hours()))
}

// impact says who was affected, from what the incident affects.
func impact(affects []string, d time.Duration) string {
	var services, sites []string
	for _, a := range affects {
		kind, name, _ := strings.Cut(a, "/")
		switch {
		case (kind == "service" || kind == "job") && !slices.Contains(services, name):
			services = append(services, name)
		case kind == "site":
			sites = append(sites, name)
		}
	}
	if len(services) == 0 {
		return fmt.Sprintf("Everything hosted in %s was unreachable or degraded for about %s.", strings.Join(sites, " and "), words(d))
	}
	return fmt.Sprintf("Users of %s saw errors or slowness for about %s.", strings.Join(services, " and "), words(d))
}
