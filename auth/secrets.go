package auth

import (
	"bytes"
	"context"
	"strings"

	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// totpContext binds a TOTP secret's ciphertext to its user.
func totpContext(userID string) string { return "rampart/mfa_totp/" + userID }

// SetOwnFields lets the re-encryption job move users' emails under the
// tenant's email key too.
func (s *Service) SetOwnFields(o *vault.OwnFields) { s.ownFields = o }

// sealTOTP encrypts a TOTP secret under the tenant's tokens key (envelope
// encryption, rotated with the tenant's keys); without a vault, under the
// master key.
func (s *Service) sealTOTP(ctx context.Context, tenantID, userID string, secret []byte) ([]byte, error) {
	if s.vault == nil {
		return s.master.Seal(secret, identity.TOTPSecretAAD(tenantID, userID))
	}
	c, err := s.vault.Encrypt(ctx, vault.Field{TenantID: tenantID, Purpose: keys.PurposeTokens, Context: totpContext(userID)}, secret)
	return []byte(c), err
}

// warmTOTP loads the key of TOTP secrets before a transaction that will
// decrypt one, so the decryption needs no second database connection.
func (s *Service) warmTOTP(ctx context.Context, tenantID string) {
	if s.vault != nil {
		s.vault.Warm(ctx, tenantID, keys.PurposeTokens)
	}
}

// openTOTP decrypts a stored TOTP secret: envelope ciphertexts ("rc1:"),
// and the master-key seals of rows written before the vault existed.
func (s *Service) openTOTP(ctx context.Context, tenantID, userID string, sealed []byte) ([]byte, error) {
	if bytes.HasPrefix(sealed, []byte(keys.CiphertextPrefix)) && s.vault != nil {
		pt, _, err := s.vault.Decrypt(ctx, tenantID, totpContext(userID), string(sealed))
		return pt, err
	}
	return s.master.Open(sealed, identity.TOTPSecretAAD(tenantID, userID))
}

// ReencryptSecrets moves the tenant's stored secrets (TOTP secrets) to the
// newest version of their key, and master-key seals of older releases into
// the tenant's keys. It is resumable by construction: it skips what is
// current, and each row is replaced only if it did not change meanwhile.
// progress, when set, is called after each row with (done, total).
func (s *Service) ReencryptSecrets(ctx context.Context, tenantID string, progress func(done, total int)) (moved int, err error) {
	if s.vault == nil {
		return 0, nil
	}
	rows, emails, phones, err := s.storedSecrets(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	total := len(rows) + len(emails) + len(phones)
	for i, r := range emails {
		old := string(r.Sealed)
		next, err := s.ownFields.Reseal(ctx, tenantID, r.UserID, "users.email", keys.PurposeEmail, old)
		if err != nil {
			return moved, err
		}
		if next != "" {
			var ok bool
			if err := s.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
				ok, err = tx.ReplaceStoredEmail(ctx, r.UserID, old, next)
				return err
			}); err != nil {
				return moved, err
			}
			if ok {
				moved++
			}
		}
		if progress != nil {
			progress(i+1, total)
		}
	}
	for i, r := range rows {
		fresh := false
		if bytes.HasPrefix(r.Sealed, []byte(keys.CiphertextPrefix)) {
			if fresh, err = s.vault.Current(ctx, tenantID, string(r.Sealed)); err != nil {
				return moved, err
			}
		}
		if !fresh {
			secret, err := s.openTOTP(ctx, tenantID, r.UserID, r.Sealed)
			if err != nil {
				return moved, err
			}
			next, err := s.sealTOTP(ctx, tenantID, r.UserID, secret)
			clear(secret)
			if err != nil {
				return moved, err
			}
			var ok bool
			if err := s.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
				ok, err = tx.ReplaceTOTPSecret(ctx, r.UserID, r.Sealed, next)
				return err
			}); err != nil {
				return moved, err
			}
			if ok {
				moved++
			}
		}
		if progress != nil {
			progress(len(emails)+i+1, total)
		}
	}
	for i, r := range phones {
		n, err := s.reencryptPhone(ctx, tenantID, r)
		if err != nil {
			return moved, err
		}
		moved += n
		if progress != nil {
			progress(len(emails)+len(rows)+i+1, total)
		}
	}
	return moved, nil
}

// reencryptPhone moves one stored SMS number under the newest version of
// the tenant's phone key (master-key seals of older rows too); it returns 1
// when it replaced the row.
func (s *Service) reencryptPhone(ctx context.Context, tenantID string, r store.SealedSecret) (int, error) {
	old := string(r.Sealed)
	if strings.HasPrefix(old, keys.CiphertextPrefix) {
		if fresh, err := s.vault.Current(ctx, tenantID, old); err != nil || fresh {
			return 0, err
		}
	}
	phone, err := s.openPhone(ctx, tenantID, r.UserID, old)
	if err != nil {
		return 0, err
	}
	next, err := s.sealPhone(ctx, tenantID, r.UserID, phone)
	if err != nil {
		return 0, err
	}
	var ok bool
	err = s.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		ok, err = tx.ReplaceStoredPhone(ctx, r.UserID, old, next)
		return err
	})
	if ok {
		return 1, err
	}
	return 0, err
}

// SecretStatus counts the tenant's stored secrets and those under the
// newest versions of their keys: the progress of re-encryption.
func (s *Service) SecretStatus(ctx context.Context, tenantID string) (total, current int, err error) {
	rows, emails, phones, err := s.storedSecrets(ctx, tenantID)
	if err != nil {
		return 0, 0, err
	}
	rows = append(append(rows, emails...), phones...)
	for _, r := range rows {
		if s.vault != nil && bytes.HasPrefix(r.Sealed, []byte(keys.CiphertextPrefix)) {
			ok, err := s.vault.Current(ctx, tenantID, string(r.Sealed))
			if err != nil {
				return 0, 0, err
			}
			if ok {
				current++
			}
		}
	}
	return len(rows), current, nil
}

// storedSecrets reads the tenant's stored TOTP secrets, SMS numbers and
// (with own fields) users' emails, as stored.
func (s *Service) storedSecrets(ctx context.Context, tenantID string) (totp, emails, phones []store.SealedSecret, err error) {
	err = s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if totp, err = tx.TOTPSecrets(ctx); err != nil {
			return err
		}
		if phones, err = tx.StoredPhones(ctx); err != nil || s.ownFields == nil {
			return err
		}
		emails, err = tx.StoredEmails(ctx)
		return err
	})
	return totp, emails, phones, err
}
