package oncall

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os/user"
	"time"
)

// Member is a person of the collective. Identity is the OS user running
// entretien: OSUsers lists the accounts (on the bastion or elsewhere) that
// act as this member.
type Member struct {
	ID        int64
	Handle    string   // [a-z][a-z0-9_-]{0,31}
	Name      string   // display name, any printable unicode
	TZ        string   // IANA zone
	Contact   string   // optional
	OSUsers   []string // unique across members
	CreatedAt time.Time
}

const (
	maxNameRunes    = 100
	maxContactRunes = 200
	maxOSUserBytes  = 64
)

func (m *Member) validate() error {
	if !handleRE.MatchString(m.Handle) {
		return invalid("member.handle", m.Handle, "must match [a-z][a-z0-9_-]{0,31}")
	}
	if err := checkLine("member.name", m.Name, maxNameRunes); err != nil {
		return err
	}
	if _, err := loadZone("member.tz", m.TZ); err != nil {
		return err
	}
	if m.Contact != "" {
		if err := checkLine("member.contact", m.Contact, maxContactRunes); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	var users []string
	for _, u := range m.OSUsers {
		if err := checkToken("member.os_users", u, maxOSUserBytes); err != nil {
			return err
		}
		if !seen[u] {
			seen[u] = true
			users = append(users, u)
		}
	}
	m.OSUsers = users
	return nil
}

// AddMember validates m and stores it; ID and CreatedAt are assigned here.
// A taken handle or OS user is a *ValidationError and nothing is written.
func (s *SQLite) AddMember(ctx context.Context, m Member) (Member, error) {
	if err := m.validate(); err != nil {
		return Member{}, err
	}
	m.CreatedAt = s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM members WHERE handle = ?`, m.Handle).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return invalid("member.handle", m.Handle, "already taken")
		}
		for _, u := range m.OSUsers {
			var owner string
			err := tx.QueryRowContext(ctx, `SELECT m.handle FROM member_os_users o JOIN members m ON m.id = o.member_id WHERE o.os_user = ?`, u).Scan(&owner)
			if err == nil {
				return invalid("member.os_users", u, "already mapped to member "+owner)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO members(handle, name, tz, contact, created_at) VALUES (?, ?, ?, ?, ?)`,
			m.Handle, m.Name, m.TZ, m.Contact, encodeTime(m.CreatedAt))
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, u := range m.OSUsers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO member_os_users(os_user, member_id) VALUES (?, ?)`, u, m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Member{}, opError("add member "+m.Handle, err)
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

func scanMember(sc interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var created, users string
	if err := sc.Scan(&m.ID, &m.Handle, &m.Name, &m.TZ, &m.Contact, &created, &users); err != nil {
		return Member{}, err
	}
	var err error
	if m.CreatedAt, err = decodeTime(created); err != nil {
		return Member{}, err
	}
	if err := json.Unmarshal([]byte(users), &m.OSUsers); err != nil {
		return Member{}, fmt.Errorf("member %q os users: %w", m.Handle, err)
	}
	return m, nil
}

// Members lists every member, sorted by handle.
func (s *SQLite) Members(ctx context.Context) ([]Member, error) {
	rows, err := s.db.QueryContext(ctx, memberSelect+` ORDER BY m.handle`)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []Member
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
func (s *SQLite) Member(ctx context.Context, handle string) (Member, error) {
	m, err := scanMember(s.db.QueryRowContext(ctx, memberSelect+` WHERE m.handle = ?`, handle))
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("member %q: %w", handle, ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("member %q: %w", handle, err)
	}
	return m, nil
}

// MemberByOSUser finds the member an OS account belongs to.
func (s *SQLite) MemberByOSUser(ctx context.Context, osUser string) (Member, error) {
	m, err := scanMember(s.db.QueryRowContext(ctx,
		memberSelect+` WHERE m.id = (SELECT member_id FROM member_os_users WHERE os_user = ?)`, osUser))
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("member for OS user %q: %w", osUser, ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("member for OS user %q: %w", osUser, err)
	}
	return m, nil
}

// CurrentOSUser is the name of the account running this process.
func CurrentOSUser() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", fmt.Errorf("current OS user: %w", err)
	}
	return u.Username, nil
}

// Me is the member the current OS user maps to.
func (s *SQLite) Me(ctx context.Context) (Member, error) {
	u, err := CurrentOSUser()
	if err != nil {
		return Member{}, err
	}
	m, err := s.MemberByOSUser(ctx, u)
	if errors.Is(err, ErrNotFound) {
		return Member{}, fmt.Errorf("OS user %q is no member's account (a member can add it to their OS users): %w", u, ErrNotFound)
	}
	return m, err
}
