package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"codeberg.org/entretien/entretien/oncall"
)

// AddRetroNote appends a note to a section of an incident's retro. The text
// follows the journal's rules (not blank, at most MaxEntryBytes).
func (s *Store) AddRetroNote(ctx context.Context, incidentID int64, by string, sec oncall.Section, text string) (oncall.RetroNote, error) {
	if _, err := oncall.ParseSection(string(sec)); err != nil {
		return oncall.RetroNote{}, err
	}
	if err := oncall.CheckEntryText(text); err != nil {
		return oncall.RetroNote{}, err
	}
	n := oncall.RetroNote{IncidentID: incidentID, Section: sec, Text: text, Author: by, At: s.now()}
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := incidentStatus(ctx, tx, incidentID); err != nil {
			return err
		}
		author, err := memberID(ctx, tx, by)
		if err != nil {
			return err
		}
		id, err := insertID(ctx, tx, `INSERT INTO retro_notes(incident_id, section, text, author_id, at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			incidentID, string(sec), text, author, encodeTime(n.At))
		if err != nil {
			return err
		}
		n.ID = id
		return err
	})
	if err != nil {
		return oncall.RetroNote{}, opError(fmt.Sprintf("add retro note to incident %d", incidentID), err)
	}
	return n, nil
}

// RemoveRetroNote deletes a retro note (a retro is a draft until reviewed;
// the journal, not the retro, is the append-only record).
func (s *Store) RemoveRetroNote(ctx context.Context, noteID int64) error {
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM retro_notes WHERE id = ?`, noteID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("retro note %d: %w", noteID, oncall.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return opError(fmt.Sprintf("remove retro note %d", noteID), err)
	}
	return nil
}

const retroNoteSelect = `SELECT n.id, n.incident_id, n.section, n.text, m.handle, n.at
	FROM retro_notes n JOIN members m ON m.id = n.author_id`

func scanRetroNote(rows *sql.Rows) (oncall.RetroNote, error) {
	var n oncall.RetroNote
	var sec, at string
	if err := rows.Scan(&n.ID, &n.IncidentID, &sec, &n.Text, &n.Author, &at); err != nil {
		return oncall.RetroNote{}, err
	}
	n.Section = oncall.Section(sec)
	var err error
	if n.At, err = decodeTime(at); err != nil {
		return oncall.RetroNote{}, err
	}
	return n, nil
}

// RetroNotes lists an incident's retro notes by section order, then as written.
func (s *Store) RetroNotes(ctx context.Context, incidentID int64) ([]oncall.RetroNote, error) {
	rows, err := s.db.QueryContext(ctx, retroNoteSelect+` WHERE n.incident_id = ? ORDER BY n.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("retro notes of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []oncall.RetroNote
	for rows.Next() {
		n, err := scanRetroNote(rows)
		if err != nil {
			return nil, fmt.Errorf("retro notes of incident %d: %w", incidentID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// RetroNotesOf is the retro notes of many incidents, each as RetroNotes
// orders them, in one query per childChunk incidents.
func (s *Store) RetroNotesOf(ctx context.Context, incidentIDs []int64) (map[int64][]oncall.RetroNote, error) {
	out, err := children(ctx, s.db, retroNoteSelect+` WHERE n.incident_id IN (%s) ORDER BY n.incident_id, n.id`, incidentIDs,
		func(rows *sql.Rows) (int64, oncall.RetroNote, error) {
			n, err := scanRetroNote(rows)
			return n.IncidentID, n, err
		})
	if err != nil {
		return nil, fmt.Errorf("retro notes of %d incidents: %w", len(incidentIDs), err)
	}
	return out, nil
}
