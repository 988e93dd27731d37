package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"

	"codeberg.org/entretien/entretien/oncall"
)

// ServerStatus is what db status and doctor say about the server.
type ServerStatus struct {
	Version string // server_version, e.g. "15.10 (Debian 15.10-0+deb12u1)"
	Standby bool   // pg_is_in_recovery(): a read-only replica
	// ReplayLag is, on a standby, how old the last transaction it replayed
	// is (nil: none replayed yet). On an idle primary it grows without any
	// real lag: read it with the primary's last write in mind.
	ReplayLag *time.Duration
	Replicas  []Replica // on a primary, the standbys it streams to (as far as this role may see)
}

// Replica is one row of pg_stat_replication.
type Replica struct {
	Name      string         // application_name (Patroni: the member's name)
	State     string         // streaming, catchup… ("" when this role may not see it)
	SyncState string         // sync, async, potential, quorum
	ReplayLag *time.Duration // nil when unknown or idle
}

// Status reads the server's version, role and replication state.
func Status(ctx context.Context, db *sql.DB) (ServerStatus, error) {
	var st ServerStatus
	if err := db.QueryRowContext(ctx, `SELECT current_setting('server_version'), pg_is_in_recovery()`).Scan(&st.Version, &st.Standby); err != nil {
		return st, err
	}
	if st.Standby {
		var lag sql.NullFloat64
		if err := db.QueryRowContext(ctx, `SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8`).Scan(&lag); err != nil {
			return st, err
		}
		st.ReplayLag = seconds(lag)
		return st, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT application_name, state, sync_state, extract(epoch FROM replay_lag)::float8
		FROM pg_stat_replication ORDER BY application_name`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, state, sync sql.NullString
		var lag sql.NullFloat64
		if err := rows.Scan(&name, &state, &sync, &lag); err != nil {
			return st, err
		}
		st.Replicas = append(st.Replicas, Replica{Name: name.String, State: state.String, SyncState: sync.String, ReplayLag: seconds(lag)})
	}
	return st, rows.Err()
}

func seconds(f sql.NullFloat64) *time.Duration {
	if !f.Valid {
		return nil
	}
	d := time.Duration(f.Float64 * float64(time.Second)).Round(time.Millisecond)
	return &d
}

// Inspect connects to dsn without migrating anything (a standby cannot be
// written) and reads its schema version and the server's status.
func Inspect(ctx context.Context, dsn string) (version int, st ServerStatus, err error) {
	where := oncall.RedactDSN(dsn)
	cfg, err := parseConfig(dsn)
	if err != nil {
		return 0, st, fmt.Errorf("%s: %w", where, err)
	}
	db := newDB(cfg)
	defer db.Close()
	if version, err = schemaVersion(ctx, db); err != nil {
		return 0, st, redactErr(where, err)
	}
	st, err = Status(ctx, db)
	return version, st, redactErr(where, err)
}

// KnownVersion is the newest schema version this entretien knows.
func KnownVersion() int {
	names, _ := fs.Glob((&Dialect{}).Migrations(), "*.sql")
	return len(names)
}

// TableRows is a table of a database and its row count.
type TableRows struct {
	Name string
	Rows int64
}

// Tables lists the base tables of dsn's current schema with their row
// counts (entretien_schema left out), writing nothing: what db copy checks
// before it writes anything.
func Tables(ctx context.Context, dsn string) ([]TableRows, error) {
	where := oncall.RedactDSN(dsn)
	cfg, err := parseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	db := newDB(cfg)
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'entretien_schema' ORDER BY table_name`)
	if err != nil {
		return nil, redactErr(where, err)
	}
	var out []TableRows
	for rows.Next() {
		var t TableRows
		if err := rows.Scan(&t.Name); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, redactErr(where, err)
	}
	for i := range out {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+pgxIdent(out[i].Name)).Scan(&out[i].Rows); err != nil {
			return nil, redactErr(where, err)
		}
	}
	return out, nil
}

func pgxIdent(s string) string { return pgx.Identifier{s}.Sanitize() }
