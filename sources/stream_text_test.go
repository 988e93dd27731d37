package sources

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// A stream that breaks with a line of text (Nomad's own words when it shuts
// down) is reported with those words, not a JSON syntax error.
func TestStreamInterruptedQuotesTheServer(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"{\"Index\":1}\nsubscription closed by server, client should resubscribe\n",
			`event stream interrupted: nomad said "subscription closed by server, client should resubscribe"`},
		{"{\"Index\":1}\n{\"Index\":2,\x00\x01", "event stream interrupted: invalid character"},
	} {
		var tail tailBuffer
		dec := json.NewDecoder(io.TeeReader(strings.NewReader(c.body), &tail))
		var f wireFrame
		if err := dec.Decode(&f); err != nil {
			t.Fatal(err)
		}
		err := dec.Decode(&f)
		if got := streamInterrupted(err, tail.lastLine()).Error(); !strings.HasPrefix(got, c.want) {
			t.Errorf("body %q: %s, want prefix %s", c.body, got, c.want)
		}
	}
	var tb tailBuffer
	tb.Write([]byte(strings.Repeat("x", 1000)))
	tb.Write([]byte("\nlast words"))
	if len(tb.b) > tailKeep || tb.lastLine() != "last words" {
		t.Errorf("tail kept %d bytes, last line %q", len(tb.b), tb.lastLine())
	}
}
