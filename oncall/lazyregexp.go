package oncall

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use. A package-level MustCompile runs
// at every start of the binary, before the TUI's first frame, for
// expressions most starts never use (issue 17: this package's were a
// tenth of the binary's init).
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
