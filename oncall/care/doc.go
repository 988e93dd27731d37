// Package care turns the collective's recorded facts into the care-work
// figures of entretien's care screen: who watches (attention), who takes it
// on (responsibility), who repairs (competence), who answers (responsiveness)
// and who writes it down, over a window of 30, 90 or 365 days.
//
// It is never a ranking and never surveillance. The same figures are
// computed for every member; rows are always ordered by handle, never by a
// figure; there is no overall score. A member above the collective's average
// is shown as a share of the work ("+40% of night hours") so the table invites
// sharing the load, never "top performer". Every figure carries the list of
// facts it was computed from (shift intervals, journal entries, role changes,
// action items) so that it can be checked and discussed, never just believed.
//
// Two layers:
//   - Compute(Facts, from, to) is pure: no store, no clock, no terminal.
//   - Load(ctx, store, from, to) reads the facts from the store: the on-call
//     history (overrides applied), incidents, journals, roles, retro notes
//     and action items. Who hosts which machine comes from the cluster, so
//     the caller fills Facts.Machines.
//
// It must never import charm.land/*.
package care
