package sources

// Status ranks, from none to worst. Every screen that orders or aggregates
// statuses (the worst of a row's counts, services by health, outages
// within a site) reads StatusRank, so they never disagree.
const (
	RankNone        = iota // "": no status at all
	RankOK                 // passing, running, ready, up, complete...
	RankUnknown            // unknown, stale, unchecked, and any word not listed
	RankMaintenance        // deliberately out of service
	RankWarning            // warning, degraded, pending, queued, blocked...
	RankCritical           // critical, down, failed, lost...
)

// StatusRank says how bad a status word is; higher is worse, so sorting by
// it descending puts the worst first.
//
// Maintenance ranks above unknown: an instance under maintenance is known
// not to serve (its service has one instance fewer now), while unknown
// (no check, stale data) is the absence of news, not news of a fault. Both
// rank below warning: neither is evidence of something needing action, and
// maintenance is a member's deliberate act. A word not listed ranks as
// unknown, never as healthy: so does a job's "dead", which is a batch job
// done or a service job given up (Job.State says "stopped" when a member
// stopped it).
func StatusRank(status string) int {
	switch status {
	case "":
		return RankNone
	case StatusPassing, "ok", "up", "running", "ready", "eligible", "complete", "successful",
		"stopped", "cancelled":
		return RankOK
	case StatusMaintenance:
		return RankMaintenance
	case StatusWarning, SiteDegraded, "pending", "starting", "initializing", "queued", "blocked",
		"unblocking", "paused", "draining", "ineligible", "restarting":
		return RankWarning
	case StatusCritical, SiteDown, "failed", "lost", "disconnected", "unhealthy", "unreachable":
		return RankCritical
	}
	return RankUnknown
}

// WorseStatus is the worse of two statuses by StatusRank (a on ties).
func WorseStatus(a, b string) string {
	if StatusRank(b) > StatusRank(a) {
		return b
	}
	return a
}
