package sqlstore

import (
	"context"
	"database/sql"
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
		for i, u := range m.OSUsers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO member_os_users(os_user, member_id, position) VALUES (?, ?, ?)`, u, m.ID, i); err != nil {
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

// The OS users come with a second query (fillOSUsers), without a read
// transaction (SQLite's are all IMMEDIATE here, which would block writers):
// a member and its OS users are written together and never removed, so the
// two reads agree.
const memberSelect = `SELECT m.id, m.handle, m.name, m.tz, m.contact, m.created_at
	FROM members m`

// fillOSUsers reads the OS users of ms, in the order they were given.
func fillOSUsers(ctx context.Context, q Querier, ms []oncall.Member) error {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	us, err := children(ctx, q, `SELECT member_id, os_user FROM member_os_users WHERE member_id IN (%s) ORDER BY member_id, position`, ids, scanChildString)
	if err != nil {
		return fmt.Errorf("member os users: %w", err)
	}
	for i := range ms {
		ms[i].OSUsers = append([]string{}, us[ms[i].ID]...)
	}
	return nil
}

// oneMember completes a member read alone.
func oneMember(ctx context.Context, q Querier, m oncall.Member, err error) (oncall.Member, error) {
	if err != nil {
		return m, err
	}
	one := []oncall.Member{m}
	if err := fillOSUsers(ctx, q, one); err != nil {
		return oncall.Member{}, err
	}
	return one[0], nil
}

func scanMember(sc interface{ Scan(...any) error }) (oncall.Member, error) {
	var m oncall.Member
	var created string
	if err := sc.Scan(&m.ID, &m.Handle, &m.Name, &m.TZ, &m.Contact, &created); err != nil {
		return oncall.Member{}, err
	}
	var err error
	if m.CreatedAt, err = decodeTime(created); err != nil {
		return oncall.Member{}, err
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
	rows.Close()
	if err := fillOSUsers(ctx, s.db, out); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

// Member finds a member by handle.
func (s *Store) Member(ctx context.Context, handle string) (oncall.Member, error) {
	m, err := scanMember(s.db.QueryRowContext(ctx, memberSelect+` WHERE m.handle = ?`, handle))
	m, err = oneMember(ctx, s.db, m, err)
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
	m, err = oneMember(ctx, s.db, m, err)
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
