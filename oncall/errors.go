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

func invalid(field, value, reason string) error {
	return &ValidationError{Field: field, Value: value, Reason: reason}
}

// opError adds the operation to an error, except validation errors, which
// already say exactly what was refused.
func opError(op string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
