package sqlstore

import (
	"context"
	"database/sql"
	"strings"
)

// childChunk bounds the ids of one IN (…) list: SQLite's default cap on
// bound parameters is far above it, and PostgreSQL's too.
const childChunk = 500

// children reads the child rows of the parents ids with query, which has
// one IN (%s) filled with the ids' placeholders and selects the parent's id
// first; scan reads one row. The lists come back in the query's order, per
// parent: what a json_group_array subquery would give, portably.
func children[T any](ctx context.Context, q Querier, query string, ids []int64, scan func(*sql.Rows) (int64, T, error)) (map[int64][]T, error) {
	out := map[int64][]T{}
	for len(ids) > 0 {
		n := min(len(ids), childChunk)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")
		rows, err := q.QueryContext(ctx, strings.Replace(query, "%s", marks, 1), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			id, v, err := scan(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = append(out[id], v)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanChildString(rows *sql.Rows) (int64, string, error) {
	var id int64
	var s string
	err := rows.Scan(&id, &s)
	return id, s, err
}
