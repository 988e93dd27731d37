package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migrations are numbered files NNNN_name.sql, applied in order, the same
// versions on every backend. Add features with a new file, never by editing
// an applied one.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range names {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and _", e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (no gaps or duplicates)", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies every missing step, each with its version bump in one
// transaction. The version is re-read inside that transaction (after the
// dialect's BeginMigration), so two processes opening a fresh database at
// once cannot both apply a step: the second waits, then sees it is done.
func migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	return MigrateTo(ctx, db, d, -1)
}

// MigrateTo brings db's schema up to version (-1: the newest), for a
// backend's tests of an upgrade from an older schema.
func MigrateTo(ctx context.Context, db *sql.DB, d Dialect, version int) error {
	ms, err := loadMigrations(d.Migrations())
	if err != nil {
		return err
	}
	if version >= 0 && version < len(ms) {
		ms = ms[:version]
	}
	current, err := schemaVersion(ctx, db, d)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("database schema is version %d but this entretien knows only up to %d: upgrade entretien", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, db, d, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, d Dialect, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback()
	if err := d.BeginMigration(ctx, tx); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	v, err := d.SchemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if v >= m.version {
		return nil // another process got there first
	}
	if v != m.version-1 {
		return fmt.Errorf("migration %s: schema is at version %d, expected %d", m.name, v, m.version-1)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := d.SetSchemaVersion(ctx, tx, m.version); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	return nil
}
