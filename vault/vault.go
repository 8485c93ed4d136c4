// Package vault is envelope encryption per tenant: the master key seals
// each tenant's key-encryption key (KEK), which seals data keys by purpose
// and, for personal data, by subject, every key versioned. It encrypts
// fields, documents and files for the platform, bound to the tenant and a
// caller-given context.
package vault

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
)

// Defaults of the key policy.
const (
	// DefaultMaxAge is how old the newest version of a key may grow before
	// it is rotated automatically (the chatbot design's 90 days).
	DefaultMaxAge = 90 * 24 * time.Hour
	// DefaultUseLimit is how many encryptions one key version performs.
	// With random 96-bit nonces, NIST SP 800-38D §8.3 allows 2^32; rotating
	// at 2^31 keeps the collision chance far below its 2^-32 bound.
	DefaultUseLimit = 1 << 31
	// reserveBlock is how many encryptions a replica reserves at once, so
	// the counter costs one database write per 65,536 encryptions.
	reserveBlock = 1 << 16
	// cacheTTL is how long a replica uses its cached newest version before
	// looking for a newer one made by another replica.
	cacheTTL   = 30 * time.Second
	kekPurpose = "kek"
	// maxKeySets bounds the cached key sets of a replica.
	maxKeySets = 10_000
)

// Vault encrypts and decrypts for tenants. Build it with New.
type Vault struct {
	store    *store.Store
	master   *keys.MasterKey
	now      func() time.Time
	maxAge   time.Duration
	useLimit int64
	// subjectKey keys the HMAC of subject ids.
	subjectKey []byte

	mu   sync.Mutex
	keks map[string]map[uint32]*keys.DataKey // tenant -> version -> KEK
	sets map[setKey]*keySet
}

// Options configure a Vault; zero values take the defaults.
type Options struct {
	MaxAge   time.Duration
	UseLimit int64
	Now      func() time.Time
}

// New returns a Vault over st, its keys sealed under master.
func New(st *store.Store, master *keys.MasterKey, o Options) *Vault {
	v := &Vault{store: st, master: master, now: o.Now, maxAge: o.MaxAge, useLimit: o.UseLimit,
		keks: map[string]map[uint32]*keys.DataKey{}, sets: map[setKey]*keySet{}, subjectKey: master.Derive("vault/subject-id")}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxAge <= 0 {
		v.maxAge = DefaultMaxAge
	}
	if v.useLimit <= 0 {
		v.useLimit = DefaultUseLimit
	}
	return v
}

// setKey names the versions of one key: tenant, purpose, owner.
type setKey struct {
	tenant, purpose, owner string
}

// keySet is the cached versions of one key.
type keySet struct {
	mu       sync.Mutex
	versions map[uint32]*keys.DataKey
	current  *keys.DataKey
	created  time.Time // of current
	loaded   time.Time
	budget   atomic.Int64 // encryptions left in this replica's reservation
}

// SubjectID returns the owner id of a subject's per-person keys: 16 bytes
// of an HMAC-SHA256 under a key derived from the master key, over the
// tenant and the subject. Any identifier the platform uses for a person
// fits the ciphertext header, and the id in headers and key rows neither
// links one person across tenants nor gives an email or phone number back
// to a dictionary.
func (v *Vault) SubjectID(tenantID, subject string) [16]byte {
	m := hmac.New(sha256.New, v.subjectKey)
	m.Write([]byte(tenantID))
	m.Write([]byte{0})
	m.Write([]byte(subject))
	var out [16]byte
	copy(out[:], m.Sum(nil))
	return out
}

func ownerOf(id keys.KeyID) string {
	if !id.PerUser() {
		return ""
	}
	return hex.EncodeToString(id.User[:])
}

// errUnavailable hides store failures behind a retryable error.
func internal(err error) error {
	if err == nil {
		return nil
	}
	var e *rampart.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("vault: %w", err)
}

// kek returns a tenant's KEK of version (0: the newest, created when the
// tenant has none).
func (v *Vault) kek(ctx context.Context, tenantID string, version uint32) (*keys.DataKey, error) {
	v.mu.Lock()
	if m := v.keks[tenantID]; m != nil {
		if version == 0 {
			var best *keys.DataKey
			for _, k := range m {
				if best == nil || k.Version > best.Version {
					best = k
				}
			}
			if best != nil {
				v.mu.Unlock()
				return best, nil
			}
		} else if k := m[version]; k != nil {
			v.mu.Unlock()
			return k, nil
		}
	}
	v.mu.Unlock()
	var stored []*store.StoredKey
	// Read first (the read pool: callers may hold the writer of SQLite in
	// an outer transaction); write only to create the first KEK.
	err := v.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		stored, err = tx.DataKeys(ctx, kekPurpose, "")
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	if len(stored) == 0 {
		err = v.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
			var err error
			if stored, err = tx.DataKeys(ctx, kekPurpose, ""); err != nil || len(stored) > 0 {
				return err
			}
			material, err := keys.NewKeyMaterial()
			if err != nil {
				return err
			}
			sealed, err := v.master.Seal(material, kekAAD(tenantID, 1))
			if err != nil {
				return err
			}
			k := &store.StoredKey{Purpose: kekPurpose, Version: 1, Sealed: sealed, CreatedAt: v.now().UTC()}
			if _, err := tx.AddDataKey(ctx, k); err != nil {
				return err
			}
			stored, err = tx.DataKeys(ctx, kekPurpose, "")
			return err
		})
	}
	if err != nil {
		return nil, internal(err)
	}
	m := map[uint32]*keys.DataKey{}
	for _, s := range stored {
		material, err := v.master.Open(s.Sealed, kekAAD(tenantID, s.Version))
		if err != nil {
			return nil, fmt.Errorf("vault: tenant %s KEK v%d does not open under this master key", tenantID, s.Version)
		}
		// The KEK seals with the field format; its AAD context names what it seals.
		k, err := keys.NewDataKey(keys.KeyID{Purpose: keys.PurposeDefault}, s.Version, material)
		if err != nil {
			return nil, err
		}
		m[s.Version] = k
	}
	v.mu.Lock()
	v.keks[tenantID] = m
	v.mu.Unlock()
	if version == 0 {
		return m[stored[0].Version], nil
	}
	if k := m[version]; k != nil {
		return k, nil
	}
	return nil, keys.ErrDecrypt
}

func kekAAD(tenantID string, version uint32) []byte {
	return fmt.Appendf(nil, "rampart/kek/v1\x00%s\x00%d", tenantID, version)
}

func dataKeyContext(purpose, owner string, version uint32) string {
	return fmt.Sprintf("rampart/dk/v1\x00%s\x00%s\x00%d", purpose, owner, version)
}

// sealDataKey seals key material under the tenant's newest KEK: the KEK
// version (4 bytes) and the KEK's field ciphertext.
func (v *Vault) sealDataKey(ctx context.Context, tenantID, purpose, owner string, version uint32, material []byte) ([]byte, error) {
	kek, err := v.kek(ctx, tenantID, 0)
	if err != nil {
		return nil, err
	}
	out := binary.BigEndian.AppendUint32(nil, kek.Version)
	return kek.Seal(out, material, tenantID, dataKeyContext(purpose, owner, version))
}

func (v *Vault) openDataKey(ctx context.Context, tenantID string, s *store.StoredKey) ([]byte, error) {
	if len(s.Sealed) < 4 {
		return nil, keys.ErrDecrypt
	}
	kek, err := v.kek(ctx, tenantID, binary.BigEndian.Uint32(s.Sealed))
	if err != nil {
		return nil, err
	}
	return kek.Open(nil, s.Sealed[4:], tenantID, dataKeyContext(s.Purpose, s.Owner, s.Version))
}

// set returns the cached versions of a key, loading them (and creating
// version 1) when needed or when the cache is older than cacheTTL.
func (v *Vault) set(ctx context.Context, tenantID string, id keys.KeyID, create bool) (*keySet, error) {
	sk := setKey{tenantID, string(id.Purpose), ownerOf(id)}
	v.mu.Lock()
	ks := v.sets[sk]
	if ks == nil {
		if len(v.sets) >= maxKeySets {
			// Per-subject keys are many and each is used briefly: forget
			// them (they reload from the database) rather than grow.
			for k := range v.sets {
				if k.owner != "" {
					delete(v.sets, k)
				}
			}
		}
		ks = &keySet{}
		v.sets[sk] = ks
	}
	v.mu.Unlock()
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.current != nil && v.now().Sub(ks.loaded) < cacheTTL {
		return ks, nil
	}
	if err := v.load(ctx, tenantID, id, ks, create); err != nil {
		return nil, err
	}
	return ks, nil
}

// load reads every version of a key into ks (ks.mu held).
func (v *Vault) load(ctx context.Context, tenantID string, id keys.KeyID, ks *keySet, create bool) error {
	purpose, owner := string(id.Purpose), ownerOf(id)
	var stored []*store.StoredKey
	err := v.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		stored, err = tx.DataKeys(ctx, purpose, owner)
		return err
	})
	if err != nil {
		return internal(err)
	}
	if len(stored) == 0 {
		if !create {
			return keys.ErrDecrypt
		}
		if _, err := v.addVersion(ctx, tenantID, id, 1); err != nil {
			return err
		}
		return v.load(ctx, tenantID, id, ks, false)
	}
	versions := map[uint32]*keys.DataKey{}
	for _, s := range stored {
		if s.Destroyed {
			continue
		}
		material, err := v.openDataKey(ctx, tenantID, s)
		if err != nil {
			return fmt.Errorf("vault: data key %s v%d of tenant %s does not open: %w", purpose, s.Version, tenantID, err)
		}
		k, err := keys.NewDataKey(id, s.Version, material)
		if err != nil {
			return err
		}
		versions[s.Version] = k
	}
	newest := stored[0]
	if newest.Destroyed {
		return ErrShredded
	}
	if ks.current == nil || ks.current.Version != newest.Version {
		ks.budget.Store(0)
	}
	ks.versions, ks.current, ks.created, ks.loaded = versions, versions[newest.Version], newest.CreatedAt, v.now()
	return nil
}

// ErrShredded is the answer for a subject whose keys were destroyed.
var ErrShredded = &rampart.Error{Code: rampart.EUnprocessable, Message: "the keys of this subject were destroyed; its data can no longer be read or written"}

// addVersion creates version n of a key; false when another replica
// created it first.
func (v *Vault) addVersion(ctx context.Context, tenantID string, id keys.KeyID, n uint32) (bool, error) {
	purpose, owner := string(id.Purpose), ownerOf(id)
	material, err := keys.NewKeyMaterial()
	if err != nil {
		return false, err
	}
	sealed, err := v.sealDataKey(ctx, tenantID, purpose, owner, n, material)
	if err != nil {
		return false, err
	}
	added := false
	err = v.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		added, err = tx.AddDataKey(ctx, &store.StoredKey{Purpose: purpose, Owner: owner, Version: n, Sealed: sealed, CreatedAt: v.now().UTC()})
		return err
	})
	return added, internal(err)
}

// current returns the key version to encrypt with, spending one use: it
// rotates when the version is too old or has done its encryptions.
func (v *Vault) current(ctx context.Context, tenantID string, id keys.KeyID) (*keys.DataKey, error) {
	ks, err := v.set(ctx, tenantID, id, true)
	if err != nil {
		return nil, err
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	for attempt := 0; attempt < 3; attempt++ {
		if v.now().Sub(ks.created) >= v.maxAge {
			if err := v.rotateFrom(ctx, tenantID, id, ks, ks.current.Version); err != nil {
				return nil, err
			}
			continue
		}
		if ks.budget.Add(-1) >= 0 {
			return ks.current, nil
		}
		k := ks.current
		var total int64
		err := v.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
			total, err = tx.ReserveUses(ctx, string(id.Purpose), ownerOf(id), k.Version, v.block())
			return err
		})
		if err != nil {
			return nil, internal(err)
		}
		if total > v.useLimit {
			if err := v.rotateFrom(ctx, tenantID, id, ks, k.Version); err != nil {
				return nil, err
			}
			continue
		}
		ks.budget.Store(v.block())
	}
	return nil, errors.New("vault: could not reserve encryptions")
}

// rotateLocked adds the next version of a key and loads it (ks.mu held).
func (v *Vault) rotateLocked(ctx context.Context, tenantID string, id keys.KeyID, ks *keySet) error {
	if err := v.load(ctx, tenantID, id, ks, true); err != nil {
		return err
	}
	if _, err := v.addVersion(ctx, tenantID, id, ks.current.Version+1); err != nil {
		return err
	}
	return v.load(ctx, tenantID, id, ks, false)
}

// block is how many encryptions a replica reserves at once: reserveBlock,
// or the whole use limit when that is smaller.
func (v *Vault) block() int64 { return min(reserveBlock, v.useLimit) }

// Warm loads a tenant's key of purpose into the cache, so that a caller
// about to decrypt inside a database transaction does not need a second
// connection for it then (errors are left for the decryption to report).
func (v *Vault) Warm(ctx context.Context, tenantID string, purpose keys.Purpose) {
	_, _ = v.set(ctx, tenantID, keys.KeyID{Purpose: purpose}, false)
}

// rotateFrom adds version from+1 unless another replica did (ks.mu held):
// replicas that see the same key too old or too used rotate it once.
func (v *Vault) rotateFrom(ctx context.Context, tenantID string, id keys.KeyID, ks *keySet, from uint32) error {
	if _, err := v.addVersion(ctx, tenantID, id, from+1); err != nil {
		return err
	}
	return v.load(ctx, tenantID, id, ks, false)
}

// Rotate creates a new version of a tenant-wide key; new encryptions use it
// at once on this replica and within cacheTTL on the others. Old versions
// keep decrypting. It returns the new version.
func (v *Vault) Rotate(ctx context.Context, tenantID string, purpose keys.Purpose) (uint32, error) {
	id := keys.KeyID{Purpose: purpose}
	ks, err := v.set(ctx, tenantID, id, true)
	if err != nil {
		return 0, err
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if err := v.rotateLocked(ctx, tenantID, id, ks); err != nil {
		return 0, err
	}
	return ks.current.Version, nil
}

// Latest lists the newest version of each of the tenant's tenant-wide keys.
func (v *Vault) Latest(ctx context.Context, tenantID string) ([]*store.StoredKey, error) {
	var latest []*store.StoredKey
	err := v.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		latest, err = tx.LatestDataKeys(ctx)
		return err
	})
	out := latest[:0]
	for _, k := range latest {
		if k.Purpose != kekPurpose {
			out = append(out, k)
		}
	}
	return out, internal(err)
}

// RotateDue rotates every tenant-wide key of the tenant whose newest version
// is older than the maximum age, returning the purposes rotated.
func (v *Vault) RotateDue(ctx context.Context, tenantID string) ([]keys.Purpose, error) {
	var latest []*store.StoredKey
	err := v.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		latest, err = tx.LatestDataKeys(ctx)
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	var out []keys.Purpose
	for _, k := range latest {
		p, ok := keys.ParsePurpose(k.Purpose)
		if !ok || v.now().Sub(k.CreatedAt) < v.maxAge {
			continue
		}
		id := keys.KeyID{Purpose: p}
		ks, err := v.set(ctx, tenantID, id, true)
		if err != nil {
			return out, err
		}
		ks.mu.Lock()
		err = v.rotateFrom(ctx, tenantID, id, ks, k.Version)
		ks.mu.Unlock()
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// version returns a specific version of a key for decryption.
func (v *Vault) version(ctx context.Context, tenantID string, id keys.KeyID, n uint32) (*keys.DataKey, error) {
	ks, err := v.set(ctx, tenantID, id, false)
	if err != nil {
		return nil, err
	}
	ks.mu.Lock()
	k := ks.versions[n]
	if k == nil && n > ks.current.Version {
		// Made by another replica since we loaded: reload once.
		if err := v.load(ctx, tenantID, id, ks, false); err != nil {
			ks.mu.Unlock()
			return nil, err
		}
		k = ks.versions[n]
	}
	ks.mu.Unlock()
	if k == nil {
		return nil, keys.ErrDecrypt
	}
	return k, nil
}

// Current reports whether a ciphertext is under the newest version of its
// key (loading the key set when needed). Re-encryption jobs skip those.
func (v *Vault) Current(ctx context.Context, tenantID, ciphertext string) (bool, error) {
	c, err := keys.DecodeCiphertext(ciphertext)
	if err != nil {
		return false, nil
	}
	h, err := keys.ParseHeader(c)
	if err != nil {
		return false, nil
	}
	ks, err := v.set(ctx, tenantID, h.Key, true)
	if err != nil {
		return false, err
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.current.Version == h.Version, nil
}

// HashKey is the tenant's key for keyed hashes of one use (PII hash
// tokens): derived from the master key, so it needs no storage, differs
// between tenants and uses, and stays the same across replicas.
func (v *Vault) HashKey(tenantID, use string) []byte {
	return v.master.Derive("hash/" + use + "/" + tenantID)
}

// Shred destroys every key of a subject (crypto-shredding) and forgets them
// here; other replicas forget them within cacheTTL.
func (v *Vault) Shred(ctx context.Context, tenantID, subject string) (int64, error) {
	owner := v.SubjectID(tenantID, subject)
	var n int64
	err := v.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		n, err = tx.DestroyUserKeys(ctx, hex.EncodeToString(owner[:]), v.now().UTC())
		return err
	})
	if err != nil {
		return 0, internal(err)
	}
	v.mu.Lock()
	delete(v.sets, setKey{tenantID, string(keys.PurposePersonalData), hex.EncodeToString(owner[:])})
	v.mu.Unlock()
	return n, nil
}
