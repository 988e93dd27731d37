package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/dbcopy"
	"codeberg.org/entretien/entretien/oncall/postgres"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
	"codeberg.org/entretien/entretien/sources"
)

func (a *app) dbCmd() *cobra.Command {
	c := group("db", "the database: status, migrate, copy to PostgreSQL", a.dbStatusCmd(), a.dbMigrateCmd(), a.dbCopyCmd())
	c.Long = `The database behind --db / ENTRETIEN_DB: a SQLite file (the default, for one
bastion), or PostgreSQL given as a postgres:// URL or a libpq keyword string
("host=a,b port=5432,5433 dbname=entretien target_session_attrs=read-write").
The PostgreSQL password comes from ~/.pgpass, the file PGPASSFILE names, or
PGPASSWORD: never from the DSN, never printed.`
	return c
}

type dbStatusJSON struct {
	Backend       string        `json:"backend"`
	Location      string        `json:"location"`
	Exists        bool          `json:"exists"`
	SchemaVersion int           `json:"schema_version"`
	KnownVersion  int           `json:"known_version"`
	Server        *dbServerJSON `json:"server,omitempty"`
	// Members: every site's member as Patroni publishes it in Consul
	// (--patroni-scope), down ones included, which the server cannot tell.
	Members []dbMemberJSON `json:"members,omitempty"`
}

type dbServerJSON struct {
	Version          string          `json:"version"`
	Role             string          `json:"role"` // primary or standby
	ReplayLagSeconds *float64        `json:"replay_lag_seconds"`
	Replicas         []dbReplicaJSON `json:"replicas"`
}

type dbReplicaJSON struct {
	Name             string   `json:"name"`
	State            string   `json:"state"`
	SyncState        string   `json:"sync_state"`
	ReplayLagSeconds *float64 `json:"replay_lag_seconds"`
}

func secondsOf(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	s := d.Seconds()
	return &s
}

type dbMemberJSON struct {
	Name     string `json:"name"` // the site, by the recipe's convention
	Role     string `json:"role"` // primary, sync standby, standby
	State    string `json:"state"`
	Host     string `json:"host"`
	Timeline int    `json:"timeline"`
	LagBytes *int64 `json:"lag_bytes"` // null when unknown
}

// storeMembers reads the members from Consul when a Patroni scope is set;
// a problem says what is wrong with them (no primary, one gone…).
func (a *app) storeMembers(ctx context.Context) (members []dbMemberJSON, problem, err error) {
	if a.src.PatroniScope == "" {
		return nil, nil, nil
	}
	c, err := sources.ReadStoreCluster(ctx, a.src)
	if err != nil {
		return nil, nil, err
	}
	members = []dbMemberJSON{}
	for _, m := range c.Members {
		j := dbMemberJSON{Name: sanitize.Line(m.Name), Role: m.Role, State: sanitize.Line(m.State), Host: sanitize.Line(m.Host), Timeline: m.Timeline}
		if m.LagBytes >= 0 {
			lag := m.LagBytes
			j.LagBytes = &lag
		}
		members = append(members, j)
	}
	if status, detail := c.Status(); status != sources.SiteUp {
		problem = fmt.Errorf("database %s: %s", status, sanitize.Line(detail))
	}
	return members, problem, nil
}

func memberLine(m dbMemberJSON) string {
	if m.State == "gone" {
		return "gone (its key expired: the member is down or cut off)"
	}
	lag := "lag unknown"
	if m.LagBytes != nil {
		lag = fmt.Sprintf("lag %d B", *m.LagBytes)
	}
	return fmt.Sprintf("%s, %s, %s, timeline %d, %s", m.Role, m.State, m.Host, m.Timeline, lag)
}

func role(st postgres.ServerStatus) string {
	if st.Standby {
		return "standby"
	}
	return "primary"
}

// inspectDB reads what db status and doctor say, migrating nothing.
func inspectDB(ctx context.Context, locator string) (dbStatusJSON, error) {
	l, err := checkLocator(locator)
	if err != nil {
		return dbStatusJSON{}, err
	}
	doc := dbStatusJSON{Backend: l.Backend, Location: sanitize.Line(l.String())}
	if l.Backend == oncall.BackendPostgres {
		doc.KnownVersion = postgres.KnownVersion()
		v, st, err := postgres.Inspect(ctx, l.Raw)
		if err != nil {
			return doc, err
		}
		doc.Exists, doc.SchemaVersion = true, v
		srv := &dbServerJSON{Version: sanitize.Line(st.Version), Role: role(st), ReplayLagSeconds: secondsOf(st.ReplayLag), Replicas: []dbReplicaJSON{}}
		for _, r := range st.Replicas {
			srv.Replicas = append(srv.Replicas, dbReplicaJSON{Name: sanitize.Line(r.Name), State: sanitize.Line(r.State),
				SyncState: sanitize.Line(r.SyncState), ReplayLagSeconds: secondsOf(r.ReplayLag)})
		}
		doc.Server = srv
		return doc, nil
	}
	names, _ := fs.Glob((&sqlite.Dialect{}).Migrations(), "*.sql")
	doc.KnownVersion = len(names)
	if _, err := os.Stat(l.Raw); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return doc, nil // created on first use
		}
		return doc, err
	}
	doc.Exists = true
	// Read-only: status writes nothing, not even a WAL.
	db, err := sql.Open("sqlite3", "file:"+strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(l.Raw)+"?mode=ro")
	if err != nil {
		return doc, err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&doc.SchemaVersion); err != nil {
		return doc, fmt.Errorf("%s: %w", l.Raw, err)
	}
	return doc, nil
}

func (a *app) dbStatusCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "status [--json]",
		Short: "the backend, where it is, its schema version; for PostgreSQL the server, primary or standby, replication",
		Args:  noArgs("db status"),
	}
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
		defer cancel()
		doc, err := inspectDB(ctx, a.db)
		members, _, merr := a.storeMembers(ctx)
		doc.Members = members
		if err != nil {
			// No primary: what Patroni says of the members is what helps.
			for _, m := range members {
				fmt.Fprintf(a.stderr, "member %s: %s\n", m.Name, memberLine(m))
			}
			return err
		}
		if merr != nil {
			return merr
		}
		if *asJSON {
			return writeJSON(a.stdout, doc)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "backend\t%s\n", doc.Backend)
		fmt.Fprintf(tw, "location\t%s\n", doc.Location)
		switch {
		case !doc.Exists:
			fmt.Fprintf(tw, "schema\tnone yet: created on first use (version %d)\n", doc.KnownVersion)
		case doc.SchemaVersion < doc.KnownVersion:
			fmt.Fprintf(tw, "schema\tversion %d of %d: entretien db migrate (or any command) upgrades it\n", doc.SchemaVersion, doc.KnownVersion)
		case doc.SchemaVersion > doc.KnownVersion:
			fmt.Fprintf(tw, "schema\tversion %d, newer than this entretien's %d: upgrade entretien\n", doc.SchemaVersion, doc.KnownVersion)
		default:
			fmt.Fprintf(tw, "schema\tversion %d (up to date)\n", doc.SchemaVersion)
		}
		if s := doc.Server; s != nil {
			fmt.Fprintf(tw, "server\tPostgreSQL %s\n", s.Version)
			fmt.Fprintf(tw, "role\t%s\n", s.Role)
			if s.Role == "standby" {
				fmt.Fprintf(tw, "replay lag\t%s\n", lagWords(s.ReplayLagSeconds))
			}
			for _, r := range s.Replicas {
				fmt.Fprintf(tw, "replica\t%s: %s, %s, replay lag %s\n", r.Name, orUnknown(r.State), orUnknown(r.SyncState), lagWords(r.ReplayLagSeconds))
			}
			if s.Role == "primary" && len(s.Replicas) == 0 {
				fmt.Fprintf(tw, "replicas\tnone visible\n")
			}
		}
		for _, m := range doc.Members {
			fmt.Fprintf(tw, "member\t%s: %s\n", m.Name, memberLine(m))
		}
		return tw.Flush()
	}
	return c
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func lagWords(s *float64) string {
	if s == nil {
		return "unknown"
	}
	return (time.Duration(*s * float64(time.Second))).Round(time.Millisecond).String()
}

func (a *app) dbMigrateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "migrate",
		Short: "bring the database's schema up to date (every command does it too)",
		Args:  noArgs("db migrate"),
	}
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		before, err := inspectDB(ctx, a.db)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, a.db)
		if err != nil {
			return fmt.Errorf("database %s: %w", before.Location, err)
		}
		defer st.Close()
		after, err := inspectDB(ctx, a.db)
		if err != nil {
			return err
		}
		if before.Exists && before.SchemaVersion == after.SchemaVersion {
			fmt.Fprintf(a.stdout, "%s: schema version %d, already up to date\n", after.Location, after.SchemaVersion)
			return nil
		}
		fmt.Fprintf(a.stdout, "%s: schema version %d → %d\n", after.Location, before.SchemaVersion, after.SchemaVersion)
		return nil
	}
	return c
}

type dbCopyJSON struct {
	From   string            `json:"from"`
	To     string            `json:"to"`
	OK     bool              `json:"ok"`
	Tables []dbCopyTableJSON `json:"tables"`
}

type dbCopyTableJSON struct {
	Table          string `json:"table"`
	SourceRows     int64  `json:"source_rows"`
	TargetRows     int64  `json:"target_rows"`
	SourceChecksum string `json:"source_checksum"`
	TargetChecksum string `json:"target_checksum"`
	OK             bool   `json:"ok"`
}

func (a *app) dbCopyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "copy --to DSN [--json]",
		Short: "copy the whole SQLite database into an empty PostgreSQL one, then verify it table by table",
		Args:  noArgs("db copy"),
	}
	to := c.Flags().String("to", "", "the PostgreSQL database: postgres://… or \"host=… dbname=…\" (its password from ~/.pgpass)")
	c.MarkFlagRequired("to")
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		src, err := checkLocator(a.db)
		if err != nil {
			return err
		}
		if src.Backend != oncall.BackendSQLite {
			return usageError{msg: "db copy reads a SQLite database: --db / ENTRETIEN_DB is PostgreSQL (" + src.String() + ")"}
		}
		if _, err := os.Stat(src.Raw); err != nil {
			return usageError{msg: fmt.Sprintf("--db %s: %v", src.Raw, err)}
		}
		dst, err := checkLocator(*to)
		if err != nil {
			return usageError{msg: "--to: " + strings.TrimPrefix(err.Error(), "database: ")}
		}
		if dst.Backend != oncall.BackendPostgres {
			return usageError{msg: fmt.Sprintf("--to %s: want a PostgreSQL database (postgres://… or \"host=… dbname=…\")", dst.String())}
		}
		// Refuse before anything is written, even the schema.
		if err := checkTargetEmpty(ctx, dst); err != nil {
			return err
		}
		from, err := sqlite.Open(ctx, src.Raw)
		if err != nil {
			return fmt.Errorf("database %s: %w", src.Raw, err)
		}
		defer from.Close()
		into, err := postgres.Open(ctx, dst.Raw)
		if err != nil {
			return err
		}
		defer into.Close()
		sv, err := versionOf(ctx, from)
		if err != nil {
			return err
		}
		dv, err := versionOf(ctx, into)
		if err != nil {
			return err
		}
		rep, err := dbcopy.Copy(ctx, from.SQL(), into.SQL(), sv, dv)
		if errors.Is(err, dbcopy.ErrNotEmpty) {
			return usageError{msg: "--to " + dst.String() + ": " + err.Error() + ": nothing was copied"}
		}
		if err != nil {
			return fmt.Errorf("copy to %s: %s", dst.String(), oncall.RedactText(err.Error()))
		}
		doc := dbCopyJSON{From: sanitize.Line(src.String()), To: sanitize.Line(dst.String()), OK: rep.OK(), Tables: []dbCopyTableJSON{}}
		var rows int64
		var bad []string
		for _, t := range rep.Tables {
			doc.Tables = append(doc.Tables, dbCopyTableJSON{Table: t.Table, SourceRows: t.SourceRows, TargetRows: t.TargetRows,
				SourceChecksum: t.SourceChecksum, TargetChecksum: t.TargetChecksum, OK: t.OK()})
			rows += t.SourceRows
			if !t.OK() {
				bad = append(bad, t.Table)
			}
		}
		if *asJSON {
			if err := writeJSON(a.stdout, doc); err != nil {
				return err
			}
		} else {
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "TABLE\tSQLITE ROWS\tPOSTGRES ROWS\tSQLITE CHECKSUM\tPOSTGRES CHECKSUM\tMATCH")
			for _, t := range doc.Tables {
				mark := "ok"
				if !t.OK {
					mark = "DIFFERS"
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", t.Table, t.SourceRows, t.TargetRows, t.SourceChecksum, t.TargetChecksum, mark)
			}
			tw.Flush()
			if len(bad) == 0 {
				fmt.Fprintf(a.stdout, "copied %d rows in %d tables from %s to %s, verified\n", rows, len(doc.Tables), doc.From, doc.To)
			}
		}
		if len(bad) > 0 {
			return exitError{code: exitFail, msg: "the copy differs from its source in " + strings.Join(bad, ", ")}
		}
		return nil
	}
	return c
}

func versionOf(ctx context.Context, st *sqlstore.Store) (int, error) {
	return st.Dialect().SchemaVersion(ctx, st.SQL())
}

// checkTargetEmpty refuses (exit 2) a target holding rows, or tables that
// are not entretien's, before anything is written to it.
func checkTargetEmpty(ctx context.Context, dst oncall.Locator) error {
	tables, err := postgres.Tables(ctx, dst.Raw)
	if err != nil {
		return err
	}
	var full []string
	for _, t := range tables {
		if t.Rows > 0 {
			full = append(full, fmt.Sprintf("%s (%d rows)", t.Name, t.Rows))
		}
	}
	if len(full) > 0 {
		return usageError{msg: fmt.Sprintf("--to %s: %v: %s: nothing was copied", dst.String(), dbcopy.ErrNotEmpty, strings.Join(full, ", "))}
	}
	return nil
}
