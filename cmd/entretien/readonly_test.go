package main

import (
	"bytes"
	"strings"
	"testing"
)

// --read-only is a root flag every command takes, and
// ENTRETIEN_READ_ONLY=1 (or true) means the same; anything else does not.
func TestReadOnlyFlagAndEnv(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "0": false, "": false, "no": false} {
		t.Setenv("ENTRETIEN_READ_ONLY", v)
		if got := readOnlyEnv(); got != want {
			t.Errorf("ENTRETIEN_READ_ONLY=%q: read-only %v, want %v", v, got, want)
		}
	}
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: &out}
	root := a.newRoot()
	root.SetArgs([]string{"--read-only", "version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !a.readOnly {
		t.Error("--read-only did not set read-only")
	}
	if !strings.Contains(root.PersistentFlags().Lookup("read-only").Usage, "ENTRETIEN_READ_ONLY") {
		t.Error("the flag's help does not name the variable")
	}
}
