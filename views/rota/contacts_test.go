package rota

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
)

var (
	right = press(tea.KeyRight, 0)
	space = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	esc   = press(tea.KeyEscape, 0)
)

func myContacts(t *testing.T, st *oncall.Store, me string) []oncall.Contact {
	t.Helper()
	all, err := st.Contacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return all[me]
}

func TestContactAddedThroughTheRotaForm(t *testing.T) {
	st := testStore(t)
	tm, h := startScreen(t, st, "amelie")
	waitScreen(t, h, "Contacts", "none: paging cannot reach you")

	// A webhook with a token in its userinfo and query, preset ntfy.
	tm.Type("c")
	waitScreen(t, h, "Add a contact method", "› method", "email")
	tm.Send(right) // email → webhook
	waitScreen(t, h, "webhook")
	tm.Send(enter)
	hook := "https://amelie:pw@ntfy.example.org/amelie-pages?auth=s3cret"
	tm.Type(hook)
	tm.Send(enter)
	tm.Send(space) // "" → json
	tm.Send(space) // json → ntfy
	waitScreen(t, h, "ntfy")
	tm.Send(enter) // last field: submit
	waitScreen(t, h, "contact 1. webhook", "› 1. webhook  https://ntfy.example.org/amelie-pages (credentials hidden) (ntfy)")
	if f := h.Frame(); strings.Contains(f, "s3cret") || strings.Contains(f, "pw@") {
		t.Fatalf("the webhook's secrets are on screen:\n%s", f)
	}
	cs := myContacts(t, st, "amelie")
	if len(cs) != 1 || cs[0].Method != oncall.MethodWebhook || cs[0].Target != hook || cs[0].Preset != "ntfy" || cs[0].Position != 1 {
		t.Fatalf("contacts after the form: %+v", cs)
	}

	// Bad input: the store's validation shows in the form, nothing is written.
	tm.Type("c")
	waitScreen(t, h, "Add a contact method")
	tm.Send(enter) // method: email
	tm.Type("amelie at example")
	tm.Send(ctrlS)
	waitScreen(t, h, "refused:", `contact.target`, "not an email address")
	tm.Send(shiftTab)
	tm.Send(ctrlU)
	tm.Type("pager")
	waitScreen(t, h, `method "pager": want email, webhook or command`)
	tm.Send(ctrlS)
	waitScreen(t, h, "Add a contact method") // still open: the field check holds it
	tm.Send(esc)
	waitScreen(t, h, "Contacts", "1. webhook")
	if cs := myContacts(t, st, "amelie"); len(cs) != 1 {
		t.Fatalf("refused input was written: %+v", cs)
	}

	// A command with arguments shows its program name only; an email as is.
	tm.Type("c")
	waitScreen(t, h, "Add a contact method")
	tm.Send(right)
	tm.Send(right) // → command
	waitScreen(t, h, "command")
	tm.Send(enter)
	tm.Type("/usr/local/bin/notify-amelie --token abc123")
	tm.Send(ctrlS)
	waitScreen(t, h, "contact 2. command", "2. command  notify-amelie")
	if f := h.Frame(); strings.Contains(f, "abc123") || strings.Contains(f, "/usr/local/bin") {
		t.Fatalf("the command's arguments are on screen:\n%s", f)
	}
	tm.Type("c")
	waitScreen(t, h, "Add a contact method")
	tm.Send(enter)
	tm.Type("amelie@example.org")
	tm.Send(ctrlS)
	waitScreen(t, h, "3. email    amelie@example.org")
	cs = myContacts(t, st, "amelie")
	if len(cs) != 3 || cs[1].Target != "/usr/local/bin/notify-amelie --token abc123" || cs[2].Method != oncall.MethodEmail || cs[2].Position != 3 {
		t.Fatalf("contacts: %+v", cs)
	}
	if others := myContacts(t, st, "lucas"); len(others) != 0 {
		t.Fatalf("lucas got contacts: %+v", others)
	}
}

func TestContactRemovedOnlyWhenYConfirms(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	for _, c := range []oncall.Contact{{Method: "email", Target: "lucas@example.org"}, {Method: "command", Target: "/opt/page-lucas"}} {
		if _, err := st.AddContact(ctx, "lucas", c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddContact(ctx, "amelie", oncall.Contact{Method: "email", Target: "amelie@example.org"}); err != nil {
		t.Fatal(err)
	}
	tm, h := startScreen(t, st, "lucas")
	waitScreen(t, h, "› 1. email    lucas@example.org", "  2. command  page-lucas")
	if strings.Contains(h.Frame(), "amelie@example.org") {
		t.Fatalf("lucas sees amelie's contacts:\n%s", h.Frame())
	}
	tm.Type(">")
	waitScreen(t, h, "› 2. command  page-lucas")

	// A stray key keeps it (and is not taken as the screen's own key).
	tm.Type("C")
	waitScreen(t, h, "Remove a contact method", "2. command  page-lucas", "y removes")
	h.WaitCapturing(t, true)
	tm.Type("x")
	waitScreen(t, h, "kept contact 2. command")
	if cs := myContacts(t, st, "lucas"); len(cs) != 2 {
		t.Fatalf("a stray key removed a contact: %+v", cs)
	}

	tm.Type("C")
	waitScreen(t, h, "Remove a contact method")
	tm.Type("y")
	waitScreen(t, h, "removed contact 2. command", "› 1. email    lucas@example.org")
	cs := myContacts(t, st, "lucas")
	if len(cs) != 1 || cs[0].Target != "lucas@example.org" {
		t.Fatalf("after y: %+v", cs)
	}
	if cs := myContacts(t, st, "amelie"); len(cs) != 1 {
		t.Fatalf("amelie's contact was touched: %+v", cs)
	}
}
