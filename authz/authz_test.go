package authz

import (
	"strings"
	"testing"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		grant, perm, res string
		want             bool
	}{
		{"*", "anything:at_all", "", true},
		{"*", "a:b", "r1", true},
		{"conversations:*", "conversations:read", "", true},
		{"conversations:*", "conversations:read", "c-42", true},
		{"conversations:*", "conversations_admin:delete", "", false},
		{"conversations:read", "conversations:read", "", true},
		{"conversations:read", "conversations:read", "c-1", true},
		{"conversations:read", "conversations:write", "", false},
		{"conversations:delete:c-42", "conversations:delete", "c-42", true},
		{"conversations:delete:c-42", "conversations:delete", "c-43", false},
		{"conversations:delete:c-42", "conversations:delete", "", false},
		{"conversations:*:c-42", "conversations:write", "c-42", true},
		{"conversations:*:c-42", "conversations:write", "c-4", false},
		{"conv:*", "conversations:read", "", false},
		{"conversations", "conversations:read", "", false},
	}
	for _, tc := range tests {
		cat, act := split(tc.perm)
		if got := matches(tc.grant, cat, act, tc.res); got != tc.want {
			t.Errorf("matches(%q, %q, %q) = %v", tc.grant, tc.perm, tc.res, got)
		}
	}
}

func TestValidation(t *testing.T) {
	for p, ok := range map[string]bool{
		"*": true, "a:b": true, "a:*": true, "a:b:c-42": true, "a:*:R.1": true, "users:read": true,
		"": false, "a": false, ":b": false, "a:": false, "a::c": false, "a:b:c:d": false, "a b:c": false, "A:b": false,
		"a:b:" + strings.Repeat("x", 200): false, "*:b": false, "a:b c": false,
	} {
		if msg := ValidateGrant(p); (msg == "") != ok {
			t.Errorf("ValidateGrant(%q) = %q", p, msg)
		}
	}
	for p, ok := range map[string]bool{"a:b": true, "a:*": false, "*": false, "a:b:c": false, "a": false} {
		if msg := ValidatePermission(p); (msg == "") != ok {
			t.Errorf("ValidatePermission(%q) = %q", p, msg)
		}
	}
}

func TestChatbotCatalogue(t *testing.T) {
	c, err := NewCatalogue(PresetChatbot, []Role{{Name: "auditor", Level: 2, Permissions: []string{"admin:audit"}}, {Name: "owner", Level: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		role  string
		perms []string
		perm  string
		res   string
		want  bool
	}{
		{"owner", nil, "admin:security", "", true},
		{"admin", nil, "users:roles", "", true},
		{"admin", nil, "admin:security", "", false},
		{"developer", nil, "api:keys", "", true},
		{"developer", nil, "users:read", "", false},
		{"manager", nil, "users:invite", "", true},
		{"member", nil, "conversations:delete", "", false},
		{"member", []string{"conversations:delete:c-42"}, "conversations:delete", "c-42", true},
		{"member", []string{"conversations:delete:c-42"}, "conversations:delete", "c-7", false},
		{"viewer", nil, "conversations:write", "", false},
		{"api_user", nil, "api:write", "", true},
		{"auditor", nil, "admin:audit", "", true},
		{"nobody", nil, "conversations:read", "", false},
	}
	for _, tc := range tests {
		d := c.Check(Subject{Role: tc.role, Permissions: tc.perms}, tc.perm, tc.res)
		if d.Allowed != tc.want {
			t.Errorf("%s %v %s %s: %v (%s)", tc.role, tc.perms, tc.perm, tc.res, d.Allowed, d.Reason())
		}
	}
	if r, _ := c.Role("owner"); r.Custom || r.Level != 6 {
		t.Fatal("a custom role replaced the preset owner")
	}
	d := c.Check(Subject{Role: "admin"}, "users:read", "")
	if d.Reason() != "role admin grants users:*" {
		t.Fatalf("reason %q", d.Reason())
	}
}

func TestCovers(t *testing.T) {
	c, _ := NewCatalogue(PresetChatbot, nil)
	admin := Subject{Role: "admin"}
	for g, want := range map[string]bool{
		"users:read": true, "users:*": true, "conversations:delete:c-1": true, "admin:audit": true,
		"admin:security": false, "admin:*": false, "*": false, "billing:*": false,
	} {
		if got := c.Covers(admin, g); got != want {
			t.Errorf("admin covers %s = %v", g, got)
		}
	}
	if !c.Covers(Subject{Role: "owner"}, "*") {
		t.Fatal("owner does not cover *")
	}
	m := Subject{Role: "member", Permissions: []string{"conversations:*:c-1"}}
	if !c.Covers(m, "conversations:delete:c-1") || c.Covers(m, "conversations:delete:c-2") || c.Covers(m, "conversations:*") {
		t.Fatal("resource-scoped covers")
	}
}

func TestPresets(t *testing.T) {
	for _, p := range PresetNames() {
		c, err := NewCatalogue(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Roles() {
			if r.Level < MinLevel || r.Level > MaxLevel {
				t.Errorf("%s/%s level %d", p, r.Name, r.Level)
			}
			for _, g := range r.Permissions {
				if msg := ValidateGrant(g); msg != "" {
					t.Errorf("%s/%s grant %s: %s", p, r.Name, g, msg)
				}
			}
		}
		if c.Level("owner") != 6 || !c.Check(Subject{Role: "admin"}, "users:read", "").Allowed {
			t.Errorf("%s: owner or admin management missing", p)
		}
	}
	c, _ := NewCatalogue(PresetCoaching, nil)
	if !c.Check(Subject{Role: "creator"}, "read:own_data", "").Allowed || c.Check(Subject{Role: "support"}, "read:own_data", "").Allowed {
		t.Fatal("coaching preset")
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	c, _ := NewCatalogue(PresetChatbot, nil)
	s := Subject{Role: "developer", Permissions: []string{"conversations:delete:c-42", "billing:read"}}
	if n := testing.AllocsPerRun(1000, func() { c.Check(s, "integrations:execute", "c-42") }); n != 0 {
		t.Fatalf("%v allocations per check", n)
	}
}
