package main

import (
	"context"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// openStore opens the store at locator (--db / ENTRETIEN_DB): every command
// opens its store here, so that a backend is chosen in one place. Today a
// locator is a SQLite file's path; a PostgreSQL DSN is refused (checkDBPath).
func openStore(ctx context.Context, locator string) (oncall.Store, error) {
	if err := checkDBPath(locator); err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, locator)
}
