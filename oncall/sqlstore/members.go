package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"codeberg.org/entretien/entretien/oncall"
)

// AddMember validates m and stores it; ID and CreatedAt are assigned here.
// A taken handle or OS user is a *ValidationError and nothing is written.
func (s *Store) AddMember(ctx context.Context, m oncall.Member) (oncall.Member, error) {
	if err := m.Validate(); err != nil {
		return oncall.Member{}, err
	}
	m.CreatedAt = s.now()
	err := s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM members WHERE handle = ?`, m.Handle).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return oncall.Invalid("member.handle", m.Handle, "already taken")
		}
		for _, u := range m.OSUsers {
			var owner string
			err := tx.QueryRowContext(ctx, `SELECT m.handle FROM member_os_users o JOIN members m ON m.id = o.member_id WHERE o.os_user = ?`, u).Scan(&owner)
			if err == nil {
				return oncall.Invalid("member.os_users", u, "already mapped to member "+owner)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		id, err := insertID(ctx, tx, `INSERT INTO members(handle, name, tz, contact, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			m.Handle, m.Name, m.TZ, m.Contact, encodeTime(m.CreatedAt))
		if err != nil {
			return err
		}
		m.ID = id
		for _, u := range m.OSUsers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO member_os_users(os_user, member_id) VALUES (?, ?)`, u, m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return oncall.Member{}, opError("add member "+m.Handle, err)
	}
	if m.OSUsers == nil {
		m.OSUsers = []string{}
	}
	return m, nil
}

// One statement per read: the OS users come along as a JSON array, so the
// result is a consistent snapshot without a read transaction (mattn's
// transactions are all IMMEDIATE here, which would block writers).
const memberSelect = `SELECT m.id, m.handle, m.name, m.tz, m.contact, m.created_at,
	(SELECT json_group_array(o.os_user ORDER BY o.rowid) FROM member_os_users o WHERE o.member_id = m.id)
	FROM members m`

func scanMember(sc interface{ Scan(...any) error }) (oncall.Member, error) {
	var m oncall.Member
	var created, users string
	if err := sc.Scan(&m.ID, &m.Handle, &m.Name, &m.TZ, &m.Contact, &created, &users); err != nil {
		return oncall.Member{}, err
	}
	var err error
	if m.CreatedAt, err = decodeTime(created); err != nil {
		return oncall.Member{}, err
	}
	if err := json.Unmarshal([]byte(users), &m.OSUsers); err != nil {
		return oncall.Member{}, fmt.Errorf("member %q os users: %w", m.Handle, err)
	}
	return m, nil
}

// Members lists every member, sorted by handle.
func (s *Store) Members(ctx context.Context) ([]oncall.Member, error) {
	rows, err := s.db.QueryContext(ctx, memberSelect+` ORDER BY m.handle`)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []oncall.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

// Member finds a member by handle.
func (s *Store) Member(ctx context.Context, handle string) (oncall.Member, error) {
	m, err := scanMember(s.db.QueryRowContext(ctx, memberSelect+` WHERE m.handle = ?`, handle))
	if errors.Is(err, sql.ErrNoRows) {
		return oncall.Member{}, fmt.Errorf("member %q: %w", handle, oncall.ErrNotFound)
	}
	if err != nil {
		return oncall.Member{}, fmt.Errorf("member %q: %w", handle, err)
	}
	return m, nil
}

// MemberByOSUser finds the member an OS account belongs to.
func (s *Store) MemberByOSUser(ctx context.Context, osUser string) (oncall.Member, error) {
	m, err := scanMember(s.db.QueryRowContext(ctx,
		memberSelect+` WHERE m.id = (SELECT member_id FROM member_os_users WHERE os_user = ?)`, osUser))
	if errors.Is(err, sql.ErrNoRows) {
		return oncall.Member{}, fmt.Errorf("member for OS user %q: %w", osUser, oncall.ErrNotFound)
	}
	if err != nil {
		return oncall.Member{}, fmt.Errorf("member for OS user %q: %w", osUser, err)
	}
	return m, nil
}

// Me is the member the current OS user maps to.
func (s *Store) Me(ctx context.Context) (oncall.Member, error) {
	u, err := oncall.CurrentOSUser()
	if err != nil {
		return oncall.Member{}, err
	}
	m, err := s.MemberByOSUser(ctx, u)
	if errors.Is(err, oncall.ErrNotFound) {
		return oncall.Member{}, fmt.Errorf("OS user %q is no member's account (a member can add it to their OS users): %w", u, oncall.ErrNotFound)
	}
	return m, err
}
