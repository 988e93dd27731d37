package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"codeberg.org/entretien/entretien/oncall"
)

// entryCols is what entryScanner reads of an entry. The author is its
// member ID, named after the rows are read (handles), not joined per row:
// a 100k-entry journal is read in one go for the retro.
const entryCols = `e.id, e.at, e.author_id, e.kind, e.text, e.amends, e.status_from, e.status_to`

// clientCol follows entryCols when the client IDs are read (not by the
// retro, which shows none: one column less of 100k rows).
const clientCol = `, e.client_id`

// entryScanner reads entries row by row into reused destinations. The
// integers and nullable columns go into any: database/sql hands over the
// driver's value as is there, where an *int64 costs a reflect conversion
// per value.
type entryScanner struct {
	incidentID, id, author, amends, client any
	at, kind, from, to                     string
	text                                   string
	dest                                   []any
	authors                                []int64 // per entry read, 0 for none
}

// newEntryScanner reads entryCols, after e.incident_id when withIncident,
// then clientCol when withClient.
func newEntryScanner(withIncident, withClient bool) *entryScanner {
	sc := &entryScanner{}
	if withIncident {
		sc.dest = append(sc.dest, &sc.incidentID)
	}
	sc.dest = append(sc.dest, &sc.id, &sc.at, &sc.author, &sc.kind, &sc.text, &sc.amends, &sc.from, &sc.to)
	if withClient {
		sc.dest = append(sc.dest, &sc.client)
	}
	return sc
}

// scan reads the current row, of incident incidentID unless the row says.
func (sc *entryScanner) scan(rows *sql.Rows, incidentID int64) (oncall.Entry, error) {
	if err := rows.Scan(sc.dest...); err != nil {
		return oncall.Entry{}, err
	}
	e := oncall.Entry{IncidentID: incidentID, Text: sc.text, Kind: oncall.EntryKind(sc.kind), From: oncall.Status(sc.from), To: oncall.Status(sc.to)}
	var err error
	if sc.incidentID != nil {
		if e.IncidentID, err = asInt64(sc.incidentID); err != nil {
			return oncall.Entry{}, err
		}
	}
	if e.ID, err = asInt64(sc.id); err != nil {
		return oncall.Entry{}, err
	}
	if e.Amends, err = asInt64(sc.amends); err != nil {
		return oncall.Entry{}, err
	}
	author, err := asInt64(sc.author)
	if err != nil {
		return oncall.Entry{}, err
	}
	sc.authors = append(sc.authors, author)
	switch c := sc.client.(type) {
	case nil:
	case string:
		e.ClientID = c
	case []byte:
		e.ClientID = string(c)
	default:
		return oncall.Entry{}, fmt.Errorf("client_id holds %T", sc.client)
	}
	if e.At, err = decodeTime(sc.at); err != nil {
		return oncall.Entry{}, err
	}
	return e, nil
}

// name sets the authors of es, the entries scanned, in order.
func (sc *entryScanner) name(ctx context.Context, q Querier, es []oncall.Entry) error {
	if len(es) == 0 {
		return nil
	}
	handles, err := memberHandles(ctx, q)
	if err != nil {
		return err
	}
	for i, id := range sc.authors {
		if id == 0 {
			continue
		}
		h, ok := handles[id]
		if !ok { // members are never deleted, and were read after
			return fmt.Errorf("entry %d: author %d: %w", es[i].ID, id, oncall.ErrNotFound)
		}
		es[i].Author = h
	}
	return nil
}

// memberHandles is every member's handle by ID.
func memberHandles(ctx context.Context, q Querier) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, handle FROM members`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

// asInt64 is an integer column scanned into an any (both drivers give an
// int64; NULL is 0).
func asInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int64:
		return n, nil
	case nil:
		return 0, nil
	case int32:
		return int64(n), nil
	case []byte:
		return strconv.ParseInt(string(n), 10, 64)
	case string:
		return strconv.ParseInt(n, 10, 64)
	}
	return 0, fmt.Errorf("an integer column holds %T", v)
}

// EntriesSince is the part of an incident's journal written after entry
// afterID (IDs only grow), by time then ID: a screen that already shows the
// journal reloads only what is new when another member writes.
func (s *Store) EntriesSince(ctx context.Context, incidentID, afterID int64) ([]oncall.Entry, error) {
	out, err := s.entriesSince(ctx, incidentID, afterID, true)
	if err != nil {
		return nil, fmt.Errorf("entries of incident %d: %w", incidentID, err)
	}
	return out, nil
}

// entriesSince is EntriesSince, without the client IDs unless withClient.
func (s *Store) entriesSince(ctx context.Context, incidentID, afterID int64, withClient bool) ([]oncall.Entry, error) {
	cols := entryCols
	if withClient {
		cols += clientCol
	}
	// How many, counted on another connection while the rows are read (the
	// index alone answers): a journal of 100k entries grown by appending is
	// copied over and over. Only a size: a failed count sizes nothing.
	counted := make(chan int, 1)
	go func() {
		var n int
		_ = s.db.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE incident_id = ? AND id > ?`, incidentID, afterID).Scan(&n)
		counted <- n
	}()
	rows, err := s.db.QueryContext(ctx, `SELECT `+cols+` FROM entries e WHERE e.incident_id = ? AND e.id > ? ORDER BY e.at, e.id`, incidentID, afterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := <-counted
	sc := newEntryScanner(false, withClient)
	sc.authors = make([]int64, 0, n)
	out := make([]oncall.Entry, 0, n)
	for rows.Next() {
		e, err := sc.scan(rows, incidentID)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil // as before the count: none is nil
	}
	if err := sc.name(ctx, s.db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// EntriesOf is the journals of many incidents, each by time then ID (as
// Entries), in one query per childChunk incidents.
func (s *Store) EntriesOf(ctx context.Context, incidentIDs []int64) (map[int64][]oncall.Entry, error) {
	sc := newEntryScanner(true, true)
	// Counted on another connection meanwhile, as in entriesSince.
	counted := make(chan int, 1)
	go func() {
		n := 0
		counts, _ := children(ctx, s.db, `SELECT incident_id, count(*) FROM entries WHERE incident_id IN (%s) GROUP BY incident_id`, incidentIDs,
			func(rows *sql.Rows) (int64, int, error) {
				var id int64
				var k int
				err := rows.Scan(&id, &k)
				return id, k, err
			})
		for _, k := range counts {
			n += k[0]
		}
		counted <- n
	}()
	var all []oncall.Entry
	_, err := children(ctx, s.db, `SELECT e.incident_id, `+entryCols+clientCol+` FROM entries e WHERE e.incident_id IN (%s) ORDER BY e.incident_id, e.at, e.id`, incidentIDs,
		func(rows *sql.Rows) (int64, struct{}, error) {
			if all == nil {
				n := <-counted
				all = make([]oncall.Entry, 0, n)
				sc.authors = make([]int64, 0, n)
			}
			e, err := sc.scan(rows, 0)
			all = append(all, e)
			return e.IncidentID, struct{}{}, err
		})
	if err == nil {
		err = sc.name(ctx, s.db, all)
	}
	if err != nil {
		return nil, fmt.Errorf("entries of %d incidents: %w", len(incidentIDs), err)
	}
	out := map[int64][]oncall.Entry{}
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].IncidentID == all[i].IncidentID {
			j++
		}
		out[all[i].IncidentID] = all[i:j:j]
		i = j
	}
	return out, nil
}
