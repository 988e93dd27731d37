package oncall

const maxRotationNameRunes = 64

// Validate checks r and returns it normalised (Start at boundary 0, Handoff
// emptied for hours shifts). Participants are checked against the database
// by the caller, inside the write transaction.
func (r Rotation) Validate() (Rotation, error) {
	if err := CheckLine("rotation.name", r.Name, maxRotationNameRunes); err != nil {
		return r, err
	}
	if _, err := loadZone("rotation.tz", r.TZ); err != nil {
		return r, err
	}
	if r.ShiftCount <= 0 || r.ShiftCount > maxShiftCount {
		return r, Invalid("rotation.shift_count", itoa(r.ShiftCount), "must be between 1 and "+itoa(maxShiftCount))
	}
	switch r.ShiftUnit {
	case Hours:
		if r.Handoff != "" && !handoffRE().MatchString(r.Handoff) {
			return r, Invalid("rotation.handoff", r.Handoff, "must be HH:MM (00:00 to 23:59)")
		}
		r.Handoff = "" // hours shifts hand off at Start + k*hours, whatever the clock says
	case Days, Weeks:
		if !handoffRE().MatchString(r.Handoff) {
			return r, Invalid("rotation.handoff", r.Handoff, "must be HH:MM (00:00 to 23:59)")
		}
	default:
		return r, Invalid("rotation.shift_unit", string(r.ShiftUnit), "must be hours, days or weeks")
	}
	if r.Start.IsZero() {
		return r, Invalid("rotation.start", "", "must be set")
	}
	if len(r.Participants) == 0 {
		return r, Invalid("rotation.participants", "", "needs at least one member")
	}
	sc, err := r.schedule()
	if err != nil { // all fields were checked above; this is a bug if it fires
		return r, Invalid("rotation", r.Name, err.Error())
	}
	r.Start = sc.boundary(0).UTC()
	r.Participants = append([]string(nil), r.Participants...)
	return r, nil
}

// ApplyResult says what ApplyRotations did with each rotation, by name.
type ApplyResult struct{ Created, Updated, Unchanged []string }
