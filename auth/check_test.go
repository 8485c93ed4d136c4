package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
)

// TestPermissionRules: the questions of the check API, the refusals of
// Require (recorded once, as permission_denied) and who may end others'
// sessions.
func TestPermissionRules(t *testing.T) {
	ctx := context.Background()
	s := newService(t, "sqlite", keys.EdDSA, newClock())
	tn, owner := seedUser(t, s)
	now := time.Now().UTC()
	member := &identity.User{ID: uuid.NewString(), TenantID: tn.ID, Email: "m@bench.io", EmailKey: "m@bench.io", PasswordHash: "x",
		Role: identity.RoleMember, Status: identity.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := s.store.InTenant(ctx, tn.ID, func(tx *store.Tx) error { return tx.CreateUser(ctx, member) }); err != nil {
		t.Fatal(err)
	}
	asOwner := &Principal{TenantID: tn.ID, UserID: owner.ID, Role: owner.Role}
	asMember := &Principal{TenantID: tn.ID, UserID: member.ID, Role: member.Role}

	for _, c := range []struct {
		name    string
		p       *Principal
		q       Question
		allowed bool
		err     string // code and field
	}{
		{"owner reads users", asOwner, Question{Permission: "users:read"}, true, ""},
		{"member reads users", asMember, Question{Permission: "users:read"}, false, ""},
		{"invalid permission", asOwner, Question{Permission: "a::b"}, false, "unprocessable permission"},
		{"owner asks for the member", asOwner, Question{Permission: "users:read", UserID: member.ID}, false, ""},
		{"member asks for the owner", asMember, Question{Permission: "users:read", UserID: owner.ID}, false, "forbidden user_id"},
		{"member asks for itself by id", asMember, Question{Permission: "users:read", UserID: member.ID}, false, ""},
		{"unknown user", asOwner, Question{Permission: "users:read", UserID: uuid.NewString()}, false, "not_found "},
	} {
		a, err := s.Check(ctx, c.p, c.q)
		if got := errString(err); got != c.err || a.Allowed != c.allowed {
			t.Errorf("%s: %+v %q, want allowed=%v %q", c.name, a, got, c.allowed, c.err)
		}
	}
	if _, err := s.CheckBatch(ctx, asOwner, nil); errString(err) != "unprocessable checks" {
		t.Errorf("empty batch: %v", err)
	}
	if _, err := s.CheckBatch(ctx, asOwner, []Question{{Permission: "users:read"}, {Permission: "a::b"}}); errString(err) != "unprocessable checks[1].permission" {
		t.Errorf("batch names the bad check: %v", err)
	}

	meta := Meta{IP: "192.0.2.1", UserAgent: "test", Route: "PATCH /v1/users/{id}"}
	if err := s.Require(ctx, asOwner, "users:roles", meta); err != nil {
		t.Fatal(err)
	}
	err := s.Require(ctx, asMember, "users:roles", meta)
	var denied *DeniedError
	if !errors.As(err, &denied) || rampart.ErrorCode(err) != rampart.EForbidden || rampart.ErrorMessage(err) != "permission users:roles is required" {
		t.Fatalf("member: %v", err)
	}
	role := identity.RoleAdmin
	if _, err := s.UpdateUser(ctx, asMember, owner.ID, UserChange{Role: &role}, meta); !errors.As(err, &denied) {
		t.Fatalf("a role change without users:roles: %v", err)
	}
	events, err := s.store.SearchAudit(ctx, tn.ID, audit.Filter{Type: string(audit.PermissionDenied), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Resource != meta.Route || events[0].UserID != member.ID || events[0].Details["permission"] != "users:roles" {
		t.Fatalf("events: %+v", events)
	}

	if !s.mayManageSessions(ctx, asOwner) || s.mayManageSessions(ctx, asMember) {
		t.Fatal("users:write decides who ends others' sessions")
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	var e *rampart.Error
	errors.As(err, &e)
	return rampart.ErrorCode(err) + " " + e.Field
}
