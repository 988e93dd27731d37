// Package oncall holds the collective's shared memory: members, on-call
// rotations, incidents and their journal, kept in one SQLite file that every
// member on a bastion opens at the same time from their own process.
//
// It must never import charm.land/*: the TUI reads it, it does not know the TUI.
package oncall
