package vault

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
)

// SubjectFields seals personal fields of Rampart's rows (audit events'
// address, user agent and details; sessions' address and user agent) under
// the subject's personal-data key for the store (store.SubjectSealer), so
// that Shred turns the rows into tombstones.
//
// Events are appended inside the caller's transaction, and on SQLite that
// transaction holds the only writer: every database access here goes
// through that transaction, never a second connection, and a key set is
// only ever tried (TryLock), never waited for, so that a replica's other
// work on the same key cannot deadlock with the writer. Keys read or made
// through a transaction that writes are used for that call only, not
// cached: the transaction may still roll back.
type SubjectFields struct {
	Vault *Vault
}

var _ store.SubjectSealer = SubjectFields{}

func subjectContext(field string) string { return "rampart/" + field }

// SealSubject seals plaintext of a field about subject.
func (a SubjectFields) SealSubject(ctx context.Context, tx *store.Tx, subject, field string, plaintext []byte) (string, error) {
	v := a.Vault
	tenantID := tx.TenantID()
	id := keys.KeyID{Purpose: keys.PurposePersonalData, User: v.SubjectID(tenantID, subject)}
	k, err := v.cachedCurrent(ctx, tx, tenantID, id)
	if err == nil && k == nil {
		// Committed keys are read on the read pool and cached, so the
		// subject's next events take the cached path.
		v.warmTry(ctx, tenantID, id)
		k, err = v.cachedCurrent(ctx, tx, tenantID, id)
	}
	if err == nil && k == nil {
		k, err = v.currentInTx(ctx, tx, tenantID, id)
	}
	if errors.Is(err, ErrShredded) {
		return "", store.ErrSubjectErased
	}
	if err != nil {
		return "", internal(err)
	}
	c, err := k.Seal(nil, plaintext, tenantID, subjectContext(field))
	if err != nil {
		return "", err
	}
	return keys.EncodeCiphertext(c), nil
}

// OpenSubject opens a sealed field; erased when its key no longer exists.
func (a SubjectFields) OpenSubject(ctx context.Context, tx *store.Tx, field, sealed string) ([]byte, bool, error) {
	v := a.Vault
	tenantID := tx.TenantID()
	c, err := keys.DecodeCiphertext(sealed)
	if err != nil {
		return nil, true, nil
	}
	h, err := keys.ParseHeader(c)
	if err != nil {
		return nil, true, nil
	}
	k, err := v.versionInTx(ctx, tx, tenantID, h.Key, h.Version)
	if errors.Is(err, ErrShredded) || errors.Is(err, keys.ErrDecrypt) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, internal(err)
	}
	pt, err := k.Open(nil, c, tenantID, subjectContext(field))
	if err != nil {
		// Altered ciphertext: the chain verification reports it; the
		// reader sees the fields as unreadable.
		return nil, true, nil
	}
	return pt, false, nil
}

// cachedKeySet returns the cached set of a key with its lock held, or nil
// when there is none or another goroutine holds it.
func (v *Vault) cachedKeySet(tenantID string, id keys.KeyID) *keySet {
	v.mu.Lock()
	ks := v.sets[setKey{tenantID, string(id.Purpose), ownerOf(id)}]
	v.mu.Unlock()
	if ks == nil || !ks.mu.TryLock() {
		return nil
	}
	return ks
}

// warmTry loads a key's committed versions into the cache without ever
// writing or waiting for its key set (load without create only reads).
func (v *Vault) warmTry(ctx context.Context, tenantID string, id keys.KeyID) {
	sk := setKey{tenantID, string(id.Purpose), ownerOf(id)}
	v.mu.Lock()
	ks := v.sets[sk]
	if ks == nil && len(v.sets) < maxKeySets {
		ks = &keySet{}
		v.sets[sk] = ks
	}
	v.mu.Unlock()
	if ks == nil || !ks.mu.TryLock() {
		return
	}
	defer ks.mu.Unlock()
	if ks.current != nil && v.now().Sub(ks.loaded) < cacheTTL {
		return
	}
	_ = v.load(ctx, tenantID, id, ks, false)
}

// cachedCurrent returns the cached newest version of a key when it is
// fresh, reserving encryptions through tx when this replica's reservation
// is spent; nil when the cache cannot answer.
func (v *Vault) cachedCurrent(ctx context.Context, tx *store.Tx, tenantID string, id keys.KeyID) (*keys.DataKey, error) {
	ks := v.cachedKeySet(tenantID, id)
	if ks == nil {
		return nil, nil
	}
	defer ks.mu.Unlock()
	now := v.now()
	if ks.current == nil || now.Sub(ks.loaded) >= cacheTTL || now.Sub(ks.created) >= v.maxAge {
		return nil, nil
	}
	if ks.budget.Add(-1) >= 0 {
		return ks.current, nil
	}
	// A reservation made in a transaction that rolls back is lost while
	// this replica spends it: at most one block per rollback beyond the
	// use limit, far inside the limit's margin (DefaultUseLimit).
	total, err := tx.ReserveUses(ctx, string(id.Purpose), ownerOf(id), ks.current.Version, v.block())
	if err != nil {
		return nil, err
	}
	if total > v.useLimit {
		return nil, nil
	}
	ks.budget.Store(v.block() - 1)
	return ks.current, nil
}

// currentInTx reads the newest version of a key through tx, making version
// 1 (or the next, when the newest is too old or used up) when needed, and
// counts one use. Nothing is cached when tx writes.
func (v *Vault) currentInTx(ctx context.Context, tx *store.Tx, tenantID string, id keys.KeyID) (*keys.DataKey, error) {
	purpose, owner := string(id.Purpose), ownerOf(id)
	for attempt := 0; attempt < 3; attempt++ {
		stored, err := tx.DataKeys(ctx, purpose, owner)
		if err != nil {
			return nil, err
		}
		if len(stored) > 0 && stored[0].Destroyed {
			return nil, ErrShredded
		}
		if len(stored) > 0 && v.now().Sub(stored[0].CreatedAt) < v.maxAge {
			newest := stored[0]
			total, err := tx.ReserveUses(ctx, purpose, owner, newest.Version, 1)
			if err != nil {
				return nil, err
			}
			if total <= v.useLimit {
				material, err := v.openDataKeyInTx(ctx, tx, tenantID, newest)
				if err != nil {
					return nil, err
				}
				k, err := keys.NewDataKey(id, newest.Version, material)
				if err == nil && tx.ReadOnly() {
					v.cacheKeys(tenantID, id, stored, map[uint32]*keys.DataKey{newest.Version: k})
				}
				return k, err
			}
		}
		n := uint32(1)
		if len(stored) > 0 {
			n = stored[0].Version + 1
		}
		material, err := keys.NewKeyMaterial()
		if err != nil {
			return nil, err
		}
		kek, err := v.kekInTx(ctx, tx, tenantID, 0)
		if err != nil {
			return nil, err
		}
		sealed, err := kek.Seal(binary.BigEndian.AppendUint32(nil, kek.Version), material, tenantID, dataKeyContext(purpose, owner, n))
		if err != nil {
			return nil, err
		}
		added, err := tx.AddDataKey(ctx, &store.StoredKey{Purpose: purpose, Owner: owner, Version: n, Sealed: sealed, CreatedAt: v.now().UTC()})
		if err != nil {
			return nil, err
		}
		if !added {
			continue // another replica made it: read theirs
		}
		if _, err := tx.ReserveUses(ctx, purpose, owner, n, 1); err != nil {
			return nil, err
		}
		return keys.NewDataKey(id, n, material)
	}
	return nil, errors.New("vault: could not settle a subject key")
}

// versionInTx returns one version of a key for decryption: from the cache,
// or read through tx (and cached when tx only reads).
func (v *Vault) versionInTx(ctx context.Context, tx *store.Tx, tenantID string, id keys.KeyID, n uint32) (*keys.DataKey, error) {
	cached := func() *keys.DataKey {
		ks := v.cachedKeySet(tenantID, id)
		if ks == nil {
			return nil
		}
		defer ks.mu.Unlock()
		if ks.current == nil || v.now().Sub(ks.loaded) >= cacheTTL {
			return nil
		}
		return ks.versions[n]
	}
	if k := cached(); k != nil {
		return k, nil
	}
	if !tx.ReadOnly() {
		// Committed keys, read on the read pool, may be cached.
		v.warmTry(ctx, tenantID, id)
		if k := cached(); k != nil {
			return k, nil
		}
	}
	stored, err := tx.DataKeys(ctx, string(id.Purpose), ownerOf(id))
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		return nil, keys.ErrDecrypt
	}
	versions := map[uint32]*keys.DataKey{}
	for _, s := range stored {
		if s.Destroyed {
			continue
		}
		material, err := v.openDataKeyInTx(ctx, tx, tenantID, s)
		if err != nil {
			return nil, fmt.Errorf("vault: data key %s v%d of tenant %s does not open: %w", s.Purpose, s.Version, tenantID, err)
		}
		k, err := keys.NewDataKey(id, s.Version, material)
		if err != nil {
			return nil, err
		}
		versions[s.Version] = k
	}
	if tx.ReadOnly() && !stored[0].Destroyed {
		v.cacheKeys(tenantID, id, stored, versions)
	}
	if k := versions[n]; k != nil {
		return k, nil
	}
	if stored[0].Destroyed {
		return nil, ErrShredded
	}
	return nil, keys.ErrDecrypt
}

// cacheKeys stores versions read from committed rows into the cache when
// the key set is free.
func (v *Vault) cacheKeys(tenantID string, id keys.KeyID, stored []*store.StoredKey, versions map[uint32]*keys.DataKey) {
	sk := setKey{tenantID, string(id.Purpose), ownerOf(id)}
	v.mu.Lock()
	ks := v.sets[sk]
	if ks == nil {
		if len(v.sets) >= maxKeySets {
			v.mu.Unlock()
			return
		}
		ks = &keySet{}
		v.sets[sk] = ks
	}
	v.mu.Unlock()
	if !ks.mu.TryLock() {
		return
	}
	defer ks.mu.Unlock()
	newest := stored[0]
	cur := versions[newest.Version]
	if cur == nil {
		return
	}
	if ks.current == nil || ks.current.Version != newest.Version {
		ks.budget.Store(0)
	}
	if ks.versions == nil || len(versions) >= len(ks.versions) {
		ks.versions = versions
	}
	ks.current, ks.created, ks.loaded = cur, newest.CreatedAt, v.now()
}

// kekInTx is kek read (and, for a tenant without one, made) through tx;
// only KEKs read by a transaction that writes nothing are cached.
func (v *Vault) kekInTx(ctx context.Context, tx *store.Tx, tenantID string, version uint32) (*keys.DataKey, error) {
	v.mu.Lock()
	if m := v.keks[tenantID]; m != nil {
		var k *keys.DataKey
		if version == 0 {
			for _, c := range m {
				if k == nil || c.Version > k.Version {
					k = c
				}
			}
		} else {
			k = m[version]
		}
		if k != nil {
			v.mu.Unlock()
			return k, nil
		}
	}
	v.mu.Unlock()
	stored, err := tx.DataKeys(ctx, kekPurpose, "")
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		if tx.ReadOnly() {
			return nil, keys.ErrDecrypt
		}
		material, err := keys.NewKeyMaterial()
		if err != nil {
			return nil, err
		}
		sealed, err := v.master.Seal(material, kekAAD(tenantID, 1))
		if err != nil {
			return nil, err
		}
		if _, err := tx.AddDataKey(ctx, &store.StoredKey{Purpose: kekPurpose, Version: 1, Sealed: sealed, CreatedAt: v.now().UTC()}); err != nil {
			return nil, err
		}
		if stored, err = tx.DataKeys(ctx, kekPurpose, ""); err != nil {
			return nil, err
		}
	}
	m := map[uint32]*keys.DataKey{}
	for _, s := range stored {
		material, err := v.master.Open(s.Sealed, kekAAD(tenantID, s.Version))
		if err != nil {
			return nil, fmt.Errorf("vault: tenant %s KEK v%d does not open under this master key", tenantID, s.Version)
		}
		k, err := keys.NewDataKey(keys.KeyID{Purpose: keys.PurposeDefault}, s.Version, material)
		if err != nil {
			return nil, err
		}
		m[s.Version] = k
	}
	if tx.ReadOnly() {
		v.mu.Lock()
		v.keks[tenantID] = m
		v.mu.Unlock()
	}
	if version == 0 {
		return m[stored[0].Version], nil
	}
	if k := m[version]; k != nil {
		return k, nil
	}
	return nil, keys.ErrDecrypt
}

func (v *Vault) openDataKeyInTx(ctx context.Context, tx *store.Tx, tenantID string, s *store.StoredKey) ([]byte, error) {
	if len(s.Sealed) < 4 {
		return nil, keys.ErrDecrypt
	}
	kek, err := v.kekInTx(ctx, tx, tenantID, binary.BigEndian.Uint32(s.Sealed))
	if err != nil {
		return nil, err
	}
	return kek.Open(nil, s.Sealed[4:], tenantID, dataKeyContext(s.Purpose, s.Owner, s.Version))
}

// decryptNoWait is Decrypt for callers that may hold the database's writer
// (the store opening users' emails inside its transactions): it never
// waits for a key set another goroutine holds, which may itself be
// waiting for that writer. A key set it cannot take is read afresh on the
// read pool (reads only: a key that exists is never created here).
func (v *Vault) decryptNoWait(ctx context.Context, tenantID, context, ciphertext string) ([]byte, error) {
	c, err := keys.DecodeCiphertext(ciphertext)
	if err != nil {
		return nil, errDecrypt
	}
	h, err := keys.ParseHeader(c)
	if err != nil {
		return nil, errDecrypt
	}
	var k *keys.DataKey
	if ks := v.cachedKeySet(tenantID, h.Key); ks != nil {
		if ks.current != nil && v.now().Sub(ks.loaded) < cacheTTL {
			k = ks.versions[h.Version]
		}
		ks.mu.Unlock()
	}
	if k == nil {
		v.warmTry(ctx, tenantID, h.Key)
		if ks := v.cachedKeySet(tenantID, h.Key); ks != nil {
			k = ks.versions[h.Version]
			ks.mu.Unlock()
		}
	}
	if k == nil {
		tmp := &keySet{}
		if err := v.load(ctx, tenantID, h.Key, tmp, false); err != nil {
			return nil, decryptError(err)
		}
		if k = tmp.versions[h.Version]; k == nil {
			return nil, errDecrypt
		}
	}
	pt, err := k.Open(nil, c, tenantID, context)
	if err != nil {
		return nil, errDecrypt
	}
	return pt, nil
}
