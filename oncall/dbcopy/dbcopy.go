// Package dbcopy moves a collective's whole SQLite database into an empty
// PostgreSQL one at the same schema version: every table in dependency
// order, ids preserved, identity sequences set past them, in one
// transaction; then both sides are read back and compared table by table
// (row count and a checksum computed the same way on both). The target is
// left vacuumed and analyzed.
package dbcopy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// schemaTable is PostgreSQL's schema version row, not part of the copy (the
// target's migrations wrote it).
const schemaTable = "entretien_schema"

// ErrNotEmpty: the target already holds rows. Nothing was written.
var ErrNotEmpty = errors.New("target database is not empty")

// TableCheck is one table's verification.
type TableCheck struct {
	Table          string
	SourceRows     int64
	TargetRows     int64
	SourceChecksum string // hex, first 16 characters
	TargetChecksum string
}

// OK says both sides hold the same rows.
func (c TableCheck) OK() bool {
	return c.SourceRows == c.TargetRows && c.SourceChecksum == c.TargetChecksum
}

// Report is what a copy did and found.
type Report struct {
	Tables []TableCheck // in copy order
}

// OK says every table matched.
func (r Report) OK() bool {
	for _, t := range r.Tables {
		if !t.OK() {
			return false
		}
	}
	return true
}

type column struct {
	name   string
	isBool bool // PostgreSQL BOOLEAN, SQLite 0/1
}

type table struct {
	name     string
	cols     []column
	identity bool // an id column PostgreSQL generates
}

// Copy copies src (SQLite) into dst (PostgreSQL). Both must be migrated to
// the same version (srcVersion, dstVersion); dst must be empty.
func Copy(ctx context.Context, src, dst *sql.DB, srcVersion, dstVersion int) (Report, error) {
	if srcVersion != dstVersion {
		return Report{}, fmt.Errorf("schema versions differ: source %d, target %d (run the same entretien on both)", srcVersion, dstVersion)
	}
	tables, err := plan(ctx, src, dst)
	if err != nil {
		return Report{}, err
	}
	if err := checkEmpty(ctx, dst, tables); err != nil {
		return Report{}, err
	}
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return Report{}, err
	}
	defer tx.Rollback()
	// A second copy started at the same moment waits here, then finds rows.
	if _, err := tx.ExecContext(ctx, `LOCK TABLE `+quoteList(tables)+` IN EXCLUSIVE MODE`); err != nil {
		return Report{}, err
	}
	if err := checkEmpty(ctx, tx, tables); err != nil {
		return Report{}, err
	}
	for _, t := range tables {
		if err := copyTable(ctx, src, tx, t); err != nil {
			return Report{}, fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("commit the copy: %w", err)
	}
	// What PostgreSQL advises after a bulk load: planner statistics (with
	// none, a 100k-entry journal was sorted on disk instead of read in its
	// index's order) and the visibility map (index-only counts). Autovacuum
	// would get there, a minute or more later.
	if _, err := dst.ExecContext(ctx, `VACUUM (ANALYZE) `+quoteList(tables)); err != nil {
		return Report{}, fmt.Errorf("analyze the copy: %w", err)
	}
	return verify(ctx, src, dst, tables)
}

// verify reads both sides back and compares every table.
func verify(ctx context.Context, src, dst *sql.DB, tables []table) (Report, error) {
	var r Report
	for _, t := range tables {
		sn, ss, err := digest(ctx, src, t)
		if err != nil {
			return r, fmt.Errorf("verify %s (source): %w", t.name, err)
		}
		dn, ds, err := digest(ctx, dst, t)
		if err != nil {
			return r, fmt.Errorf("verify %s (target): %w", t.name, err)
		}
		r.Tables = append(r.Tables, TableCheck{Table: t.name, SourceRows: sn, TargetRows: dn, SourceChecksum: ss, TargetChecksum: ds})
	}
	return r, nil
}

// plan lists SQLite's tables with their columns, checks PostgreSQL has the
// same, and orders them parents first (PostgreSQL's foreign keys).
func plan(ctx context.Context, src, dst *sql.DB) ([]table, error) {
	names, err := strings1(ctx, src, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("source tables: %w", err)
	}
	pgNames, err := strings1(ctx, dst, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '`+schemaTable+`' ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("target tables: %w", err)
	}
	if strings.Join(names, ",") != strings.Join(pgNames, ",") {
		return nil, fmt.Errorf("the databases' tables differ: source %v, target %v", names, pgNames)
	}
	byName := map[string]*table{}
	for _, n := range names {
		t := &table{name: n}
		srcCols, err := strings1(ctx, src, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		rows, err := dst.QueryContext(ctx, `SELECT column_name, data_type, is_identity FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1`, n)
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		types := map[string]string{}
		for rows.Next() {
			var c, typ, ident string
			if err := rows.Scan(&c, &typ, &ident); err != nil {
				rows.Close()
				return nil, err
			}
			types[c] = typ
			if ident == "YES" && c == "id" {
				t.identity = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(types) != len(srcCols) {
			return nil, fmt.Errorf("table %s: source has %d columns, target %d", n, len(srcCols), len(types))
		}
		for _, c := range srcCols {
			typ, ok := types[c]
			if !ok {
				return nil, fmt.Errorf("table %s: column %s is missing from the target", n, c)
			}
			t.cols = append(t.cols, column{name: c, isBool: typ == "boolean"})
		}
		byName[n] = t
	}
	// Parents first: edges from PostgreSQL's foreign keys (a table pointing
	// at itself, entries.amends, is ordered by id within the table).
	rows, err := dst.QueryContext(ctx, `SELECT c.conrelid::regclass::text, c.confrelid::regclass::text
		FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	parents := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		if child != parent {
			parents[child] = append(parents[child], parent)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var order []table
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		ps := parents[n]
		sort.Strings(ps)
		for _, p := range ps {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[n] = 2
		if t, ok := byName[n]; ok {
			order = append(order, *t)
		}
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkEmpty names the tables holding rows.
func checkEmpty(ctx context.Context, q querier, tables []table) error {
	var full []string
	for _, t := range tables {
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t.name)).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t.name, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s (%d rows)", t.name, n))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w: %s", ErrNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

// batchRows keeps one INSERT well under PostgreSQL's 65535 parameters.
const batchRows = 500

func copyTable(ctx context.Context, src *sql.DB, tx *sql.Tx, t table) error {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = quoteIdent(c.name)
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quoteIdent(t.name)+` ORDER BY rowid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	head := `INSERT INTO ` + quoteIdent(t.name) + ` (` + strings.Join(names, ", ") + `)`
	if t.identity {
		head += ` OVERRIDING SYSTEM VALUE`
	}
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		for r := range n {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range t.cols {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(r*len(t.cols) + c + 1))
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		args, n = args[:0], 0
		return nil
	}
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			args = append(args, toPostgres(v, t.cols[i]))
		}
		n++
		if n == batchRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if t.identity {
		// The next id generated comes after the copied ones.
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), m, true)
			FROM (SELECT max(id) AS m FROM `+quoteIdent(t.name)+`) x WHERE m IS NOT NULL`, t.name); err != nil {
			return fmt.Errorf("sequence: %w", err)
		}
	}
	return nil
}

func toPostgres(v any, c column) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int64:
		if c.isBool {
			return x != 0
		}
	}
	return v
}

// digest is a table's row count and checksum: each row encoded the same way
// on both sides (NULL, integers and booleans as numbers, text as is), the
// rows' hashes sorted, so no side's row order matters.
func digest(ctx context.Context, db *sql.DB, t table) (int64, string, error) {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = quoteIdent(c.name)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quoteIdent(t.name))
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var hashes [][sha256.Size]byte
	var buf []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", err
		}
		buf = buf[:0]
		for _, v := range vals {
			buf = appendValue(buf, v)
		}
		hashes = append(hashes, sha256.Sum256(buf))
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	sort.Slice(hashes, func(i, j int) bool { return string(hashes[i][:]) < string(hashes[j][:]) })
	h := sha256.New()
	for _, x := range hashes {
		h.Write(x[:])
	}
	return int64(len(hashes)), hex.EncodeToString(h.Sum(nil))[:16], nil
}

// appendValue encodes one value, typed and length-prefixed so that no two
// rows encode alike.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'N', 0)
	case bool:
		if x {
			return append(b, 'I', '1', 0)
		}
		return append(b, 'I', '0', 0)
	case int64:
		return append(strconv.AppendInt(append(b, 'I'), x, 10), 0)
	case float64:
		return append(strconv.AppendFloat(append(b, 'F'), x, 'g', -1, 64), 0)
	case []byte:
		return append(append(strconv.AppendInt(append(b, 'T'), int64(len(x)), 10), ':'), x...)
	case string:
		return append(append(strconv.AppendInt(append(b, 'T'), int64(len(x)), 10), ':'), x...)
	default:
		s := fmt.Sprint(x)
		return append(append(strconv.AppendInt(append(b, '?'), int64(len(s)), 10), ':'), s...)
	}
}

func strings1(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteList(ts []table) string {
	qs := make([]string, len(ts))
	for i, t := range ts {
		qs[i] = quoteIdent(t.name)
	}
	return strings.Join(qs, ", ")
}
