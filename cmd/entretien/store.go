package main

import (
	"context"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/postgres"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// openStore opens the store at locator (--db / ENTRETIEN_DB): every command
// opens its store here, so that a backend is chosen in one place. A
// postgres:// URL or a libpq keyword string is PostgreSQL, anything else the
// path of a SQLite file (oncall.ParseLocator).
func openStore(ctx context.Context, locator string) (oncall.Store, error) {
	l, err := checkLocator(locator)
	if err != nil {
		return nil, err
	}
	if l.Backend == oncall.BackendPostgres {
		return postgres.Open(ctx, l.Raw)
	}
	return sqlite.Open(ctx, l.Raw)
}

// checkLocator classifies --db / ENTRETIEN_DB and refuses a DSN holding a
// password: every user of a bastion can read a command line (ps), and a
// profile script is readable too. The password belongs in PGPASSFILE /
// ~/.pgpass, or PGPASSWORD.
func checkLocator(locator string) (oncall.Locator, error) {
	l, err := oncall.ParseLocator(locator)
	if err != nil {
		return l, usageError{msg: err.Error()}
	}
	if l.HasPassword() {
		return l, usageError{msg: "database: " + l.String() + ": the DSN holds a password, which every user of the bastion could read (--db in the process list, ENTRETIEN_DB in a profile script): put it in ~/.pgpass or the file PGPASSFILE names (or PGPASSWORD), and remove it from the DSN"}
	}
	return l, nil
}
