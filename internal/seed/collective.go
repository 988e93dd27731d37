// Package seed fills an empty store with the demo collective: five members,
// a weekly rotation, one incident in progress, and a plausible past year
// (the rota's history with overrides, swaps and leave; resolved incidents
// with their journals, retros and action items, shared unevenly), so that
// every screen, the care screen first, has something true-looking to show.
// The store is marked as seeded, and the care screen says so.
package seed

import (
	"context"
	"fmt"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// MachineHosts says which member hosts the machine of each site.
var MachineHosts = map[string]string{"paris": "amelie", "lyon": "lucas", "bruxelles": "chloe"}

var members = []oncall.Member{
	{Handle: "amelie", Name: "Amélie", TZ: "Europe/Paris", Contact: "@amelie:matrix.example"},
	{Handle: "lucas", Name: "Lucas", TZ: "Europe/Paris", Contact: "@lucas:matrix.example"},
	{Handle: "chloe", Name: "Chloé", TZ: "Europe/Brussels", Contact: "@chloe:matrix.example"},
	{Handle: "dara", Name: "Dara", TZ: "America/Montreal"},
	{Handle: "kenji", Name: "Kenji", TZ: "Asia/Tokyo"},
}

// IncidentTitle is the title of the seeded open incident.
const IncidentTitle = "guichet health check failing in lyon"

// journal is the seeded incident's journal, minutes after it was opened.
var journal = []struct {
	after  time.Duration
	author string
	kind   oncall.EntryKind
	text   string
}{
	{3 * time.Minute, "chloe", oncall.KindObservation,
		"Consul shows guichet failing its HTTP check on the lyon machine; the paris and bruxelles instances pass."},
	{9 * time.Minute, "lucas", oncall.KindAction,
		"Restarted the guichet allocation on the lyon machine. Check still red two minutes later."},
	{16 * time.Minute, "dara", oncall.KindQuestion,
		"Could it be the lyon uplink again? Does the box still answer from outside?"},
	{25 * time.Minute, "amelie", oncall.KindObservation,
		"Lyon answers fine from paris; guichet logs say \"connection refused\" on its database port."},
}

// Collective seeds st with the demo collective as of now, its past year
// included, unless st already has members (then it does nothing, so running
// it twice changes nothing). The same now gives the same store: the past is
// laid out relative to this week's handoff, with a fixed random seed.
//
// osUser (the OS account running the demo) is mapped to amelie; every member
// also gets the OS user named like its handle (except a handle equal to
// osUser, which amelie then owns).
//
// Everything goes through the store contract. To backdate the past, the
// seed opens its own Store on the same database with open and drives that
// Store's clock; the caller's stores (and their clocks) are left untouched.
func Collective(ctx context.Context, open Opener, osUser string, now time.Time) error {
	return seedStore(ctx, open, osUser, now, true)
}

// Present seeds only the present day (members, this week's rotation, the
// open incident and its journal), for tests that count what they add.
func Present(ctx context.Context, open Opener, osUser string, now time.Time) error {
	return seedStore(ctx, open, osUser, now, false)
}

// Opener opens a new Store on the database to seed (sqlite.Open on its
// path, say): the seed drives that store's clock.
type Opener func(ctx context.Context) (oncall.Store, error)

func seedStore(ctx context.Context, open Opener, osUser string, now time.Time, year bool) error {
	w, err := open(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer w.Close()
	existing, err := w.Members(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if len(existing) > 0 {
		return nil
	}
	at := now
	w.SetClock(func() time.Time { return at })
	// The present first, so that its incident, entries and rotation keep
	// the first IDs whether or not the past is seeded.
	if err := present(ctx, w, &at, osUser, now); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if year {
		if err := pastYear(ctx, w, &at, now); err != nil {
			return fmt.Errorf("seed: past year: %w", err)
		}
		if err := proposal(ctx, w, &at, now); err != nil {
			return fmt.Errorf("seed: proposal: %w", err)
		}
	}
	at = now
	if err := w.MarkSeeded(ctx, "entretien seed"); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func present(ctx context.Context, w oncall.Store, at *time.Time, osUser string, now time.Time) error {
	for _, m := range members {
		if m.Handle == "amelie" && osUser != "" {
			m.OSUsers = append(m.OSUsers, osUser)
		}
		if m.Handle != osUser {
			m.OSUsers = append(m.OSUsers, m.Handle)
		}
		if _, err := w.AddMember(ctx, m); err != nil {
			return err
		}
	}
	start, err := mondayOnOrBefore(now, "Europe/Paris", 10)
	if err != nil {
		return err
	}
	if _, err := w.CreateRotation(ctx, primary(start, "amelie", "lucas", "chloe", "dara", "kenji")); err != nil {
		return err
	}
	opened := now.Add(-40 * time.Minute)
	*at = opened
	inc, err := w.OpenIncident(ctx, "lucas", oncall.NewIncident{
		Title: IncidentTitle, Severity: 2,
		Affects: []string{"service/guichet", "job/guichet", "site/lyon"},
	})
	if err != nil {
		return err
	}
	for _, e := range journal {
		*at = opened.Add(e.after)
		if _, err := w.AddEntry(ctx, inc.ID, e.author, e.kind, e.text); err != nil {
			return err
		}
	}
	return nil
}

// primary is the collective's rotation: a week each, handed on Monday
// 10:00 Paris time.
func primary(start time.Time, participants ...string) oncall.Rotation {
	return oncall.Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks, Handoff: "10:00",
		Start: start, Participants: participants}
}

// mondayOnOrBefore is the latest Monday hour:00 in zone tz that is not after t.
func mondayOnOrBefore(t time.Time, tz string, hour int) (time.Time, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.Time{}, err
	}
	l := t.In(loc)
	back := (int(l.Weekday()) - int(time.Monday) + 7) % 7
	s := time.Date(l.Year(), l.Month(), l.Day()-back, hour, 0, 0, 0, loc)
	if s.After(t) { // Monday morning before the handoff: last week's Monday
		s = time.Date(l.Year(), l.Month(), l.Day()-back-7, hour, 0, 0, 0, loc)
	}
	return s, nil
}

// ProposalTitle is the title of the seeded open proposal, about the seeded
// incident.
const ProposalTitle = "move guichet's database off the lyon machine"

// proposal seeds one open proposal linked to the open incident (ID 1, the
// present's), with an implication and positions, so that a newcomer sees
// what a decision taken together looks like. Only with the past year: the
// tests that count what Present adds see no proposal.
func proposal(ctx context.Context, w oncall.Store, at *time.Time, now time.Time) error {
	*at = now.Add(-30 * time.Minute)
	p, err := w.OpenProposal(ctx, "lucas", oncall.NewProposal{
		Title:      ProposalTitle,
		Driver:     "guichet fails whenever the lyon uplink drops (incident #1, and three times this year); its database lives on the machine in my flat.",
		Text:       "Move guichet's PostgreSQL to the paris machine, with a nightly copy to bruxelles; keep a guichet instance in lyon for the local members.",
		Affects:    []string{"service/guichet", "site/lyon", "site/paris"},
		ClosesAt:   now.Add(5 * 24 * time.Hour),
		IncidentID: 1,
	})
	if err != nil {
		return err
	}
	steps := []struct {
		after       time.Duration
		who         string
		implication string
		stance      oncall.Stance
		text        string
	}{
		{5 * time.Minute, "amelie", "the paris machine (at amelie's) holds guichet's data afterwards: about 40 GB on her disk, and her uplink", "", ""},
		{8 * time.Minute, "amelie", "", oncall.StanceConsent, "my machine has the room; I will do the move with lucas"},
		{12 * time.Minute, "chloe", "", oncall.StanceConsent, "bruxelles can take the nightly copy"},
		{20 * time.Minute, "dara", "", oncall.StanceConcern, "from Montréal paris is slower than lyon; fine if guichet stays up"},
	}
	for _, s := range steps {
		*at = now.Add(-30*time.Minute + s.after)
		if s.implication != "" {
			if _, err := w.AddImplication(ctx, p.ID, s.who, s.implication); err != nil {
				return err
			}
			continue
		}
		if _, err := w.TakePosition(ctx, p.ID, s.who, s.stance, s.text); err != nil {
			return err
		}
	}
	return nil
}

// File opens the SQLite file at path.
func File(path string) Opener {
	return func(ctx context.Context) (oncall.Store, error) { return sqlite.Open(ctx, path) }
}
