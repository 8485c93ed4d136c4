package vault

import (
	"context"
	"errors"
	"io"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/keys"
)

// Field is where a value belongs: the tenant, the key (purpose, and the
// subject for per-subject personal-data keys) and the caller's context (for
// a stored field: table, row id and field name). All of it is bound into
// the ciphertext.
type Field struct {
	TenantID string
	Purpose  keys.Purpose
	Subject  string // only with PurposePersonalData: a key per person
	Context  string
}

// errDecrypt is the one answer to every failed decryption.
var errDecrypt = &rampart.Error{Code: rampart.EUnprocessable, Message: "the ciphertext does not decrypt in this context"}

// decryptError turns key-level failures into errDecrypt, keeping store
// failures and shredded subjects as they are.
func decryptError(err error) error {
	if errors.Is(err, keys.ErrDecrypt) || err == ErrShredded {
		return errDecrypt
	}
	return err
}

func (v *Vault) keyID(f Field) keys.KeyID {
	id := keys.KeyID{Purpose: f.Purpose}
	if f.Purpose == keys.PurposePersonalData && f.Subject != "" {
		id.User = v.SubjectID(f.TenantID, f.Subject)
	}
	return id
}

// Encrypt seals plaintext for f with the newest version of its key and
// returns the text form.
func (v *Vault) Encrypt(ctx context.Context, f Field, plaintext []byte) (string, error) {
	c, err := v.seal(ctx, f, plaintext)
	if err != nil {
		return "", err
	}
	return keys.EncodeCiphertext(c), nil
}

func (v *Vault) seal(ctx context.Context, f Field, plaintext []byte) ([]byte, error) {
	k, err := v.current(ctx, f.TenantID, v.keyID(f))
	if err != nil {
		return nil, err
	}
	return k.Seal(nil, plaintext, f.TenantID, f.Context)
}

// Decrypt opens a ciphertext of tenantID made for context; the key and
// version come from the ciphertext. It also returns that header.
func (v *Vault) Decrypt(ctx context.Context, tenantID, context, ciphertext string) ([]byte, keys.Header, error) {
	c, err := keys.DecodeCiphertext(ciphertext)
	if err != nil {
		return nil, keys.Header{}, errDecrypt
	}
	h, err := keys.ParseHeader(c)
	if err != nil {
		return nil, keys.Header{}, errDecrypt
	}
	k, err := v.version(ctx, tenantID, h.Key, h.Version)
	if err != nil {
		return nil, h, decryptError(err)
	}
	pt, err := k.Open(nil, c, tenantID, context)
	if err != nil {
		return nil, h, errDecrypt
	}
	return pt, h, nil
}

// Rewrap re-encrypts a ciphertext under the newest version of its key,
// keeping its tenant and context (the associated data Vault's transit
// rewrap cannot carry): the plaintext never leaves Rampart.
func (v *Vault) Rewrap(ctx context.Context, tenantID, context, ciphertext string) (string, keys.Header, error) {
	pt, h, err := v.Decrypt(ctx, tenantID, context, ciphertext)
	if err != nil {
		return "", h, err
	}
	defer clear(pt)
	k, err := v.current(ctx, tenantID, h.Key)
	if err != nil {
		return "", h, err
	}
	if k.Version == h.Version {
		return ciphertext, h, nil
	}
	c, err := k.Seal(nil, pt, tenantID, context)
	if err != nil {
		return "", h, err
	}
	return keys.EncodeCiphertext(c), keys.Header{Key: h.Key, Version: k.Version}, nil
}

// EncryptFile streams src to dst as a file ciphertext for f, in constant
// memory, and returns the plaintext size.
func (v *Vault) EncryptFile(ctx context.Context, f Field, dst io.Writer, src io.Reader) (int64, error) {
	k, err := v.current(ctx, f.TenantID, v.keyID(f))
	if err != nil {
		return 0, err
	}
	return k.EncryptFile(dst, src, f.TenantID, f.Context)
}

// DecryptFile reads a file ciphertext's header from src and returns a reader
// of its plaintext (see keys.DataKey.DecryptFile for what a Read error
// means), with the header.
func (v *Vault) DecryptFile(ctx context.Context, tenantID, context string, src io.Reader) (io.Reader, keys.Header, error) {
	h, raw, err := keys.ReadFileHeader(src)
	if err != nil {
		return nil, h, errDecrypt
	}
	k, err := v.version(ctx, tenantID, h.Key, h.Version)
	if err != nil {
		return nil, h, decryptError(err)
	}
	r, err := k.DecryptFile(src, raw, tenantID, context)
	if err != nil {
		return nil, h, errDecrypt
	}
	return r, h, nil
}
