package conformance

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"codeberg.org/entretien/entretien/oncall"
)

func testMembers(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)

	chloe, err := st.AddMember(ctx, oncall.Member{Handle: "chloe", Name: "Chloé 🌻", TZ: "Europe/Brussels",
		Contact: "@chloe:matrix.org", OSUsers: []string{"chloe", "cb", "chloe"}})
	if err != nil {
		t.Fatal(err)
	}
	if chloe.ID == 0 || !chloe.CreatedAt.Equal(t0) {
		t.Fatalf("ID/CreatedAt not set: %+v", chloe)
	}
	if !reflect.DeepEqual(chloe.OSUsers, []string{"chloe", "cb"}) {
		t.Fatalf("OS users not deduplicated in order: %v", chloe.OSUsers)
	}
	mustMember(t, st, "amelie", "Europe/Paris", "amelie")
	mustMember(t, st, "kenji", "Asia/Tokyo")

	all, err := st.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var handles []string
	for _, m := range all {
		handles = append(handles, m.Handle)
	}
	if !reflect.DeepEqual(handles, []string{"amelie", "chloe", "kenji"}) {
		t.Fatalf("Members not sorted by handle: %v", handles)
	}
	if k := all[2]; k.OSUsers == nil || len(k.OSUsers) != 0 {
		t.Fatalf("member without OS users: %#v", k.OSUsers)
	}

	got, err := st.Member(ctx, "chloe")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, chloe) {
		t.Fatalf("Member round trip:\n got %+v\nwant %+v", got, chloe)
	}
	byOS, err := st.MemberByOSUser(ctx, "cb")
	if err != nil || byOS.Handle != "chloe" {
		t.Fatalf("MemberByOSUser(cb) = %v, %v", byOS.Handle, err)
	}

	_, err = st.Member(ctx, "nobody")
	wantNotFound(t, err)
	if !strings.Contains(err.Error(), `"nobody"`) {
		t.Fatalf("not-found error does not say what: %v", err)
	}
	_, err = st.MemberByOSUser(ctx, "root")
	wantNotFound(t, err)
}

func testAddMemberRejects(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)
	mustMember(t, st, "amelie", "Europe/Paris", "amelie")

	cases := []struct {
		name  string
		m     oncall.Member
		field string
	}{
		{"bad tz", oncall.Member{Handle: "x", Name: "X", TZ: "Europe/Pariss"}, "member.tz"},
		{"empty tz", oncall.Member{Handle: "x", Name: "X"}, "member.tz"},
		{"Local tz", oncall.Member{Handle: "x", Name: "X", TZ: "Local"}, "member.tz"},
		{"uppercase handle", oncall.Member{Handle: "Amelie", Name: "X", TZ: "UTC"}, "member.handle"},
		{"handle starts with digit", oncall.Member{Handle: "1x", Name: "X", TZ: "UTC"}, "member.handle"},
		{"handle too long", oncall.Member{Handle: "a" + strings.Repeat("b", 32), Name: "X", TZ: "UTC"}, "member.handle"},
		{"empty name", oncall.Member{Handle: "x", Name: "  ", TZ: "UTC"}, "member.name"},
		{"escape in name", oncall.Member{Handle: "x", Name: "X\x1b[31m", TZ: "UTC"}, "member.name"},
		{"os user with space", oncall.Member{Handle: "x", Name: "X", TZ: "UTC", OSUsers: []string{"a b"}}, "member.os_users"},
		{"taken handle", oncall.Member{Handle: "amelie", Name: "X", TZ: "UTC"}, "member.handle"},
		{"taken os user", oncall.Member{Handle: "x", Name: "X", TZ: "UTC", OSUsers: []string{"x", "amelie"}}, "member.os_users"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := st.AddMember(ctx, c.m)
			wantValidation(t, err, c.field)
			if n := count(t, st, "members"); n != 1 {
				t.Fatalf("%d members after a refused add", n)
			}
			if n := count(t, st, "member_os_users"); n != 1 {
				t.Fatalf("%d os users after a refused add", n)
			}
		})
	}

	// The message names field, value and reason.
	_, err := st.AddMember(ctx, oncall.Member{Handle: "x", Name: "X", TZ: "Europe/Pariss"})
	if got := err.Error(); got != `member.tz "Europe/Pariss": unknown time zone` {
		t.Fatalf("error reads %q", got)
	}
	handle32 := "a" + strings.Repeat("b", 31)
	if _, err := st.AddMember(ctx, oncall.Member{Handle: handle32, Name: "X", TZ: "UTC"}); err != nil {
		t.Fatalf("32-character handle refused: %v", err)
	}
}

func testMe(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)
	u, err := oncall.CurrentOSUser()
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Me(ctx)
	wantNotFound(t, err)
	if !strings.Contains(err.Error(), u) {
		t.Fatalf("Me error does not name the OS user: %v", err)
	}
	mustMember(t, st, "amelie", "Europe/Paris", u)
	me, err := st.Me(ctx)
	if err != nil || me.Handle != "amelie" {
		t.Fatalf("Me = %q, %v", me.Handle, err)
	}
}
