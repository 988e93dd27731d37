// Package paging holds the paging rules: the policy file (HCL, applied
// idempotently like rotation files), where an outage is routed, who is
// paged at each escalation step, what a page says, and the engine that
// `entretien watch` runs (lease, exactly-once pages, escalation,
// resolved messages). Delivery itself is internal/pager's.
//
//	paging {
//	  after       = "2m"        # an outage pages once it lasted this
//	  clear_after = "1m"        # and is resolved once clear this long
//	  default     = "primary"   # rotation when no route matches
//	  route "service/garage" { rotation = "storage" }
//	  step { notify = "on_call" }                   # step 1: on call now
//	  step { after = "10m"  notify = "next" }       # the next member
//	  step { after = "20m"  notify = "everyone" }   # everyone reachable now
//	}
package paging

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/rotafile"
)

type fileSchema struct {
	Paging []policyBlock `hcl:"paging,block"`
}

type policyBlock struct {
	After      string       `hcl:"after,optional"`
	ClearAfter string       `hcl:"clear_after,optional"`
	Default    string       `hcl:"default,optional"`
	Routes     []routeBlock `hcl:"route,block"`
	Steps      []stepBlock  `hcl:"step,block"`
}

type routeBlock struct {
	Match    string `hcl:"match,label"`
	Rotation string `hcl:"rotation"`
}

type stepBlock struct {
	After  string `hcl:"after,optional"`
	Notify string `hcl:"notify"`
}

var matchRE = regexp.MustCompile(`^(service|job|site|node)/[^\s/]+$`)

const maxFileBytes = 1 << 20

// Parse reads a policy file. Every mistake is a *rotafile.Error (position,
// field, value, reason), the same as rotation files; nothing is returned
// with it.
func Parse(filename string, src []byte) (oncall.PagingPolicy, error) {
	var p oncall.PagingPolicy
	if len(src) > maxFileBytes {
		return p, &rotafile.Error{Pos: filename, Field: "file", Reason: fmt.Sprintf("larger than %d bytes", maxFileBytes)}
	}
	f, diags := hclparse.NewParser().ParseHCL(src, filename)
	if diags.HasErrors() {
		return p, diagError(diags, src)
	}
	var fs fileSchema
	if diags := gohcl.DecodeBody(f.Body, nil, &fs); diags.HasErrors() {
		return p, diagError(diags, src)
	}
	if len(fs.Paging) != 1 {
		return p, &rotafile.Error{Pos: filename, Field: "paging", Value: fmt.Sprint(len(fs.Paging)), Reason: "want exactly one paging block"}
	}
	b := fs.Paging[0]
	var blk *hclsyntax.Body
	if body, ok := f.Body.(*hclsyntax.Body); ok && len(body.Blocks) > 0 {
		blk = body.Blocks[0].Body
	}
	// pos finds the attribute attr of the n-th nested block of type typ
	// ("" for the paging block itself).
	pos := func(typ string, n int, attr string) string {
		if blk == nil {
			return filename
		}
		body := blk
		if typ != "" {
			i := 0
			body = nil
			for _, nb := range blk.Blocks {
				if nb.Type == typ {
					if i == n {
						body = nb.Body
						if attr == "" {
							return rangeString(nb.DefRange())
						}
					}
					i++
				}
			}
			if body == nil {
				return filename
			}
		}
		if a, ok := body.Attributes[attr]; ok {
			return rangeString(a.Expr.Range())
		}
		return rangeString(body.SrcRange)
	}
	fail := func(typ string, n int, field, attr, value, reason string) error {
		return &rotafile.Error{Pos: pos(typ, n, attr), Field: field, Value: value, Reason: reason}
	}
	dur := func(attr, s string, def time.Duration) (time.Duration, error) {
		if s == "" {
			return def, nil
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fail("", 0, "paging."+attr, attr, s, "want a duration: 30s, 2m, 1h")
		}
		return d, nil
	}
	var err error
	if p.After, err = dur("after", b.After, 2*time.Minute); err != nil {
		return p, err
	}
	if p.ClearAfter, err = dur("clear_after", b.ClearAfter, time.Minute); err != nil {
		return p, err
	}
	p.Default = b.Default
	if strings.TrimSpace(b.Default) != b.Default || strings.ContainsFunc(b.Default, isControl) {
		return p, fail("", 0, "paging.default", "default", b.Default, "not a rotation name")
	}
	seen := map[string]bool{}
	for i, r := range b.Routes {
		field := fmt.Sprintf("paging.route %q", r.Match)
		if !matchRE.MatchString(r.Match) {
			return p, fail("route", i, field, "", r.Match, "want service/NAME, job/NAME, node/NAME or site/NAME")
		}
		if seen[r.Match] {
			return p, fail("route", i, field, "", r.Match, "declared twice")
		}
		seen[r.Match] = true
		if strings.TrimSpace(r.Rotation) == "" || strings.ContainsFunc(r.Rotation, isControl) {
			return p, fail("route", i, field+".rotation", "rotation", r.Rotation, "not a rotation name")
		}
		p.Routes = append(p.Routes, oncall.PagingRoute{Match: r.Match, Rotation: r.Rotation})
	}
	if len(b.Steps) == 0 {
		return p, fail("", 0, "paging.step", "", "", "needs at least one step")
	}
	for i, s := range b.Steps {
		field := fmt.Sprintf("paging.step[%d]", i+1)
		st := oncall.PagingStep{Notify: s.Notify}
		if s.After != "" {
			d, err := time.ParseDuration(s.After)
			if err != nil || d < 0 {
				return p, fail("step", i, field+".after", "after", s.After, "want a duration: 10m, 1h")
			}
			st.Delay = d
		}
		if i == 0 && st.Delay != 0 {
			return p, fail("step", i, field+".after", "after", s.After, "the first step pages as soon as the outage lasted paging.after: leave after out")
		}
		if i > 0 && st.Delay <= p.Steps[i-1].Delay {
			return p, fail("step", i, field+".after", "after", s.After, "must be later than the step before")
		}
		switch s.Notify {
		case oncall.NotifyOnCall, oncall.NotifyNext, oncall.NotifyEveryone:
		default:
			return p, fail("step", i, field+".notify", "notify", s.Notify, "want on_call, next or everyone")
		}
		p.Steps = append(p.Steps, st)
	}
	return p, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Format writes a policy as a file that Parse reads back to the same policy.
func Format(p oncall.PagingPolicy) []byte {
	var b bytes.Buffer
	b.WriteString("paging {\n")
	fmt.Fprintf(&b, "  after       = %s\n", rotafile.Quote(durString(p.After)))
	fmt.Fprintf(&b, "  clear_after = %s\n", rotafile.Quote(durString(p.ClearAfter)))
	if p.Default != "" {
		fmt.Fprintf(&b, "  default     = %s\n", rotafile.Quote(p.Default))
	}
	for _, r := range p.Routes {
		fmt.Fprintf(&b, "\n  route %s {\n    rotation = %s\n  }\n", rotafile.Quote(r.Match), rotafile.Quote(r.Rotation))
	}
	for i, s := range p.Steps {
		b.WriteString("\n  step {\n")
		if i > 0 {
			fmt.Fprintf(&b, "    after  = %s\n", rotafile.Quote(durString(s.Delay)))
		}
		fmt.Fprintf(&b, "    notify = %s\n  }\n", rotafile.Quote(s.Notify))
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// durString trims Go's "2m0s" to "2m".
func durString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func diagError(diags hcl.Diagnostics, src []byte) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		e := &rotafile.Error{Field: "file", Reason: d.Summary}
		if d.Detail != "" {
			e.Reason += ": " + d.Detail
		}
		if d.Subject != nil {
			e.Pos = rangeString(*d.Subject)
			if s, en := d.Subject.Start.Byte, d.Subject.End.Byte; s >= 0 && en <= len(src) && s < en && en-s <= 80 {
				e.Value = string(bytes.ToValidUTF8(src[s:en], []byte("?")))
				e.Field = "argument"
				if strings.Contains(d.Summary, "block") {
					e.Field = "block"
				}
			}
		}
		return e
	}
	return &rotafile.Error{Field: "file", Reason: diags.Error()}
}

func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}
