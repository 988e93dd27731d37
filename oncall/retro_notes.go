package oncall

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Section is a part of the retro written by members.
type Section string

const (
	SectionSummary  Section = "summary"
	SectionImpact   Section = "impact"    // who was affected, how
	SectionFactor   Section = "factor"    // contributing factors: several, never one root cause
	SectionWentWell Section = "went_well" // what went well
	SectionWasHard  Section = "was_hard"  // what was hard
)

// Sections is every section, in the order a retro reads.
var Sections = []Section{SectionSummary, SectionImpact, SectionFactor, SectionWentWell, SectionWasHard}

// ParseSection reads a section name as typed; "well" and "hard" are short
// forms.
func ParseSection(s string) (Section, error) {
	switch s {
	case "well", "went-well":
		return SectionWentWell, nil
	case "hard", "was-hard":
		return SectionWasHard, nil
	case "factors", "contributing":
		return SectionFactor, nil
	}
	for _, x := range Sections {
		if string(x) == s {
			return x, nil
		}
	}
	return "", invalid("retro.section", s, "must be summary, impact, factor, well or hard")
}

// RetroNote is one item of a retro section.
type RetroNote struct {
	ID         int64
	IncidentID int64
	Section    Section
	Text       string // as typed; sanitise when drawing
	Author     string
	At         time.Time
}

// AddRetroNote appends a note to a section of an incident's retro. The text
// follows the journal's rules (not blank, at most MaxEntryBytes).
func (s *SQLite) AddRetroNote(ctx context.Context, incidentID int64, by string, sec Section, text string) (RetroNote, error) {
	if _, err := ParseSection(string(sec)); err != nil {
		return RetroNote{}, err
	}
	if err := checkEntryText(text); err != nil {
		return RetroNote{}, err
	}
	n := RetroNote{IncidentID: incidentID, Section: sec, Text: text, Author: by, At: s.now()}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := incidentStatus(ctx, tx, incidentID); err != nil {
			return err
		}
		author, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO retro_notes(incident_id, section, text, author_id, at) VALUES (?, ?, ?, ?, ?)`,
			incidentID, string(sec), text, author, encodeTime(n.At))
		if err != nil {
			return err
		}
		n.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return RetroNote{}, opError(fmt.Sprintf("add retro note to incident %d", incidentID), err)
	}
	return n, nil
}

// RemoveRetroNote deletes a retro note (a retro is a draft until reviewed;
// the journal, not the retro, is the append-only record).
func (s *SQLite) RemoveRetroNote(ctx context.Context, noteID int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM retro_notes WHERE id = ?`, noteID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("retro note %d: %w", noteID, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return opError(fmt.Sprintf("remove retro note %d", noteID), err)
	}
	return nil
}

// RetroNotes lists an incident's retro notes by section order, then as written.
func (s *SQLite) RetroNotes(ctx context.Context, incidentID int64) ([]RetroNote, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT n.id, n.incident_id, n.section, n.text, m.handle, n.at
		FROM retro_notes n JOIN members m ON m.id = n.author_id WHERE n.incident_id = ? ORDER BY n.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("retro notes of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []RetroNote
	for rows.Next() {
		var n RetroNote
		var sec, at string
		if err := rows.Scan(&n.ID, &n.IncidentID, &sec, &n.Text, &n.Author, &at); err != nil {
			return nil, fmt.Errorf("retro notes of incident %d: %w", incidentID, err)
		}
		n.Section = Section(sec)
		if n.At, err = decodeTime(at); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
