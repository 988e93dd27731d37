//go:build manpages

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// make test runs it with -tags manpages.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := runIn(t, "man", dir); code != 0 {
		t.Fatalf("man: %d %s", code, errOut)
	}
	for _, page := range []string{"entretien.1", "entretien-rota-now.1", "entretien-incident-note.1", "entretien-watch.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil || !bytes.Contains(b, []byte(".TH \"ENTRETIEN\"")) {
			t.Errorf("%s: %v %.80q", page, err, b)
		}
	}
}
