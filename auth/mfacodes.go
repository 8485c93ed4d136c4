package auth

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// Second factors by code: a code sent by e-mail or SMS to a channel the
// user confirmed. SMS is the weakest (SIM swaps, SS7 interception); tenants
// may forbid it (settings forbid_sms) and allow-list the regions whose
// numbers receive codes (sms_regions).
const (
	MethodEmail = "email"
	MethodSMS   = "sms"

	purposeMFACode    = "mfa_code"    // a code sent at login or for step-up
	purposeEnrolEmail = "enrol_email" // confirms the e-mail factor
	purposeEnrolSMS   = "enrol_sms"   // confirms the SMS factor
)

var errSMSForbidden = rampart.Errorf(rampart.EForbidden, "this tenant does not allow codes by SMS")

// phoneAAD binds a master-key seal of a phone number to its tenant and
// user (rows written before phones went under the tenant's keys).
func phoneAAD(tenantID, userID string) []byte {
	return []byte("rampart/phone/" + tenantID + "/" + userID)
}

// phoneContext binds a phone number's ciphertext to its user.
func phoneContext(userID string) string { return "rampart/mfa_phone/" + userID }

// sealPhone encrypts a phone number under the tenant's phone key (envelope
// encryption: rotation and re-encryption reach it like the TOTP secrets);
// without a vault, under the master key.
func (s *Service) sealPhone(ctx context.Context, tenantID, userID, phone string) (string, error) {
	if s.vault == nil {
		b, err := s.master.Seal([]byte(phone), phoneAAD(tenantID, userID))
		return base64.StdEncoding.EncodeToString(b), err
	}
	return s.vault.Encrypt(ctx, vault.Field{TenantID: tenantID, Purpose: keys.PurposePhone, Context: phoneContext(userID)}, []byte(phone))
}

// openPhone decrypts a stored phone number: envelope ciphertexts ("rc1:"),
// and the master-key seals of older rows.
func (s *Service) openPhone(ctx context.Context, tenantID, userID, sealed string) (string, error) {
	if strings.HasPrefix(sealed, keys.CiphertextPrefix) && s.vault != nil {
		pt, _, err := s.vault.Decrypt(ctx, tenantID, phoneContext(userID), sealed)
		return string(pt), err
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return "", err
	}
	pt, err := s.master.Open(b, phoneAAD(tenantID, userID))
	return string(pt), err
}

// checkPhone normalises a number to E.164 and checks it against the
// tenant's SMS policy; it returns the number and its calling code.
func (s *Service) checkPhone(t *identity.Tenant, raw string) (string, string, error) {
	if t.Policy.ForbidSMS {
		return "", "", errSMSForbidden
	}
	region := strings.ToUpper(s.cfg.PhoneRegion)
	n, err := phonenumbers.Parse(strings.TrimSpace(raw), region)
	if len(raw) > 64 || err != nil || !phonenumbers.IsValidNumber(n) {
		return "", "", rampart.FieldError(rampart.EUnprocessable, "phone", "phone is not a valid phone number")
	}
	allowed := t.Policy.SMSRegions
	if len(allowed) == 0 && region != "" {
		allowed = []string{region}
	}
	if len(allowed) > 0 {
		got := phonenumbers.GetRegionCodeForNumber(n)
		ok := false
		for _, r := range allowed {
			ok = ok || strings.EqualFold(r, got)
		}
		if !ok {
			return "", "", rampart.FieldError(rampart.EUnprocessable, "phone", "numbers of region %s cannot receive codes in this tenant", got)
		}
	}
	return phonenumbers.Format(n, phonenumbers.E164), strconv.Itoa(int(n.GetCountryCode())), nil
}

// methodsOf lists the second factors a user may use now.
func (s *Service) methodsOf(ctx context.Context, tx *store.Tx, t *identity.Tenant, userID string) ([]string, []store.MFAChannel, error) {
	var methods []string
	totp, err := tx.TOTP(ctx, userID)
	if err != nil && rampart.ErrorCode(err) != rampart.ENotFound {
		return nil, nil, err
	}
	if err == nil && !totp.ConfirmedAt.IsZero() {
		methods = append(methods, mfaMethods...)
	}
	channels, err := tx.MFAChannels(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	var usable []store.MFAChannel
	for _, c := range channels {
		if c.Method == MethodSMS && t.Policy.ForbidSMS {
			continue
		}
		methods = append(methods, c.Method)
		usable = append(usable, c)
	}
	return methods, usable, nil
}

// sendCode mints a code of purpose for the user and queues it to the
// e-mail address or (sealed) phone number, in tx.
func (s *Service) sendCode(ctx context.Context, tx *store.Tx, t *identity.Tenant, userID, purpose, method, to, sealedTarget, why string) error {
	now := s.now()
	tok, err := s.mint(t, t.ID, userID, purpose, false, true, now)
	if err != nil {
		return err
	}
	tok.row.Channel, tok.row.Target = method, sealedTarget
	if err := tx.IssueAccountToken(ctx, tok.row, now); err != nil {
		return err
	}
	_, codeTTL := lifetimes(t)
	data := map[string]any{"code": tok.code, "expires_in_minutes": int(codeTTL.Minutes()), "purpose": why}
	key := purpose + "." + tok.row.ID
	if method == MethodSMS {
		return s.messenger.QueueSMS(ctx, tx, to, courier.KindOTPCode, data, s.brand(t), key)
	}
	return s.messenger.QueueMail(ctx, tx, to, courier.KindOTPCode, data, s.brand(t), key)
}

// StartCodeEnrolment sends a code that confirms the caller's e-mail address
// (method email) or phone number (method sms) as a second factor.
func (s *Service) StartCodeEnrolment(ctx context.Context, p *Principal, method, phone string, meta Meta) error {
	if s.messenger == nil {
		return rampart.Errorf(rampart.EUnavailable, "messages are not configured on this deployment")
	}
	t, err := s.tenantOf(ctx, p.TenantID)
	if err != nil {
		return err
	}
	to, country, purpose, sealed := p.Email, "", purposeEnrolEmail, ""
	if method == MethodSMS {
		if to, country, err = s.checkPhone(t, phone); err != nil {
			return err
		}
		if sealed, err = s.sealPhone(ctx, t.ID, p.UserID, to); err != nil {
			return err
		}
		purpose = purposeEnrolSMS
	}
	if err := s.sendLimit(ctx, t.ID, to, country, meta.IP, s.now()); err != nil {
		return err
	}
	return s.store.InTenant(ctx, t.ID, func(tx *store.Tx) error {
		if err := s.sendCode(ctx, tx, t, p.UserID, purpose, method, to, sealed, "confirm this "+map[string]string{MethodEmail: "address", MethodSMS: "number"}[method]); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.MFACodeSent, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true, Details: map[string]any{"method": method, "purpose": "enrolment"}})
	})
}

// ConfirmCodeEnrolment confirms the e-mail or SMS factor with the code sent
// by StartCodeEnrolment, under the same counters as every second factor.
// The caller's session counts as MFA-verified from now.
func (s *Service) ConfirmCodeEnrolment(ctx context.Context, p *Principal, method, code string, meta Meta) error {
	c, err := identity.NormalizeCode("code", code)
	if err != nil {
		return err
	}
	t, err := s.tenantOf(ctx, p.TenantID)
	if err != nil {
		return err
	}
	if method == MethodSMS && t.Policy.ForbidSMS {
		return errSMSForbidden
	}
	purpose := purposeEnrolEmail
	if method == MethodSMS {
		purpose = purposeEnrolSMS
	}
	now := s.now()
	attempt, retry, err := s.lockout.Begin(ctx, s.mfaKey(p.TenantID, p.UserID), now)
	if err != nil {
		return err
	}
	if attempt == nil {
		return lockedError(retry)
	}
	matched := false
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		row, err := s.matchCode(ctx, tx, p.TenantID, p.UserID, purpose, c, now)
		if err != nil || row == nil {
			return err
		}
		if ok, err := tx.UseAccountToken(ctx, row.ID, false, now); err != nil || !ok {
			return err
		}
		matched = true
		if err := tx.PutMFAChannel(ctx, p.UserID, store.MFAChannel{Method: method, Target: row.Target, ConfirmedAt: now}); err != nil {
			return err
		}
		if method == MethodEmail {
			if err := tx.MarkEmailVerified(ctx, p.UserID, now); err != nil {
				return err
			}
		}
		if err := tx.MarkSessionMFA(ctx, p.SessionID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.MFAEnrolled, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true, Details: map[string]any{"method": method}})
	})
	if err != nil {
		return err
	}
	if !matched {
		s.lockout.Fail(ctx, attempt, now)
		return errInvalidCode
	}
	s.lockout.Succeed(ctx, attempt)
	s.revokedSessions(ctx, []string{p.SessionID})
	return nil
}

// SendLoginCode sends a code for the login an mfa_token stands for, by
// one of the user's e-mail or SMS factors (method). The code is then
// accepted by CompleteMFA like a TOTP code.
func (s *Service) SendLoginCode(ctx context.Context, mfaToken, method string, meta Meta) error {
	tenantID, err := identity.ParseMFAToken(mfaToken)
	if err != nil {
		return errInvalidToken
	}
	if err := s.checkIPOf(ctx, tenantID, meta); err != nil {
		return err
	}
	now := s.now()
	var (
		c      *store.Challenge
		user   *identity.User
		tenant *identity.Tenant
		target store.MFAChannel
		found  bool
	)
	err = s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if c, err = tx.Challenge(ctx, identity.HashToken(mfaToken)); err != nil {
			return err
		}
		if user, err = tx.UserByID(ctx, c.UserID); err != nil {
			return err
		}
		if tenant, err = tx.Tenant(ctx, tenantID); err != nil {
			return err
		}
		_, channels, err := s.methodsOf(ctx, tx, tenant, user.ID)
		for _, ch := range channels {
			if ch.Method == method {
				target, found = ch, true
			}
		}
		return err
	})
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return errInvalidToken
	}
	if err != nil {
		return err
	}
	if !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt) || c.Failures >= mfaTokenFailures ||
		user.Status != identity.UserActive || tenant.Status != identity.TenantActive {
		return errInvalidToken
	}
	if !found {
		if method == MethodSMS && tenant.Policy.ForbidSMS {
			return errSMSForbidden
		}
		return rampart.FieldError(rampart.EUnprocessable, "method", "method must be one of the user's e-mail or SMS factors")
	}
	to, country := user.Email, ""
	if method == MethodSMS {
		if to, err = s.openPhone(ctx, tenantID, user.ID, target.Target); err != nil {
			return err
		}
		if n, perr := phonenumbers.Parse(to, ""); perr == nil {
			country = strconv.Itoa(int(n.GetCountryCode()))
		}
	}
	if err := s.sendLimit(ctx, tenantID, to, country, meta.IP, now); err != nil {
		return err
	}
	return s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		if err := s.sendCode(ctx, tx, tenant, user.ID, purposeMFACode, method, to, "", "sign in"); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.MFACodeSent, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + user.ID, Success: true, Details: map[string]any{"method": method, "purpose": "login"}})
	})
}

// matchSentCode checks a typed code against the user's live login code (if
// one was sent) and uses it: true when it matched and this request used it.
func (s *Service) matchSentCode(ctx context.Context, tx *store.Tx, tenantID, userID, typed string, now time.Time) (bool, error) {
	c, err := identity.NormalizeCode("code", typed)
	if err != nil {
		return false, nil
	}
	row, err := s.matchCode(ctx, tx, tenantID, userID, purposeMFACode, c, now)
	if err != nil || row == nil {
		return false, err
	}
	return tx.UseAccountToken(ctx, row.ID, false, now)
}

// tenantOf reads a tenant.
func (s *Service) tenantOf(ctx context.Context, tenantID string) (*identity.Tenant, error) {
	var t *identity.Tenant
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		t, err = tx.Tenant(ctx, tenantID)
		return err
	})
	return t, err
}
