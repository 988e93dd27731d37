package sqlstore

import (
	"context"
	"fmt"

	"codeberg.org/entretien/entretien/oncall"
)

// SetAvailability replaces handle's windows (none: always available).
func (s *Store) SetAvailability(ctx context.Context, handle string, ws []oncall.Window) error {
	for _, w := range ws {
		if err := w.Validate(); err != nil {
			return err
		}
	}
	err := s.write(ctx, func(tx *Tx) error {
		id, err := memberID(ctx, tx, handle)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM availability WHERE member_id = ?`, id); err != nil {
			return err
		}
		for i, w := range ws {
			if _, err := tx.ExecContext(ctx, `INSERT INTO availability(member_id, position, days, start_hm, end_hm) VALUES (?, ?, ?, ?, ?)`,
				id, i, int(w.Days), w.Start, w.End); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return opError("set availability of "+handle, err)
	}
	return nil
}

// Availability maps each member handle with windows to them.
func (s *Store) Availability(ctx context.Context) (map[string][]oncall.Window, error) {
	return availabilityAll(ctx, s.db)
}

func availabilityAll(ctx context.Context, q queryer) (map[string][]oncall.Window, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.handle, a.days, a.start_hm, a.end_hm FROM availability a
		JOIN members m ON m.id = a.member_id ORDER BY m.handle, a.position`)
	if err != nil {
		return nil, fmt.Errorf("availability: %w", err)
	}
	defer rows.Close()
	out := map[string][]oncall.Window{}
	for rows.Next() {
		var h string
		var days int
		var w oncall.Window
		if err := rows.Scan(&h, &days, &w.Start, &w.End); err != nil {
			return nil, fmt.Errorf("availability: %w", err)
		}
		w.Days = uint8(days)
		out[h] = append(out[h], w)
	}
	return out, rows.Err()
}
