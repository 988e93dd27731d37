package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// AddContact appends a contact method to member handle's list.
func (s *Store) AddContact(ctx context.Context, handle string, c oncall.Contact) (oncall.Contact, error) {
	if err := c.Validate(); err != nil {
		return oncall.Contact{}, err
	}
	c.Member, c.CreatedAt = handle, s.now()
	err := s.write(ctx, func(tx *Tx) error {
		mid, err := memberID(ctx, tx, handle)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 1 FROM contacts WHERE member_id = ?`, mid).Scan(&c.Position); err != nil {
			return err
		}
		id, err := insertID(ctx, tx, `INSERT INTO contacts(member_id, position, method, target, preset, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			mid, c.Position, c.Method, c.Target, c.Preset, encodeTime(c.CreatedAt))
		if err != nil {
			return err
		}
		c.ID = id
		return err
	})
	if err != nil {
		return oncall.Contact{}, opError("add contact for "+handle, err)
	}
	return c, nil
}

// Contacts lists every member's contacts by handle, each in order.
func (s *Store) Contacts(ctx context.Context) (map[string][]oncall.Contact, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, m.handle, c.position, c.method, c.target, c.preset, c.created_at
		FROM contacts c JOIN members m ON m.id = c.member_id ORDER BY m.handle, c.position`)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	out := map[string][]oncall.Contact{}
	for rows.Next() {
		var c oncall.Contact
		var at string
		if err := rows.Scan(&c.ID, &c.Member, &c.Position, &c.Method, &c.Target, &c.Preset, &at); err != nil {
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		if c.CreatedAt, err = decodeTime(at); err != nil {
			return nil, err
		}
		out[c.Member] = append(out[c.Member], c)
	}
	return out, rows.Err()
}

// RemoveContact removes contact id of member handle.
func (s *Store) RemoveContact(ctx context.Context, handle string, id int64) error {
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = ? AND member_id = (SELECT id FROM members WHERE handle = ?)`, id, handle)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("contact #%d of %q: %w", id, handle, oncall.ErrNotFound)
		}
		return nil
	})
	return maybeOpError(fmt.Sprintf("remove contact #%d", id), err)
}

// ApplyPagingPolicy stores p, replacing the previous policy; it reports
// "created", "updated" or "unchanged". A route to an unknown rotation is a
// *ValidationError and nothing is written.
func (s *Store) ApplyPagingPolicy(ctx context.Context, p oncall.PagingPolicy) (string, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	result := ""
	err = s.write(ctx, func(tx *Tx) error {
		check := func(field, name string) error {
			if name == "" {
				return nil
			}
			if _, err := rotationByName(ctx, tx, name); errors.Is(err, oncall.ErrNotFound) {
				return oncall.Invalid(field, name, "no such rotation")
			} else if err != nil {
				return err
			}
			return nil
		}
		if err := check("paging.default", p.Default); err != nil {
			return err
		}
		for _, r := range p.Routes {
			if err := check(fmt.Sprintf("paging.route %q.rotation", r.Match), r.Rotation); err != nil {
				return err
			}
		}
		var old string
		switch err := tx.QueryRowContext(ctx, `SELECT body FROM paging_policy WHERE id = 1`).Scan(&old); {
		case errors.Is(err, sql.ErrNoRows):
			result = "created"
		case err != nil:
			return err
		case old == string(body):
			result = "unchanged"
			return nil
		default:
			result = "updated"
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO paging_policy(id, body, applied_at) VALUES (1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET body = excluded.body, applied_at = excluded.applied_at`, string(body), encodeTime(s.now()))
		return err
	})
	if err != nil {
		return "", opError("apply paging policy", err)
	}
	return result, nil
}

// PagingPolicy is the applied policy; ok false (and the default) before any.
func (s *Store) PagingPolicy(ctx context.Context) (oncall.PagingPolicy, bool, error) {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM paging_policy WHERE id = 1`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return oncall.DefaultPagingPolicy(), false, nil
	}
	if err != nil {
		return oncall.PagingPolicy{}, false, fmt.Errorf("paging policy: %w", err)
	}
	var p oncall.PagingPolicy
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return oncall.PagingPolicy{}, false, fmt.Errorf("paging policy: %w", err)
	}
	return p, true, nil
}

// Reachable says which members can be reached at t: inside one of their
// availability windows (none: always) and not on leave.
func (s *Store) Reachable(ctx context.Context, t time.Time) (map[string]bool, error) {
	ms, err := s.Members(ctx)
	if err != nil {
		return nil, err
	}
	avail, err := s.Availability(ctx)
	if err != nil {
		return nil, err
	}
	ls, err := s.Leaves(ctx, t, t.Add(time.Nanosecond))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, m := range ms {
		loc, err := time.LoadLocation(m.TZ)
		if err != nil {
			loc = time.UTC
		}
		out[m.Handle] = len(oncall.Unavailable(avail[m.Handle], loc, t, t.Add(time.Minute))) == 0
	}
	for _, l := range ls {
		out[l.Member] = false
	}
	return out, nil
}
