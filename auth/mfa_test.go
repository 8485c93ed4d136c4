package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rampart-dev/rampart/identity"
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
			ch, secret, tenant, user := enrolledChallenge(t, s, c)
			c.add(mfaTokenTTL + time.Second)
			if _, err := s.CompleteMFA(ctx, ch.MFAToken, Factor{Code: codeAt(t, secret, c.now())}, Meta{}); err != errInvalidToken {
				t.Fatalf("expired mfa_token: %v", err)
			}
			ch2, _ := s.challenge(ctx, tenant, user, "")
			got, err := s.CompleteMFA(ctx, ch2.MFAToken, Factor{Code: codeAt(t, secret, c.now())}, Meta{})
			if err != nil || !got.Claims.MFAVerified {
				t.Fatalf("fresh mfa_token: %v", err)
			}
		})
	}
}

// TestParallelWrongCodesSpendFiveAttempts sends 100 wrong codes for one
// mfa_token at once: exactly five are judged (wrong code), the others find the
// token spent, and the right code afterwards no longer completes the login.
// The user's lockout is raised so that only the token's own limit decides.
func TestParallelWrongCodesSpendFiveAttempts(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := newService(t, d, keys.ES256, c)
			s.lockout.Threshold = 1000
			ch, secret, _, _ := enrolledChallenge(t, s, c)
			right := codeAt(t, secret, c.now())
			wrong := "000000"
			if wrong == right {
				wrong = "111111"
			}
			var (
				wg              sync.WaitGroup
				mu              sync.Mutex
				judged, refused int
			)
			for i := 0; i < 100; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := s.CompleteMFA(ctx, ch.MFAToken, Factor{Code: wrong}, Meta{})
					mu.Lock()
					defer mu.Unlock()
					switch err {
					case errInvalidCode:
						judged++
					case errInvalidToken:
						refused++
					default:
						t.Errorf("unexpected answer: %v", err)
					}
				}()
			}
			wg.Wait()
			if judged != mfaTokenFailures || refused != 100-mfaTokenFailures {
				t.Fatalf("judged %d wrong codes and refused %d; want %d and %d", judged, refused, mfaTokenFailures, 100-mfaTokenFailures)
			}
			if _, err := s.CompleteMFA(ctx, ch.MFAToken, Factor{Code: right}, Meta{}); err != errInvalidToken {
				t.Fatalf("right code on a spent token: %v", err)
			}
		})
	}
}

// enrolledChallenge enrols a user in TOTP and starts an MFA login for them:
// the pending challenge and the TOTP secret.
func enrolledChallenge(t *testing.T, s *Service, c *clock) (*Challenge, string, *identity.Tenant, *identity.User) {
	t.Helper()
	ctx := context.Background()
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
	ch, err := s.challenge(ctx, tenant, user, "")
	if err != nil {
		t.Fatal(err)
	}
	return ch, e.Secret, tenant, user
}
