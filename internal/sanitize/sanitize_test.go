package sanitize

import "testing"

func TestLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "garage-paris", "garage-paris"},
		{"unicode kept", "Chloé 🌳", "Chloé 🌳"},
		{"csi colour", "\x1b[31mred\x1b[0m", "red"},
		{"osc title", "a\x1b]0;pwned\x07b", "ab"},
		{"osc 8 link", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"cursor move and clear", "ok\x1b[2J\x1b[H", "ok"},
		{"newline to space", "a\nb\tc\rd", "a b c d"},
		{"bell and backspace", "a\x07b\x08c", "abc"},
		{"c1 csi control dropped", "a\u009b31mb", "a31mb"},
		{"bidi override", "abc\u202edef", "abcdef"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"lone esc", "a\x1bb", "a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.in); got != c.want {
				t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestTextKeepsNewlines(t *testing.T) {
	if got, want := Text("one\n\x1b[1mtwo\x1b[0m\r\n"), "one\ntwo \n"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func FuzzLine(f *testing.F) {
	f.Add("\x1b[31mred\x1b]0;t\x07")
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("Line(%q) kept control %U in %q", s, r, out)
			}
		}
	})
}
