package oncall

import (
	"fmt"
	"strings"
)

// Where the collective's memory lives: --db / ENTRETIEN_DB. A postgres:// or
// postgresql:// URL, or a libpq keyword string ("host=a,b port=5432,5433
// dbname=entretien target_session_attrs=read-write"), is PostgreSQL;
// anything else is the path of a SQLite file.

// Backend names, as db status and doctor print them.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// Locator is a classified --db / ENTRETIEN_DB value.
type Locator struct {
	Backend string // BackendSQLite or BackendPostgres
	Raw     string // as given: may hold a password, never print it
}

// ParseLocator classifies s. An empty s is an error (the caller supplies the
// default path).
func ParseLocator(s string) (Locator, error) {
	if strings.TrimSpace(s) == "" {
		return Locator{}, fmt.Errorf("database: empty location")
	}
	if IsPostgresDSN(s) {
		return Locator{Backend: BackendPostgres, Raw: strings.TrimSpace(s)}, nil
	}
	return Locator{Backend: BackendSQLite, Raw: s}, nil
}

// String is the location for messages: a path, or a DSN without its password.
func (l Locator) String() string {
	if l.Backend == BackendPostgres {
		return RedactDSN(l.Raw)
	}
	return l.Raw
}

// HasPassword says whether a PostgreSQL DSN carries a password itself (URL
// userinfo, ?password=, or password=): entretien refuses that, the password
// belongs in PGPASSFILE / ~/.pgpass or PGPASSWORD.
func (l Locator) HasPassword() bool {
	return l.Backend == BackendPostgres && RedactDSN(l.Raw) != canonicalSpaces(l.Raw)
}

// IsPostgresDSN says whether s is a PostgreSQL URL or keyword string.
func IsPostgresDSN(s string) bool {
	t := strings.TrimSpace(s)
	l := strings.ToLower(t)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		return true
	}
	pairs, ok := parseKeywords(t)
	if !ok {
		return false
	}
	for _, p := range pairs {
		if libpqKeys[strings.ToLower(p.key)] {
			return true
		}
	}
	return false
}

// libpqKeys are the connection keywords that make a k=v string PostgreSQL
// (one is enough: "file=x.db" stays a SQLite path).
var libpqKeys = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "password": true,
	"passfile": true, "sslmode": true, "target_session_attrs": true, "connect_timeout": true,
	"application_name": true, "service": true, "options": true, "sslrootcert": true,
	"sslcert": true, "sslkey": true, "channel_binding": true, "load_balance_hosts": true,
}

type kv struct{ key, val, raw string }

// parseKeywords splits a libpq keyword/value string (key = value, values
// optionally single-quoted with \' and \\ escapes). ok is false unless all
// of s is such pairs.
func parseKeywords(s string) (pairs []kv, ok bool) {
	i, n := 0, len(s)
	skip := func() {
		for i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	for {
		skip()
		if i == n {
			return pairs, len(pairs) > 0
		}
		start := i
		for i < n && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		key := s[start:i]
		if key == "" {
			return nil, false
		}
		skip()
		if i == n || s[i] != '=' {
			return nil, false
		}
		i++
		skip()
		var val strings.Builder
		if i < n && s[i] == '\'' {
			i++
			closed := false
			for i < n {
				c := s[i]
				if c == '\\' && i+1 < n {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				i++
				if c == '\'' {
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return nil, false
			}
		} else {
			for i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
				if s[i] == '\\' && i+1 < n {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
		}
		pairs = append(pairs, kv{key: key, val: val.String(), raw: strings.TrimSpace(s[start:i])})
	}
}

// canonicalSpaces is a keyword string as RedactDSN rebuilds it (pairs joined
// by one space), so that HasPassword compares like with like.
func canonicalSpaces(dsn string) string {
	t := strings.TrimSpace(dsn)
	l := strings.ToLower(t)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		return t
	}
	pairs, ok := parseKeywords(t)
	if !ok {
		return t
	}
	raws := make([]string, len(pairs))
	for i, p := range pairs {
		raws[i] = p.raw
	}
	return strings.Join(raws, " ")
}

// RedactDSN removes the password from a PostgreSQL DSN: the URL userinfo's,
// a password query parameter, a password= pair. Anything else is returned
// unchanged.
func RedactDSN(dsn string) string {
	t := strings.TrimSpace(dsn)
	l := strings.ToLower(t)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		return redactURL(t)
	}
	pairs, ok := parseKeywords(t)
	if !ok {
		return dsn
	}
	var kept []string
	for _, p := range pairs {
		if strings.EqualFold(p.key, "password") {
			continue
		}
		kept = append(kept, p.raw)
	}
	return strings.Join(kept, " ")
}

func redactURL(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	// The authority ends at the first / ? or #; its userinfo at its last @.
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	auth, tail := rest[:end], rest[end:]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		userinfo, hosts := auth[:at], auth[at+1:]
		user, _, _ := strings.Cut(userinfo, ":")
		auth = hosts
		if user != "" {
			auth = user + "@" + hosts
		}
	}
	path, query, hasQuery := strings.Cut(tail, "?")
	if hasQuery {
		frag := ""
		if i := strings.IndexByte(query, '#'); i >= 0 {
			query, frag = query[:i], query[i:]
		}
		var kept []string
		for _, p := range strings.Split(query, "&") {
			k, _, _ := strings.Cut(p, "=")
			if strings.EqualFold(k, "password") {
				continue
			}
			kept = append(kept, p)
		}
		tail = path
		if len(kept) > 0 {
			tail += "?" + strings.Join(kept, "&")
		}
		tail += frag
	}
	return scheme + "://" + auth + tail
}

var (
	urlPasswordRE   = lazyRegexp(`(?i)(postgres(?:ql)?://[^\s:/?#@]*):[^\s@/]*@`)
	queryPasswordRE = lazyRegexp(`(?i)([?&]password=)[^&#\s"']*`)
	// password=… of a keyword string (and PGPASSWORD=…): not after ? or &,
	// which the query form handled; an unquoted value runs to a space or quote.
	kvPasswordRE = lazyRegexp(`(?i)(^|[^?&])(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s"']+)`)
)

// RedactText replaces every DSN password in a message (an error quoting a
// DSN, a log line) by xxxxx.
func RedactText(msg string) string {
	msg = urlPasswordRE().ReplaceAllString(msg, "$1:xxxxx@")
	msg = queryPasswordRE().ReplaceAllString(msg, "${1}xxxxx")
	return kvPasswordRE().ReplaceAllString(msg, "${1}${2}xxxxx")
}
