package oncall

import (
	"time"
)

// Role is what a member does during an incident.
type Role string

const (
	RoleLead   Role = "lead"   // the one person changing the systems
	RoleScribe Role = "scribe" // keeps the journal
	RoleHelper Role = "helper" // any number of them
)

// RolesAll lists every role, lead first.
var RolesAll = []Role{RoleLead, RoleScribe, RoleHelper}

// Single reports whether the role has one holder at a time.
func (r Role) Single() bool { return r == RoleLead || r == RoleScribe }

func (r Role) Valid() bool { return r == RoleLead || r == RoleScribe || r == RoleHelper }

// RoleSpan is one member holding one role of an incident, from Taken until
// Left (zero while still held).
type RoleSpan struct {
	ID         int64
	IncidentID int64
	Member     string
	Role       Role
	Taken      time.Time
	Left       time.Time
}

// Held reports whether the role is still held.
func (r RoleSpan) Held() bool { return r.Left.IsZero() }

// End is when the span ended, or until if it is still held.
func (r RoleSpan) End(until time.Time) time.Time {
	if r.Held() {
		return until
	}
	return r.Left
}

// ParseRole reads a role name as typed on the command line.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", Invalid("role", s, "must be lead, scribe or helper")
	}
	return r, nil
}
