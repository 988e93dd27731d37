package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/entretien/entretien/oncall"
)

const maxHandoffBytes = 4096

// WriteHandoffNote records by's note for the coming handoff of rotation:
// by must hold its pager now (overrides applied), and the note is attached
// to the instant they hand it over.
func (s *Store) WriteHandoffNote(ctx context.Context, by, rotation, text string) (oncall.HandoffNote, error) {
	short := text
	if len(short) > 40 {
		short = strings.ToValidUTF8(short[:40], "") + "…"
	}
	switch {
	case !utf8.ValidString(text):
		return oncall.HandoffNote{}, oncall.Invalid("handoff.text", short, "not valid UTF-8")
	case strings.TrimSpace(text) == "":
		return oncall.HandoffNote{}, oncall.Invalid("handoff.text", short, "must not be empty")
	case len(text) > maxHandoffBytes:
		return oncall.HandoffNote{}, oncall.Invalid("handoff.text", short, fmt.Sprintf("longer than %d bytes", maxHandoffBytes))
	}
	now := s.now()
	n := oncall.HandoffNote{Rotation: rotation, Author: by, WrittenAt: now, Text: text}
	err := s.write(ctx, func(tx *Tx) error {
		r, err := rotationByName(ctx, tx, rotation)
		if err != nil {
			return err
		}
		aid, err := memberID(ctx, tx, by)
		if err != nil {
			return fmt.Errorf("handoff.author: %w", err)
		}
		ovs, err := s.overridesByRotation(ctx, tx, now.Add(-maxShiftSpan), farFuture, oncall.Confirmed)
		if err != nil {
			return err
		}
		oc, err := r.OnCallWith(now, ovs[r.Name])
		if err != nil {
			return err
		}
		if !oc.HasNow || oc.Now.Member != by {
			holder := "nobody"
			if oc.HasNow {
				holder = oc.Now.Member
			}
			return oncall.Invalid("handoff.author", by, fmt.Sprintf("is not on call on %s now (%s is): the outgoing member writes the note", r.Name, holder))
		}
		n.HandoffAt = oc.Now.End
		id, err := insertID(ctx, tx, `INSERT INTO handoff_notes(rotation_id, handoff_at, author_id, written_at, text) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			r.ID, encodeTime(n.HandoffAt), aid, encodeTime(now), text)
		if err != nil {
			return err
		}
		n.ID = id
		return err
	})
	if err != nil {
		return oncall.HandoffNote{}, opError("write handoff note", err)
	}
	return n, nil
}

// notesBetween lists a rotation's notes for handoffs in [from, to] (closed
// at both ends when incl, else (from, to]). A note stays with the holder's
// run even if an override later moved its handoff a little.
func (s *Store) notesBetween(ctx context.Context, rotationID int64, from, to time.Time, incl bool) ([]oncall.HandoffNote, error) {
	op := ">"
	if incl {
		op = ">="
	}
	rows, err := s.db.QueryContext(ctx, `SELECT n.id, r.name, n.handoff_at, m.handle, n.written_at, n.text
		FROM handoff_notes n JOIN rotations r ON r.id = n.rotation_id JOIN members m ON m.id = n.author_id
		WHERE n.rotation_id = ? AND n.handoff_at `+op+` ? AND n.handoff_at <= ? ORDER BY n.written_at, n.id`,
		rotationID, encodeTime(from), encodeTime(to))
	if err != nil {
		return nil, fmt.Errorf("handoff notes: %w", err)
	}
	defer rows.Close()
	var out []oncall.HandoffNote
	for rows.Next() {
		var n oncall.HandoffNote
		var at, wr string
		if err := rows.Scan(&n.ID, &n.Rotation, &at, &n.Author, &wr, &n.Text); err != nil {
			return nil, fmt.Errorf("handoff notes: %w", err)
		}
		if n.HandoffAt, err = decodeTime(at); err != nil {
			return nil, err
		}
		if n.WrittenAt, err = decodeTime(wr); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
