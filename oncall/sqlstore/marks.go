package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const markSeeded = "seeded"

// MarkSeeded records that the history in this store is made up (the demo
// seed): the care screen says so. by says what seeded it. Marking again
// keeps the first mark.
func (s *Store) MarkSeeded(ctx context.Context, by string) error {
	err := s.write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO store_marks(key, value, set_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING`,
			markSeeded, by, encodeTime(s.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark store seeded: %w", err)
	}
	return nil
}

// Seeded says whether the store's history was made up by a seed, and when
// that was recorded (zero when not seeded).
func (s *Store) Seeded(ctx context.Context) (bool, time.Time, error) {
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT set_at FROM store_marks WHERE key = ?`, markSeeded).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, fmt.Errorf("read store marks: %w", err)
	}
	t, err := decodeTime(at)
	return err == nil, t, err
}
