// Package oncall holds the collective's shared memory as types and rules:
// members, on-call rotations, incidents and their journal, paging; the pure
// rules over them (validation, rota schedules across DST, an override's
// checks, iCalendar); and the contract every backend keeps, Store. The SQL
// is in oncall/sqlstore, written once; oncall/sqlite is the embedded
// backend; oncall/conformance is the contract's behaviour as one suite.
//
// It imports no driver and no backend, and never charm.land/*: the TUI
// reads it, it does not know the TUI.
package oncall
