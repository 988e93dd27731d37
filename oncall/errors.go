package oncall

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by every lookup that finds nothing, with what was
// looked for: errors.Is(err, ErrNotFound) tells "absent" from "broken".
var ErrNotFound = errors.New("not found")

// ValidationError reports input refused before anything was written.
// Field names the record and attribute ("member.tz"), Value the offending
// input as given, Reason what is wrong with it.
type ValidationError struct {
	Field, Value, Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Reason)
}

func Invalid(field, value, reason string) error {
	return &ValidationError{Field: field, Value: value, Reason: reason}
}
