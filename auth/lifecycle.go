package auth

import (
	"context"
	"crypto/subtle"
	"net/url"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// Account lifecycle limits (links and codes sent to users). Tenants may
// shorten or lengthen the lifetimes (identity.TenantPolicy).
const (
	DefaultLinkTTL   = 30 * time.Minute // a link in a message works this long
	DefaultCodeTTL   = 10 * time.Minute // a code in a message works this long
	codeFailures     = 5                // comparisons one issued code allows
	codeDigits       = 6
	accountTokensKey = "account-tokens" // master-key derivation of the links' and codes' HMAC key
)

// Purposes of one-time links and codes.
const (
	PurposeReset        = "password_reset"
	PurposeVerification = "email_verification"
	PurposeInvitation   = "invitation"
)

// Messenger queues messages in the outbox, inside the transaction of the
// change that causes them (delivery.Service): never sent inline. Keys
// become Message-IDs: no ':' or '@' in them.
type Messenger interface {
	QueueMail(ctx context.Context, tx *store.Tx, to, kind string, data map[string]any, brand courier.Brand, key string) error
	QueueSMS(ctx context.Context, tx *store.Tx, to, kind string, data map[string]any, brand courier.Brand, key string) error
}

// SetMessenger gives the service its outbox. Without one, flows that send
// messages answer as always but send nothing (and log why).
func (s *Service) SetMessenger(m Messenger) { s.messenger = m }

// errBadLink is the one answer for every link token or code that does not
// work: unknown, expired, used, of another tenant or purpose, or wrong.
func errBadLink(field string) error {
	return rampart.FieldError(rampart.EInvalid, field, "the link or code is invalid, expired or already used")
}

// tokenKey is the HMAC key of links and codes.
func (s *Service) tokenKey() []byte { return s.master.Derive(accountTokensKey) }

// brand is what messages of tenant say about who sends them.
func (s *Service) brand(t *identity.Tenant) courier.Brand {
	return courier.Brand{Name: t.Name, Deployment: s.cfg.DeploymentName}
}

// link is the URL of a one-time link: the public issuer URL, path and
// token. GET on it only renders a page that asks to confirm (scanners that
// open links consume nothing); the page's form POSTs.
func (s *Service) link(path, token string) string {
	return s.cfg.Issuer + path + "?token=" + url.QueryEscape(token)
}

// lifetimes returns the link and code lifetimes of a tenant.
func lifetimes(t *identity.Tenant) (link, code time.Duration) {
	link, code = DefaultLinkTTL, DefaultCodeTTL
	if m := t.Policy.LinkTTLMinutes; m > 0 {
		link = time.Duration(m) * time.Minute
	}
	if m := t.Policy.CodeTTLMinutes; m > 0 {
		code = time.Duration(m) * time.Minute
	}
	return link, code
}

// issued is a freshly minted link and code, and the row that stores them.
type issued struct {
	link, code string
	row        *store.AccountToken
}

// mint makes a link token and a code for userID and purpose, whether or not
// they will be stored: the same work for accounts that exist and those that
// do not.
func (s *Service) mint(t *identity.Tenant, tenantID, userID, purpose string, withLink, withCode bool, now time.Time) (*issued, error) {
	key := s.tokenKey()
	linkTTL, codeTTL := DefaultLinkTTL, DefaultCodeTTL
	if t != nil {
		linkTTL, codeTTL = lifetimes(t)
	}
	now = now.UTC().Truncate(time.Microsecond)
	out := &issued{row: &store.AccountToken{UserID: userID, Purpose: purpose, CreatedAt: now,
		LinkExpiresAt: now.Add(linkTTL), CodeExpiresAt: now.Add(codeTTL), Channel: "email"}}
	if withLink {
		tok, err := identity.NewLinkToken(tenantID)
		if err != nil {
			return nil, err
		}
		out.link, out.row.LinkHash = tok, identity.HashLink(key, tok)
	} else {
		out.row.LinkExpiresAt = now
	}
	if withCode {
		c, err := identity.NewCode(codeDigits)
		if err != nil {
			return nil, err
		}
		out.code, out.row.CodeHash = c, identity.HashCode(key, tenantID, userID, purpose, c)
	} else {
		out.row.CodeExpiresAt = now
	}
	return out, nil
}

// redeemLink finds the live token of purpose a link token stands for, in
// its tenant, and the user it was issued to (active). It consumes nothing.
func (s *Service) redeemLink(ctx context.Context, raw, purpose string) (*identity.Tenant, *identity.User, *store.AccountToken, error) {
	tenantID, err := identity.ParseLinkToken(raw)
	if err != nil {
		return nil, nil, nil, errBadLink("token")
	}
	var (
		t   *identity.Tenant
		u   *identity.User
		row *store.AccountToken
	)
	err = s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if t, err = tx.Tenant(ctx, tenantID); err != nil {
			return err
		}
		if row, err = tx.AccountTokenByLink(ctx, identity.HashLink(s.tokenKey(), raw), purpose, s.now()); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, row.UserID)
		return err
	})
	if rampart.ErrorCode(err) == rampart.ENotFound || err == nil && (t.Status != identity.TenantActive || u.Status == identity.UserDisabled) {
		return nil, nil, nil, errBadLink("token")
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return t, u, row, nil
}

// CheckLink reports whether a link token of purpose would work now,
// without consuming it (the confirm page shows a form or says it expired).
func (s *Service) CheckLink(ctx context.Context, raw, purpose string) error {
	_, _, _, err := s.redeemLink(ctx, raw, purpose)
	return err
}

// codeLockKey is the per-account counter of wrong codes of purpose: keyed by
// the address typed, so that addresses with no account count alike.
func (s *Service) codeLockKey(tenantRef, purpose, email string) string {
	return s.lockout.Key(tenantRef, purpose+":"+email)
}

// matchCode spends an attempt of the user's live code of purpose inside tx
// and compares: at most codeFailures comparisons per code, whatever the
// parallelism. It returns the matching row, or nil.
func (s *Service) matchCode(ctx context.Context, tx *store.Tx, tenantID, userID, purpose, code string, now time.Time) (*store.AccountToken, error) {
	want := []byte(identity.HashCode(s.tokenKey(), tenantID, userID, purpose, code))
	return tx.CheckCode(ctx, userID, purpose, now, codeFailures, func(stored string) bool {
		return subtle.ConstantTimeCompare(want, []byte(stored)) == 1
	})
}
