package oncall

import (
	"strings"
	"testing"
)

func TestParseLocator(t *testing.T) {
	for _, c := range []struct {
		in, backend, shown string
		password           bool
	}{
		{"/srv/entretien/entretien.db", BackendSQLite, "/srv/entretien/entretien.db", false},
		{"entretien.db", BackendSQLite, "entretien.db", false},
		{"./host=x.db", BackendSQLite, "./host=x.db", false},
		{"file=x.db", BackendSQLite, "file=x.db", false}, // not a libpq keyword
		{"/tmp/my dir/a=b c.db", BackendSQLite, "/tmp/my dir/a=b c.db", false},
		{"file:/srv/e.db?mode=rwc", BackendSQLite, "file:/srv/e.db?mode=rwc", false},
		{"postgres://entretien@db.paris:5432/entretien", BackendPostgres, "postgres://entretien@db.paris:5432/entretien", false},
		{"postgresql://db/entretien?sslmode=require", BackendPostgres, "postgresql://db/entretien?sslmode=require", false},
		{"POSTGRES://db/x", BackendPostgres, "POSTGRES://db/x", false},
		{"postgres://entretien:s3cret@db:5432/entretien", BackendPostgres, "postgres://entretien@db:5432/entretien", true},
		{"postgres://:s3cret@db/e", BackendPostgres, "postgres://db/e", true},
		{"postgres://u:p%40ss@a:5432,b:5433/e?target_session_attrs=read-write", BackendPostgres, "postgres://u@a:5432,b:5433/e?target_session_attrs=read-write", true},
		{"postgres://u@a/e?sslmode=disable&password=s3cret&application_name=x", BackendPostgres, "postgres://u@a/e?sslmode=disable&application_name=x", true},
		{"postgres://u@a/e?password=s3cret", BackendPostgres, "postgres://u@a/e", true},
		{"host=a,b,c port=5432,5432,5433 dbname=entretien target_session_attrs=read-write", BackendPostgres,
			"host=a,b,c port=5432,5432,5433 dbname=entretien target_session_attrs=read-write", false},
		{"  host = /run/postgresql   dbname=e ", BackendPostgres, "host = /run/postgresql dbname=e", false},
		{"host=a password=s3cret dbname=e", BackendPostgres, "host=a dbname=e", true},
		{"host=a password = 'it''s a \\'quoted\\' secret' dbname=e", BackendPostgres, "", false}, // '' is not an escape: not keywords
		{"host=a password='a \\'quoted\\' secret' user=u", BackendPostgres, "host=a user=u", true},
		{"dbname=e PASSWORD=x", BackendPostgres, "dbname=e", true},
	} {
		t.Run(c.in, func(t *testing.T) {
			l, err := ParseLocator(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if c.shown == "" { // a string that is not all keyword pairs
				if l.Backend != BackendSQLite {
					t.Errorf("backend %s, want sqlite (not a keyword string)", l.Backend)
				}
				return
			}
			if l.Backend != c.backend {
				t.Errorf("backend %s, want %s", l.Backend, c.backend)
			}
			if got := l.String(); got != c.shown {
				t.Errorf("String() = %q, want %q", got, c.shown)
			}
			if got := l.HasPassword(); got != c.password {
				t.Errorf("HasPassword() = %v, want %v", got, c.password)
			}
			for _, secret := range []string{"s3cret", "p%40ss", "quoted"} {
				if strings.Contains(l.String(), secret) {
					t.Errorf("String() shows the password: %q", l.String())
				}
			}
		})
	}
	if _, err := ParseLocator("  "); err == nil {
		t.Error("an empty location must be an error")
	}
}

func TestRedactText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`failed to connect to postgres://u:s3cret@db:5432/e: refused`, `failed to connect to postgres://u:xxxxx@db:5432/e: refused`},
		{`cannot parse "host=a password=s3cret dbname=e"`, `cannot parse "host=a password=xxxxx dbname=e"`},
		{`dsn host=a password='two words' user=u`, `dsn host=a password=xxxxx user=u`},
		{`postgresql://u@a/e?password=s3cret&sslmode=disable`, `postgresql://u@a/e?password=xxxxx&sslmode=disable`},
		{`PGPASSWORD=s3cret entretien doctor`, `PGPASSWORD=xxxxx entretien doctor`},
		{`no secret here: /srv/entretien/entretien.db`, `no secret here: /srv/entretien/entretien.db`},
		{`two: postgres://a:one@h/x and postgres://b:two@h/y`, `two: postgres://a:xxxxx@h/x and postgres://b:xxxxx@h/y`},
	} {
		if got := RedactText(c.in); got != c.want {
			t.Errorf("RedactText(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
