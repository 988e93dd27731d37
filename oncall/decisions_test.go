package oncall

import (
	"testing"
	"time"
)

// The pure rules, on hand-built proposals: no store.

func TestDefaultQuorumIsHalfRoundedUp(t *testing.T) {
	for members, want := range map[int]int{0: 1, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3} {
		if got := DefaultQuorum(members); got != want {
			t.Errorf("DefaultQuorum(%d) = %d, want %d", members, got, want)
		}
	}
}

func ruleProposal(positions ...Position) Proposal {
	return Proposal{ID: 1, Version: 2, Process: ProcessConsent, QuorumDefault: true, Members: 5, State: ProposalOpen,
		OpenedBy: "lucas", ClosesAt: t0.Add(72 * time.Hour), Positions: positions}
}

func TestStateLine(t *testing.T) {
	p := ruleProposal(
		Position{Member: "a", Stance: StanceConsent, Version: 2}, Position{Member: "b", Stance: StanceConsent, Version: 2},
		Position{Member: "c", Stance: StanceConcern, Version: 2}, Position{Member: "d", Stance: StanceObjection, Version: 2, Text: "no"})
	if got, want := p.StateLine(t0), "2 consent · 1 concern · 1 objection · closes in 3d"; got != want {
		t.Fatalf("StateLine = %q, want %q", got, want)
	}
	p.Positions[0].Version = 1
	if got, want := p.StateLine(t0.Add(71*time.Hour)), "2 consent · 1 concern · 1 objection · 1 to confirm · closes in 1h"; got != want {
		t.Fatalf("StateLine = %q, want %q", got, want)
	}
	if got := p.QuorumLine(); got != "quorum 3 positions on version 2 (half of the 5 members, rounded up): 3 so far" {
		t.Fatalf("QuorumLine = %q", got)
	}
}

func TestConsensusNeedsEveryParticipant(t *testing.T) {
	p := ruleProposal(Position{Member: "a", Stance: StanceConsent, Version: 2}, Position{Member: "b", Stance: StanceConsent, Version: 2},
		Position{Member: "c", Stance: StanceConcern, Version: 2})
	p.Process = ProcessConsensus
	after := p.ClosesAt.Add(time.Minute)
	o := NewOutcome{State: OutcomeAdopted, Statement: "done"}
	wantValidation(t, p.CheckOutcome(after, "a", o), "outcome.outcome")
	p.Positions[2].Stance = StanceAbstain // standing aside
	if err := p.CheckOutcome(after, "a", o); err != nil {
		t.Fatal(err)
	}
	p.Process = ProcessConsent
	p.Positions[2].Stance = StanceObjection
	wantValidation(t, p.CheckOutcome(after, "a", o), "outcome.outcome")
}

func TestPositionRules(t *testing.T) {
	p := ruleProposal()
	wantValidation(t, p.CheckPosition(t0, StanceObjection, "  "), "position.text")
	wantValidation(t, p.CheckPosition(t0, "maybe", ""), "position.stance")
	wantValidation(t, p.CheckPosition(p.ClosesAt, StanceConsent, ""), "proposal.closes_at")
	p.State = OutcomeWithdrawn
	wantValidation(t, p.CheckPosition(t0, StanceConsent, ""), "proposal.state")
}
