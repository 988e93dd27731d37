package sqlstore

import (
	"errors"
	"fmt"

	"codeberg.org/entretien/entretien/oncall"
)

// opError adds the operation to an error, except validation errors, which
// already say exactly what was refused.
func opError(op string, err error) error {
	var ve *oncall.ValidationError
	if errors.As(err, &ve) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
