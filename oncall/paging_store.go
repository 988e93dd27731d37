package oncall

import (
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

func (c *Contact) Validate() error {
	if err := CheckLine("contact.target", c.Target, maxContactTargetRunes); err != nil {
		return err
	}
	switch c.Method {
	case MethodEmail:
		a, err := mail.ParseAddress(c.Target)
		if err != nil || a.Address != c.Target {
			return Invalid("contact.target", c.Target, "not an email address (want name@example.org)")
		}
		if c.Preset != "" {
			return Invalid("contact.preset", c.Preset, "only webhooks have a preset")
		}
	case MethodWebhook:
		u, err := url.Parse(c.Target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Invalid("contact.target", c.Target, "want an http:// or https:// URL")
		}
		if c.Preset == "" {
			c.Preset = "json"
		}
		if c.Preset != "ntfy" && c.Preset != "json" {
			return Invalid("contact.preset", c.Preset, "want ntfy or json")
		}
	case MethodCommand:
		if !strings.HasPrefix(c.Target, "/") {
			return Invalid("contact.target", c.Target, "want the program's absolute path")
		}
		if c.Preset != "" {
			return Invalid("contact.preset", c.Preset, "only webhooks have a preset")
		}
	default:
		return Invalid("contact.method", c.Method, "want email, webhook or command")
	}
	return nil
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
