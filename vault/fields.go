package vault

import (
	"context"
	"strings"
	"time"

	"github.com/rampart-dev/rampart/keys"
)

// OwnFields seals the personal fields of Rampart's own records (users'
// emails) for the store. Writes happen inside the store's transactions,
// including the one that creates a tenant, before its keys can exist, so
// they are sealed first under a key derived from the master key
// (keys.Fields, "rf1:"); the re-encryption job then moves them under the
// tenant's versioned email key ("rc1:"), where rotation and re-encryption
// reach them like any other ciphertext. Reads take either form.
type OwnFields struct {
	*keys.Fields
	Vault *Vault
}

// openTimeout bounds a key load made while reading a field.
const openTimeout = 10 * time.Second

// ownContext binds an own field's vault ciphertext to its row and field.
func ownContext(rowID, field string) string { return "rampart/" + field + "/" + rowID }

// OpenField decrypts either form.
func (o OwnFields) OpenField(tenantID, rowID, field, stored string) (string, error) {
	if !strings.HasPrefix(stored, keys.CiphertextPrefix) {
		return o.Fields.OpenField(tenantID, rowID, field, stored)
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	pt, err := o.Vault.decryptNoWait(ctx, tenantID, ownContext(rowID, field), stored)
	return string(pt), err
}

// Sealed reports whether a stored value is sealed in either form.
func (o OwnFields) Sealed(stored string) bool {
	return o.Fields.Sealed(stored) || strings.HasPrefix(stored, keys.CiphertextPrefix)
}

// Reseal returns stored under the newest version of the tenant's key of
// purpose, or "" when it is there already.
//
// Users' emails go under the user's own personal-data key instead (where
// the store seals new ones), so that erasure shreds them; emails written
// under the tenant's email key or the master-derived key move there.
func (o OwnFields) Reseal(ctx context.Context, tenantID, rowID, field string, purpose keys.Purpose, stored string) (string, error) {
	target := Field{TenantID: tenantID, Purpose: purpose, Context: ownContext(rowID, field)}
	perSubject := field == subjectEmailField
	if perSubject {
		target.Purpose, target.Subject = keys.PurposePersonalData, rowID
	}
	if strings.HasPrefix(stored, keys.CiphertextPrefix) && (!perSubject || perUserCiphertext(stored)) {
		current, err := o.Vault.Current(ctx, tenantID, stored)
		if err != nil || current {
			return "", err
		}
	}
	plain, err := o.OpenField(tenantID, rowID, field, stored)
	if err != nil {
		return "", err
	}
	return o.Vault.Encrypt(ctx, target, []byte(plain))
}

// subjectEmailField is users' email column, sealed per user.
const subjectEmailField = "users.email"

// perUserCiphertext reports whether a vault ciphertext is under a
// per-subject key.
func perUserCiphertext(stored string) bool {
	c, err := keys.DecodeCiphertext(stored)
	if err != nil {
		return false
	}
	h, err := keys.ParseHeader(c)
	return err == nil && h.Key.PerUser()
}
