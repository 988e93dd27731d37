package sources

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

// closedWithoutReason tells nomad/api's words for a websocket that ended
// without a close frame from every other end of an exec.
func TestClosedWithoutReason(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{errors.New("unexpected EOF"), true}, // a 1006 CloseError's text, as nomad/api returns it
		{io.ErrUnexpectedEOF, true},          // an empty message, or TLS cut mid-record
		{fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), true},
		{errors.New("Permission denied"), false},
		{errors.New("websocket closed before receiving exit code: websocket: close 1000 (normal)"), false},
		{fmt.Errorf("failed to send input: %w", io.EOF), false},
	} {
		if got := closedWithoutReason(c.err); got != c.want {
			t.Errorf("closedWithoutReason(%q) = %v, want %v", c.err, got, c.want)
		}
	}
}
