package auth

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
)

func codeAt(t *testing.T, secret string, at time.Time) string {
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMFATokenExpires moves the clock past the mfa_token's five minutes.
func TestMFATokenExpires(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := newService(t, d, keys.ES256, c)
			tenant, user := seedUser(t, s)
			pair, err := s.openSession(ctx, tenant, user, sessionOptions{amr: []string{"pwd"}}, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			p := &Principal{TenantID: tenant.ID, UserID: user.ID, Email: user.Email, SessionID: pair.SessionID, Role: user.Role}
			e, err := s.StartTOTP(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConfirmTOTP(ctx, p, codeAt(t, e.Secret, c.now()), Meta{}); err != nil {
				t.Fatal(err)
			}
			ch, err := s.challenge(ctx, tenant, user)
			if err != nil {
				t.Fatal(err)
			}
			c.add(mfaTokenTTL + time.Second)
			if _, err := s.CompleteMFA(ctx, ch.MFAToken, Factor{Code: codeAt(t, e.Secret, c.now())}, Meta{}); err != errInvalidToken {
				t.Fatalf("expired mfa_token: %v", err)
			}
			ch2, _ := s.challenge(ctx, tenant, user)
			got, err := s.CompleteMFA(ctx, ch2.MFAToken, Factor{Code: codeAt(t, e.Secret, c.now())}, Meta{})
			if err != nil || !got.Claims.MFAVerified {
				t.Fatalf("fresh mfa_token: %v", err)
			}
		})
	}
}
