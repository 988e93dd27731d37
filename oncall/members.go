package oncall

import (
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

func (m *Member) Validate() error {
	if !handleRE().MatchString(m.Handle) {
		return Invalid("member.handle", m.Handle, "must match [a-z][a-z0-9_-]{0,31}")
	}
	if err := CheckLine("member.name", m.Name, maxNameRunes); err != nil {
		return err
	}
	if _, err := loadZone("member.tz", m.TZ); err != nil {
		return err
	}
	if m.Contact != "" {
		if err := CheckLine("member.contact", m.Contact, maxContactRunes); err != nil {
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

// CurrentOSUser is the name of the account running this process.
func CurrentOSUser() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", fmt.Errorf("current OS user: %w", err)
	}
	return u.Username, nil
}
