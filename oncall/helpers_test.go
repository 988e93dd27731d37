package oncall

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func wantValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want ValidationError on %s, got %v", field, err)
	}
	if ve.Field != field {
		t.Fatalf("want ValidationError on %s, got %v", field, err)
	}
}
