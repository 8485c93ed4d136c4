package auth

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// MFA limits.
const (
	mfaTokenTTL       = 5 * time.Minute // an mfa_token lives this long
	mfaTokenFailures  = 5               // wrong codes that kill an mfa_token
	restrictedScope   = "mfa:enroll"    // the only scope of a restricted token
	backupCodePurpose = "backup-codes"
)

// MFA methods offered after a password.
var mfaMethods = []string{"totp", "backup_code"}

// Challenge is the answer to a password login of a user with MFA.
type Challenge struct {
	MFAToken string
	Methods  []string
}

var (
	errInvalidCode = rampart.Errorf(rampart.EUnauthorized, "invalid code")
	errNoTOTP      = rampart.Errorf(rampart.EConflict, "MFA is not enabled")
)

// Factor is a second factor as the user typed it: a TOTP code or a backup
// code (exactly one).
type Factor struct {
	Code       string
	BackupCode string
}

func (f Factor) check() error {
	if (f.Code == "") == (f.BackupCode == "") {
		return rampart.FieldError(rampart.EInvalid, "code", "give either code or backup_code")
	}
	return nil
}

// mfaKey is the counter of wrong second factors of one user, shared by every
// way of presenting one, so that new mfa_tokens do not buy new guesses.
func (s *Service) mfaKey(tenantID, userID string) string {
	return s.lockout.Key(tenantID, "mfa:"+userID)
}

// verifyFactor checks a factor inside tx under the per-user counter. It
// reports whether it matched and whether a backup code was spent. A wrong or
// malformed factor counts as a failure.
func (s *Service) verifyFactor(ctx context.Context, tx *store.Tx, tenantID, userID string, f Factor, now time.Time) (ok, backup bool, err error) {
	// A code sent by e-mail or SMS (POST /v1/auth/mfa/send) is accepted
	// like a TOTP code, under the same counters.
	if f.Code != "" {
		if ok, err := s.matchSentCode(ctx, tx, tenantID, userID, f.Code, now); err != nil || ok {
			return ok, false, err
		}
	}
	t, err := tx.TOTP(ctx, userID)
	if rampart.ErrorCode(err) == rampart.ENotFound || (err == nil && t.ConfirmedAt.IsZero()) {
		if f.Code != "" {
			if channels, cerr := tx.MFAChannels(ctx, userID); cerr != nil || len(channels) > 0 {
				return false, false, cerr
			}
		}
		return false, false, errNoTOTP
	}
	if err != nil {
		return false, false, err
	}
	if f.Code != "" {
		code, ferr := identity.NormalizeTOTPCode("code", f.Code)
		if ferr != nil {
			return false, false, nil
		}
		secret, err := s.openTOTP(ctx, tenantID, userID, t.Sealed)
		if err != nil {
			return false, false, err
		}
		step, match := identity.MatchTOTP(secret, code, now, t.LastStep)
		if !match {
			return false, false, nil
		}
		used, err := tx.UseTOTPStep(ctx, userID, step, false, now)
		return used, false, err
	}
	code, ferr := identity.NormalizeBackupCode("backup_code", f.BackupCode)
	if ferr != nil {
		return false, false, nil
	}
	_, used, err := tx.UseBackupCode(ctx, userID, identity.HashBackupCode(s.master.Derive(backupCodePurpose), tenantID, userID, code))
	return used, used, err
}

// checkFactor verifies a factor for an authenticated user, under the counter,
// writing mfa_success or mfa_failure (and backup_code_used); then runs then
// in the same transaction.
func (s *Service) checkFactor(ctx context.Context, p *Principal, f Factor, meta Meta, purpose string, then func(tx *store.Tx) error) error {
	if err := f.check(); err != nil {
		return err
	}
	now := s.now()
	attempt, retry, err := s.lockout.Begin(ctx, s.mfaKey(p.TenantID, p.UserID), now)
	if err != nil {
		return err
	}
	if attempt == nil {
		return lockedError(retry)
	}
	var ok, backup bool
	s.warmTOTP(ctx, p.TenantID)
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if ok, backup, err = s.verifyFactor(ctx, tx, p.TenantID, p.UserID, f, now); err != nil || !ok {
			return err
		}
		events := []*audit.Event{{Type: audit.MFASuccess, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "session:" + p.SessionID, Success: true, Details: map[string]any{"purpose": purpose, "method": method(backup)}}}
		if backup {
			events = append(events, &audit.Event{Type: audit.BackupCodeUsed, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
				Resource: "user:" + p.UserID, Success: true})
		}
		for _, e := range events {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return then(tx)
	})
	if err != nil {
		return err
	}
	if !ok {
		if _, err := s.lockout.Fail(ctx, attempt, now); err != nil {
			return err
		}
		s.appendEvents(ctx, p.TenantID, &audit.Event{Type: audit.MFAFailure, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "session:" + p.SessionID, Success: false, Details: map[string]any{"purpose": purpose}})
		return errInvalidCode
	}
	return s.lockout.Succeed(ctx, attempt)
}

func method(backup bool) string {
	if backup {
		return "backup_code"
	}
	return "totp"
}

// Enrolment is a TOTP secret being set up.
type Enrolment struct {
	Secret string // base32
	URI    string // otpauth:// key URI
	QRPNG  string // data:image/png;base64,…
}

// StartTOTP creates (or replaces an unconfirmed) TOTP secret for the caller.
func (s *Service) StartTOTP(ctx context.Context, p *Principal) (*Enrolment, error) {
	secret, err := identity.NewTOTPSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealTOTP(ctx, p.TenantID, p.UserID, secret)
	if err != nil {
		return nil, err
	}
	var tenant *identity.Tenant
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if tenant, err = tx.Tenant(ctx, p.TenantID); err != nil {
			return err
		}
		return tx.PutTOTP(ctx, p.UserID, sealed, s.now())
	})
	if err != nil {
		return nil, err
	}
	uri := identity.KeyURI(s.cfg.DeploymentName+" ("+tenant.Name+")", p.Email, secret)
	qr, err := identity.QRDataURI(uri)
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: identity.EncodeSecret(secret), URI: uri, QRPNG: qr}, nil
}

// ConfirmTOTP activates the caller's pending secret with a valid current code
// and returns the backup codes, which are shown this once. The caller's
// session counts as MFA-verified from now (and loses any restriction).
func (s *Service) ConfirmTOTP(ctx context.Context, p *Principal, code string, meta Meta) ([]string, error) {
	c, err := identity.NormalizeTOTPCode("code", code)
	if err != nil {
		return nil, err
	}
	now := s.now()
	attempt, retry, err := s.lockout.Begin(ctx, s.mfaKey(p.TenantID, p.UserID), now)
	if err != nil {
		return nil, err
	}
	if attempt == nil {
		return nil, lockedError(retry)
	}
	codes, err := identity.NewBackupCodes()
	if err != nil {
		return nil, err
	}
	ok := false
	s.warmTOTP(ctx, p.TenantID)
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		t, err := tx.TOTP(ctx, p.UserID)
		if rampart.ErrorCode(err) == rampart.ENotFound {
			return rampart.Errorf(rampart.EConflict, "no TOTP enrolment in progress; start one first")
		}
		if err != nil {
			return err
		}
		if !t.ConfirmedAt.IsZero() {
			return rampart.Errorf(rampart.EConflict, "TOTP is already enabled")
		}
		secret, err := s.openTOTP(ctx, p.TenantID, p.UserID, t.Sealed)
		if err != nil {
			return err
		}
		step, match := identity.MatchTOTP(secret, c, now, t.LastStep)
		if !match {
			return nil
		}
		if ok, err = tx.UseTOTPStep(ctx, p.UserID, step, true, now); err != nil || !ok {
			return err
		}
		if err := tx.ReplaceBackupCodes(ctx, p.UserID, s.hashCodes(p.TenantID, p.UserID, codes), now); err != nil {
			return err
		}
		if err := tx.MarkSessionMFA(ctx, p.SessionID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.MFAEnrolled, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true, Details: map[string]any{"method": "totp"}})
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		s.lockout.Fail(ctx, attempt, now)
		s.appendEvents(ctx, p.TenantID, &audit.Event{Type: audit.MFAFailure, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: false, Details: map[string]any{"purpose": "enrolment"}})
		return nil, rampart.FieldError(rampart.EUnprocessable, "code", "the code does not match; check the authenticator's clock")
	}
	s.lockout.Succeed(ctx, attempt)
	s.revokedSessions(ctx, []string{p.SessionID}) // reload: no longer restricted
	return codes, nil
}

func (s *Service) hashCodes(tenantID, userID string, codes []string) []string {
	key := s.master.Derive(backupCodePurpose)
	out := make([]string, len(codes))
	for i, c := range codes {
		n, _ := identity.NormalizeBackupCode("backup_code", c)
		out[i] = identity.HashBackupCode(key, tenantID, userID, n)
	}
	return out
}

// RegenerateBackupCodes replaces the caller's backup codes; it needs a fresh
// TOTP code (not a backup code).
func (s *Service) RegenerateBackupCodes(ctx context.Context, p *Principal, code string, meta Meta) ([]string, error) {
	if code == "" {
		return nil, rampart.FieldError(rampart.EInvalid, "code", "code is required")
	}
	codes, err := identity.NewBackupCodes()
	if err != nil {
		return nil, err
	}
	err = s.checkFactor(ctx, p, Factor{Code: code}, meta, "regenerate backup codes", func(tx *store.Tx) error {
		if err := tx.ReplaceBackupCodes(ctx, p.UserID, s.hashCodes(p.TenantID, p.UserID, codes), s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.BackupCodesRegen, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP removes the caller's MFA; it needs a current code or a backup code.
func (s *Service) DisableTOTP(ctx context.Context, p *Principal, f Factor, meta Meta) error {
	return s.checkFactor(ctx, p, f, meta, "disable", func(tx *store.Tx) error {
		if _, err := tx.DeleteMFA(ctx, p.UserID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.MFADisabled, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true, Details: map[string]any{"by": "self"}})
	})
}

// ResetMFA removes another user's MFA (an admin's action, audited).
func (s *Service) ResetMFA(ctx context.Context, p *Principal, userID string, meta Meta) error {
	return s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if _, err := s.checkTarget(ctx, tx, p, userID); err != nil {
			return err
		}
		had, err := tx.DeleteMFA(ctx, userID)
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.MFADisabled, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + userID, Success: true, Details: map[string]any{"by": "admin", "was_enabled": had}})
	})
}

// StepUp checks a second factor for the caller's session and returns a new
// access token with mfa_verified, for operations that need a recent one.
func (s *Service) StepUp(ctx context.Context, p *Principal, f Factor, meta Meta) (*TokenPair, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	var tenant *identity.Tenant
	var user *identity.User
	var sess *identity.Session
	err := s.checkFactor(ctx, p, f, meta, "step-up", func(tx *store.Tx) (err error) {
		if err := tx.MarkSessionMFA(ctx, p.SessionID, now); err != nil {
			return err
		}
		if tenant, err = tx.Tenant(ctx, p.TenantID); err != nil {
			return err
		}
		if user, err = tx.UserByID(ctx, p.UserID); err != nil {
			return err
		}
		sess, err = tx.Session(ctx, p.SessionID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.revokedSessions(ctx, []string{p.SessionID}) // reload the session's MFA time
	return s.sign(tenant, user, sess, "", now)
}

// challenge creates an mfa_token for a user who passed their password.
func (s *Service) challenge(ctx context.Context, tenant *identity.Tenant, user *identity.User, deviceID string) (*Challenge, error) {
	raw, hash, err := identity.NewMFAToken(tenant.ID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	amr, _ := json.Marshal([]string{"pwd"})
	var methods []string
	err = s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) (err error) {
		if methods, _, err = s.methodsOf(ctx, tx, tenant, user.ID); err != nil {
			return err
		}
		return tx.InsertChallenge(ctx, &store.Challenge{Hash: hash, UserID: user.ID, AMR: string(amr), CreatedAt: now, ExpiresAt: now.Add(mfaTokenTTL), DeviceID: deviceID})
	})
	if err != nil {
		return nil, err
	}
	return &Challenge{MFAToken: raw, Methods: methods}, nil
}

// CompleteMFA finishes a login with the mfa_token and a second factor. Wrong,
// malformed or replayed codes count toward the token's limit of five and the
// user's counter; the token works once.
func (s *Service) CompleteMFA(ctx context.Context, mfaToken string, f Factor, meta Meta) (*TokenPair, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	tenantID, err := identity.ParseMFAToken(mfaToken)
	if err != nil {
		return nil, errInvalidToken
	}
	if err := s.checkIPOf(ctx, tenantID, meta); err != nil {
		return nil, err
	}
	hash := identity.HashToken(mfaToken)
	now := s.now()
	var (
		c      *store.Challenge
		user   *identity.User
		tenant *identity.Tenant
	)
	err = s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if c, err = tx.Challenge(ctx, hash); err != nil {
			return err
		}
		if user, err = tx.UserByID(ctx, c.UserID); err != nil {
			return err
		}
		tenant, err = tx.Tenant(ctx, tenantID)
		return err
	})
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, err
	}
	if !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt) || c.Failures >= mfaTokenFailures ||
		user.Status != identity.UserActive || tenant.Status != identity.TenantActive {
		return nil, errInvalidToken
	}
	attempt, retry, err := s.lockout.Begin(ctx, s.mfaKey(tenantID, user.ID), now)
	if err != nil {
		return nil, err
	}
	if attempt == nil {
		return nil, lockedError(retry)
	}
	var ok, backup, raced bool
	s.warmTOTP(ctx, tenantID)
	var spent bool
	err = s.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		// Spend the attempt first: the check above was only a fast refusal.
		if left, err := tx.AttemptChallenge(ctx, hash, now, mfaTokenFailures); err != nil || !left {
			spent = !left
			return err
		}
		if ok, backup, err = s.verifyFactor(ctx, tx, tenantID, user.ID, f, now); err != nil || !ok {
			return err
		}
		used, err := tx.UseChallenge(ctx, hash, now)
		if err != nil {
			return err
		}
		if !used {
			raced = true
			return errInvalidToken // another request completed it: undo this one's code use
		}
		events := []*audit.Event{{Type: audit.MFASuccess, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + user.ID, Success: true, Details: map[string]any{"purpose": "login", "method": method(backup)}}}
		if backup {
			events = append(events, &audit.Event{Type: audit.BackupCodeUsed, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
				Resource: "user:" + user.ID, Success: true})
		}
		for _, e := range events {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if raced || spent {
		return nil, errInvalidToken
	}
	if err == errNoTOTP {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		s.lockout.Fail(ctx, attempt, now)
		s.appendEvents(ctx, tenantID, &audit.Event{Type: audit.MFAFailure, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + user.ID, Success: false, Details: map[string]any{"purpose": "login", "method": method(f.BackupCode != "")}})
		return nil, errInvalidCode
	}
	s.lockout.Succeed(ctx, attempt)
	return s.openSession(ctx, tenant, user, sessionOptions{amr: []string{"pwd", "otp"}, mfaAt: now, deviceID: c.DeviceID}, meta)
}
