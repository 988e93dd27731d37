// Package pager delivers pages: email (SMTP through go-mail; server, TLS
// and credentials from the watch process's configuration, never from the
// database), webhooks (ntfy's text with Title/Priority/Tags headers, or a
// generic JSON body) and commands (a program with the page in its
// environment, under a timeout). Each method is retried with backoff, then
// the member's next method is tried.
package pager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/paging"
)

// SMTP is the mail server the watch process sends through.
type SMTP struct {
	Addr     string // host:port; "" disables email
	From     string
	TLS      string // "starttls" (mandatory, the default), "opportunistic" or "none"
	User     string // from the environment only
	Password string
}

// Pager delivers through the configured methods.
type Pager struct {
	SMTP           SMTP
	Timeout        time.Duration // per attempt (email, webhook); default 10s
	CommandTimeout time.Duration // default 10s
	Attempts       int           // per method; default 3
	Backoff        time.Duration // before the 2nd attempt, doubled after; default 1s
	HTTP           *http.Client
}

func (p *Pager) attempts() int { return cmpOr(p.Attempts, 3) }
func (p *Pager) timeout() time.Duration {
	return cmpOr(p.Timeout, 10*time.Second)
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Deliver tries each contact in order until one delivers; every method
// tried is in the result, with its last error.
func (p *Pager) Deliver(ctx context.Context, cs []oncall.Contact, m paging.Message) []oncall.Delivery {
	var out []oncall.Delivery
	for _, c := range cs {
		var err error
		wait := cmpOr(p.Backoff, time.Second)
		for i := range p.attempts() {
			if i > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
				wait *= 2
			}
			if err = p.send(ctx, c, m); err == nil || ctx.Err() != nil || errors.Is(err, errPermanent) {
				break
			}
		}
		d := oncall.Delivery{At: time.Now().UTC(), Method: c.Method, OK: err == nil}
		if err != nil {
			d.Error = sanitize.Line(shortError(err))
		}
		out = append(out, d)
		if err == nil {
			break
		}
	}
	return out
}

var errPermanent = errors.New("not retried")

func (p *Pager) send(ctx context.Context, c oncall.Contact, m paging.Message) error {
	switch c.Method {
	case oncall.MethodEmail:
		return p.email(ctx, c.Target, m)
	case oncall.MethodWebhook:
		return p.webhook(ctx, c, m)
	case oncall.MethodCommand:
		return p.command(ctx, c.Target, m)
	}
	return fmt.Errorf("%w: unknown method %q", errPermanent, c.Method)
}

func (p *Pager) email(ctx context.Context, to string, m paging.Message) error {
	if p.SMTP.Addr == "" {
		return fmt.Errorf("%w: no SMTP server configured (--smtp-addr)", errPermanent)
	}
	host, portS, err := net.SplitHostPort(p.SMTP.Addr)
	if err != nil {
		return fmt.Errorf("%w: --smtp-addr %q: %v", errPermanent, p.SMTP.Addr, err)
	}
	port, _ := strconv.Atoi(portS)
	policy := mail.TLSMandatory
	switch p.SMTP.TLS {
	case "opportunistic":
		policy = mail.TLSOpportunistic
	case "none":
		policy = mail.NoTLS
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTLSPolicy(policy), mail.WithTimeout(p.timeout())}
	if p.SMTP.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(p.SMTP.User), mail.WithPassword(p.SMTP.Password))
	}
	cl, err := mail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	msg := mail.NewMsg()
	if err := msg.From(cmpOr(p.SMTP.From, "entretien@localhost")); err != nil {
		return fmt.Errorf("%w: from: %v", errPermanent, err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("%w: to: %v", errPermanent, err)
	}
	msg.Subject(m.Title)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader("X-Entretien-Page", strconv.FormatInt(m.PageID, 10))
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	return cl.DialAndSendWithContext(ctx, msg)
}

func (p *Pager) webhook(ctx context.Context, c oncall.Contact, m paging.Message) error {
	var body []byte
	hdr := http.Header{}
	switch c.Preset {
	case "ntfy":
		body = []byte(m.Text)
		hdr.Set("Content-Type", "text/plain; charset=utf-8")
		hdr.Set("Title", m.Title)
		if m.Resolved || m.Quiet {
			hdr.Set("Priority", "default")
			hdr.Set("Tags", "white_check_mark")
		} else {
			hdr.Set("Priority", "urgent")
			hdr.Set("Tags", "rotating_light")
		}
	default:
		body, _ = json.Marshal(map[string]any{"page_id": m.PageID, "member": m.Member, "title": m.Title, "text": m.Text, "resolved": m.Resolved})
		hdr.Set("Content-Type", "application/json")
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	req.Header = hdr
	cl := p.HTTP
	if cl == nil {
		cl = http.DefaultClient
	}
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return nil
}

// command runs the program with the page in its environment, and nothing
// of the watch process's (no token reaches it): PATH, HOME, ENTRETIEN_PAGE_*.
func (p *Pager) command(ctx context.Context, prog string, m paging.Message) error {
	ctx, cancel := context.WithTimeout(ctx, cmpOr(p.CommandTimeout, 10*time.Second))
	defer cancel()
	cmd := exec.CommandContext(ctx, prog)
	cmd.Env = []string{
		"PATH=" + cmpOr(os.Getenv("PATH"), "/usr/bin:/bin"),
		"HOME=" + os.Getenv("HOME"),
		"ENTRETIEN_PAGE_ID=" + strconv.FormatInt(m.PageID, 10),
		"ENTRETIEN_PAGE_MEMBER=" + m.Member,
		"ENTRETIEN_PAGE_TITLE=" + m.Title,
		"ENTRETIEN_PAGE_TEXT=" + m.Text,
		"ENTRETIEN_PAGE_RESOLVED=" + strconv.FormatBool(m.Resolved),
	}
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %s", cmpOr(p.CommandTimeout, 10*time.Second))
	}
	if err != nil {
		if line := strings.TrimSpace(stderr.String()); line != "" {
			return fmt.Errorf("%v: %s", err, firstLine(line))
		}
		return err
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// shortError keeps the cause a member can act on: "connection refused"
// rather than the whole dial chain.
func shortError(err error) string {
	s := err.Error()
	for _, k := range []string{"connection refused", "i/o timeout", "no such host", "connection reset by peer"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	s = strings.TrimPrefix(s, errPermanent.Error()+": ")
	return firstLine(s)
}
