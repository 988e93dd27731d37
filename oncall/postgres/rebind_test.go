package postgres

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b IN (?, ?)", "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"},
		{"INSERT INTO t(a, b) VALUES (?, 'is it?') RETURNING id", "INSERT INTO t(a, b) VALUES ($1, 'is it?') RETURNING id"},
		{"SELECT 'it''s ?', ? FROM \"odd?name\" WHERE x = ?", "SELECT 'it''s ?', $1 FROM \"odd?name\" WHERE x = $2"},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"SELECT /* a ? here */ ?", "SELECT /* a ? here */ $1"},
		{"SELECT $$ ? $$, ?, $tag$ ? $tag$, ?", "SELECT $$ ? $$, $1, $tag$ ? $tag$, $2"},
		{"SELECT $1", "SELECT $1"},
		{"SELECT ? -- trailing?", "SELECT $1 -- trailing?"},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
