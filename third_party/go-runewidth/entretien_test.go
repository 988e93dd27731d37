package runewidth

import (
	"fmt"
	"os"
	"testing"
)

// TestMain checks the entretien patch before any test builds the table on
// purpose (TestStrictWidthLUT does): widths of runes above U+02FF, as a TUI
// frame has them, must leave strictWidthLUT unbuilt, hence not resident.
func TestMain(m *testing.M) {
	s := "┌─┐│└┘ · … ● ▲ ← → ✓ é 漢字 😀 ☕"
	// 6 box runes, then " · … ● ▲ ← → ✓ é " (2 each), 漢字 (2+2) + space, 😀 (2) + space, ☕ (2).
	want := 6 + 3 + 2*6 + 2 + 5 + 3 + 2
	if got := StringWidth(s); got != want {
		fmt.Fprintf(os.Stderr, "StringWidth(%q) = %d, want %d\n", s, got, want)
		os.Exit(1)
	}
	for r := rune(0x300); r < 0x30000; r++ {
		DefaultCondition.RuneWidth(r)
	}
	if l := strictWidthLUTLimit.Load(); l != 0x300 {
		fmt.Fprintf(os.Stderr, "strictWidthLUT built up to %#x: the 2.2 MB table is resident again\n", l)
		os.Exit(1)
	}
	for _, r := range []rune{0x2500, 0x4e00, 0x1f600} {
		if strictWidthLUT[0][r] != 0 || strictWidthLUT[1][r] != 0 {
			fmt.Fprintf(os.Stderr, "strictWidthLUT[.][%U] written\n", r)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}
