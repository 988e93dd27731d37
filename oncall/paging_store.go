package oncall

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Contact is one way to reach a member, tried in Position order.
type Contact struct {
	ID        int64
	Member    string // handle
	Position  int
	Method    string // email, webhook, command
	Target    string // address, URL, program
	Preset    string // webhooks: ntfy or json
	CreatedAt time.Time
}

// Contact methods.
const (
	MethodEmail   = "email"
	MethodWebhook = "webhook"
	MethodCommand = "command"
)

const maxContactTargetRunes = 500

func (c *Contact) validate() error {
	if err := checkLine("contact.target", c.Target, maxContactTargetRunes); err != nil {
		return err
	}
	switch c.Method {
	case MethodEmail:
		a, err := mail.ParseAddress(c.Target)
		if err != nil || a.Address != c.Target {
			return invalid("contact.target", c.Target, "not an email address (want name@example.org)")
		}
		if c.Preset != "" {
			return invalid("contact.preset", c.Preset, "only webhooks have a preset")
		}
	case MethodWebhook:
		u, err := url.Parse(c.Target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("contact.target", c.Target, "want an http:// or https:// URL")
		}
		if c.Preset == "" {
			c.Preset = "json"
		}
		if c.Preset != "ntfy" && c.Preset != "json" {
			return invalid("contact.preset", c.Preset, "want ntfy or json")
		}
	case MethodCommand:
		if !strings.HasPrefix(c.Target, "/") {
			return invalid("contact.target", c.Target, "want the program's absolute path")
		}
		if c.Preset != "" {
			return invalid("contact.preset", c.Preset, "only webhooks have a preset")
		}
	default:
		return invalid("contact.method", c.Method, "want email, webhook or command")
	}
	return nil
}

// AddContact appends a contact method to member handle's list.
func (s *SQLite) AddContact(ctx context.Context, handle string, c Contact) (Contact, error) {
	if err := c.validate(); err != nil {
		return Contact{}, err
	}
	c.Member, c.CreatedAt = handle, s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		mid, err := memberID(ctx, tx, handle)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 1 FROM contacts WHERE member_id = ?`, mid).Scan(&c.Position); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO contacts(member_id, position, method, target, preset, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			mid, c.Position, c.Method, c.Target, c.Preset, encodeTime(c.CreatedAt))
		if err != nil {
			return err
		}
		c.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Contact{}, opError("add contact for "+handle, err)
	}
	return c, nil
}

// Contacts lists every member's contacts by handle, each in order.
func (s *SQLite) Contacts(ctx context.Context) (map[string][]Contact, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, m.handle, c.position, c.method, c.target, c.preset, c.created_at
		FROM contacts c JOIN members m ON m.id = c.member_id ORDER BY m.handle, c.position`)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	out := map[string][]Contact{}
	for rows.Next() {
		var c Contact
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
func (s *SQLite) RemoveContact(ctx context.Context, handle string, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = ? AND member_id = (SELECT id FROM members WHERE handle = ?)`, id, handle)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("contact #%d of %q: %w", id, handle, ErrNotFound)
		}
		return nil
	})
	return maybeOpError(fmt.Sprintf("remove contact #%d", id), err)
}

// PagingPolicy routes outages to rotations and escalates through Steps.
type PagingPolicy struct {
	After      time.Duration `json:"after"`       // an outage pages once it lasted this
	ClearAfter time.Duration `json:"clear_after"` // and is resolved once clear this long
	Default    string        `json:"default"`     // rotation when no route matches ("": the first)
	Routes     []PagingRoute `json:"routes"`
	Steps      []PagingStep  `json:"steps"`
}

// PagingRoute sends outages matching Match (service/garage, job/x, node/n,
// site/lyon) to Rotation.
type PagingRoute struct {
	Match    string `json:"match"`
	Rotation string `json:"rotation"`
}

// PagingStep pages Notify once the outage stayed unacknowledged Delay
// beyond After.
type PagingStep struct {
	Delay  time.Duration `json:"delay"`
	Notify string        `json:"notify"` // on_call, next, everyone
}

// Step targets.
const (
	NotifyOnCall   = "on_call"
	NotifyNext     = "next"
	NotifyEveryone = "everyone"
)

// DefaultPagingPolicy is used until a policy is applied: the member on
// call of the first rotation, after 2m; resolved after 1m clear.
func DefaultPagingPolicy() PagingPolicy {
	return PagingPolicy{After: 2 * time.Minute, ClearAfter: time.Minute, Steps: []PagingStep{{Notify: NotifyOnCall}}}
}

// ApplyPagingPolicy stores p, replacing the previous policy; it reports
// "created", "updated" or "unchanged". A route to an unknown rotation is a
// *ValidationError and nothing is written.
func (s *SQLite) ApplyPagingPolicy(ctx context.Context, p PagingPolicy) (string, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	result := ""
	err = s.write(ctx, func(tx *sql.Tx) error {
		check := func(field, name string) error {
			if name == "" {
				return nil
			}
			if _, err := rotationByName(ctx, tx, name); errors.Is(err, ErrNotFound) {
				return invalid(field, name, "no such rotation")
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
func (s *SQLite) PagingPolicy(ctx context.Context) (PagingPolicy, bool, error) {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM paging_policy WHERE id = 1`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultPagingPolicy(), false, nil
	}
	if err != nil {
		return PagingPolicy{}, false, fmt.Errorf("paging policy: %w", err)
	}
	var p PagingPolicy
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return PagingPolicy{}, false, fmt.Errorf("paging policy: %w", err)
	}
	return p, true, nil
}

// Reachable says which members can be reached at t: inside one of their
// availability windows (none: always) and not on leave.
func (s *SQLite) Reachable(ctx context.Context, t time.Time) (map[string]bool, error) {
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
		out[m.Handle] = len(unavailable(avail[m.Handle], loc, t, t.Add(time.Minute))) == 0
	}
	for _, l := range ls {
		out[l.Member] = false
	}
	return out, nil
}
