// Package rotafile reads and writes rotation files: the collective's
// rotations declared in HCL, the language Nomad and Consul users already
// write, so they can live in the same repository as the job files and be
// applied idempotently (`entretien rotation apply FILE`).
//
//	rotation "primary" {
//	  time_zone    = "Europe/Paris"
//	  shift        = "1w"            # 12h, 1d, 2w: hours, days or weeks
//	  handoff      = "10:00"         # local clock in time_zone (days and weeks)
//	  start        = "2026-03-23"    # a date in time_zone; hours: "2026-03-23 19:00" or RFC 3339
//	  participants = ["amelie", "lucas", "chloe"]
//	}
//
// Every mistake is an *Error naming the position, the field and the value;
// a file with any mistake yields no rotations at all.
package rotafile

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"codeberg.org/entretien/entretien/oncall"
)

// Error is one refused thing in a rotation file.
type Error struct {
	Pos    string // file:line,column
	Field  string // e.g. rotation "primary".handoff
	Value  string
	Reason string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s: %s", e.Pos, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s %q: %s", e.Pos, e.Field, e.Value, e.Reason)
}

type fileSchema struct {
	Rotations []rotationBlock `hcl:"rotation,block"`
}

type rotationBlock struct {
	Name         string   `hcl:"name,label"`
	TimeZone     string   `hcl:"time_zone"`
	Shift        string   `hcl:"shift"`
	Handoff      string   `hcl:"handoff,optional"`
	Start        string   `hcl:"start"`
	Participants []string `hcl:"participants"`
}

const maxFileBytes = 1 << 20

var (
	shiftRE   = regexp.MustCompile(`^([0-9]{1,4})([hdw])$`)
	handoffRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	absDateRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$`)
)

// Parse reads a rotation file. filename is only used in positions.
func Parse(filename string, src []byte) ([]oncall.Rotation, error) {
	if len(src) > maxFileBytes {
		return nil, &Error{Pos: filename, Field: "file", Reason: fmt.Sprintf("larger than %d bytes", maxFileBytes)}
	}
	f, diags := hclparse.NewParser().ParseHCL(src, filename)
	if diags.HasErrors() {
		return nil, diagError(diags, src)
	}
	var fs fileSchema
	if diags := gohcl.DecodeBody(f.Body, nil, &fs); diags.HasErrors() {
		return nil, diagError(diags, src)
	}
	body, _ := f.Body.(*hclsyntax.Body)
	seen := map[string]bool{}
	out := make([]oncall.Rotation, 0, len(fs.Rotations))
	for i, b := range fs.Rotations {
		pos := func(attr string) string {
			if body == nil || i >= len(body.Blocks) {
				return filename
			}
			blk := body.Blocks[i]
			if a, ok := blk.Body.Attributes[attr]; ok {
				return rangeString(a.Expr.Range())
			}
			return rangeString(blk.DefRange())
		}
		fail := func(attr, value, reason string) error {
			return &Error{Pos: pos(attr), Field: fmt.Sprintf("rotation %q.%s", b.Name, attr), Value: value, Reason: reason}
		}
		r, err := b.rotation(fail)
		if err != nil {
			return nil, err
		}
		if seen[r.Name] {
			return nil, &Error{Pos: pos(""), Field: "rotation", Value: r.Name, Reason: "declared twice"}
		}
		seen[r.Name] = true
		out = append(out, r)
	}
	return out, nil
}

func (b rotationBlock) rotation(fail func(attr, value, reason string) error) (oncall.Rotation, error) {
	r := oncall.Rotation{Name: b.Name, TZ: b.TimeZone, Handoff: b.Handoff, Participants: b.Participants}
	if strings.TrimSpace(b.Name) == "" || strings.IndexFunc(b.Name, unicode.IsControl) >= 0 {
		return r, fail("name", b.Name, "must be a non-empty name without control characters")
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil || b.TimeZone == "" || b.TimeZone == "Local" {
		return r, fail("time_zone", b.TimeZone, "unknown time zone (want an IANA name such as Europe/Paris)")
	}
	m := shiftRE.FindStringSubmatch(b.Shift)
	if m == nil {
		return r, fail("shift", b.Shift, "want a count and a unit: 12h, 1d, 2w")
	}
	r.ShiftCount, _ = strconv.Atoi(m[1])
	if r.ShiftCount == 0 {
		return r, fail("shift", b.Shift, "must be at least 1")
	}
	r.ShiftUnit = map[string]oncall.Unit{"h": oncall.Hours, "d": oncall.Days, "w": oncall.Weeks}[m[2]]
	switch {
	case r.ShiftUnit == oncall.Hours && b.Handoff != "":
		return r, fail("handoff", b.Handoff, "hours shifts hand off every N hours from start: leave handoff out")
	case r.ShiftUnit != oncall.Hours && !handoffRE.MatchString(b.Handoff):
		return r, fail("handoff", b.Handoff, "want HH:MM from 00:00 to 23:59")
	}
	// A file is applied again and again: start must not depend on today.
	if !absDateRE.MatchString(strings.TrimSpace(b.Start)) {
		return r, fail("start", b.Start, "want a date (2026-03-23), a date and time (2026-03-23 19:00) or RFC 3339")
	}
	start, _, err := oncall.ParseTime("start", b.Start, loc, time.Time{})
	if err != nil {
		return r, fail("start", b.Start, err.(*oncall.ValidationError).Reason)
	}
	r.Start = start.UTC()
	if len(b.Participants) == 0 {
		return r, fail("participants", "", "needs at least one member")
	}
	for _, p := range b.Participants {
		if strings.TrimSpace(p) == "" || strings.IndexFunc(p, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0 {
			return r, fail("participants", p, "not a member handle")
		}
	}
	return r, nil
}

// diagError turns the first HCL error into an *Error, naming the argument
// or block the diagnostic points at.
func diagError(diags hcl.Diagnostics, src []byte) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		e := &Error{Field: "file", Reason: d.Summary}
		if d.Detail != "" {
			e.Reason += ": " + d.Detail
		}
		if d.Subject != nil {
			e.Pos = rangeString(*d.Subject)
			if s, en := d.Subject.Start.Byte, d.Subject.End.Byte; s >= 0 && en <= len(src) && s < en && en-s <= 80 {
				e.Value = string(bytes.ToValidUTF8(src[s:en], []byte("?")))
				e.Field = "argument"
				if d.Summary == "Unsupported block type" || strings.Contains(d.Summary, "block") {
					e.Field = "block"
				}
			}
		}
		return e
	}
	return &Error{Field: "file", Reason: diags.Error()}
}

func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}

// Format writes rotations as a rotation file that Parse reads back to the
// same rotations.
func Format(rs []oncall.Rotation) []byte {
	var b bytes.Buffer
	for i, r := range rs {
		if i > 0 {
			b.WriteString("\n")
		}
		loc, err := time.LoadLocation(r.TZ)
		if err != nil {
			loc = time.UTC
		}
		unit := map[oncall.Unit]string{oncall.Hours: "h", oncall.Days: "d", oncall.Weeks: "w"}[r.ShiftUnit]
		fmt.Fprintf(&b, "rotation %s {\n", Quote(r.Name))
		fmt.Fprintf(&b, "  time_zone    = %s\n", Quote(r.TZ))
		fmt.Fprintf(&b, "  shift        = %s\n", Quote(strconv.Itoa(r.ShiftCount)+unit))
		if r.ShiftUnit == oncall.Hours {
			fmt.Fprintf(&b, "  start        = %s\n", Quote(r.Start.UTC().Format(time.RFC3339)))
		} else {
			fmt.Fprintf(&b, "  handoff      = %s\n", Quote(r.Handoff))
			fmt.Fprintf(&b, "  start        = %s\n", Quote(r.Start.In(loc).Format("2006-01-02")))
		}
		ps := make([]string, len(r.Participants))
		for j, p := range r.Participants {
			ps[j] = Quote(p)
		}
		fmt.Fprintf(&b, "  participants = [%s]\n}\n", strings.Join(ps, ", "))
	}
	return b.Bytes()
}

// Quote writes an HCL string literal: Go-like escapes, plus $${ and %%{ so
// that no template sequence is read inside a name.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
