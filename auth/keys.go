package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rampart-dev/rampart/config"
	"github.com/rampart-dev/rampart/keys"
)

// keyRetention is how long a retired key stays published: the longest access
// token lifetime allowed plus clock skew, so every token it signed expires
// first, whatever the lifetime was when it was signed.
const keyRetention = config.MaxAccessTokenTTL + time.Minute

// minReloadInterval limits reloads triggered by unknown key ids, so that
// tokens with made-up kids cannot make every request read the database.
const minReloadInterval = 5 * time.Second

// reloadState remembers when keys were last read.
type reloadState struct {
	mu   sync.Mutex
	last time.Time
}

// LoadKeys reads the signing keys into the keyring. With no current key, or
// one of another algorithm than configured, it creates one first.
func (s *Service) LoadKeys(ctx context.Context) error {
	if err := s.loadKeys(ctx); err != nil {
		return err
	}
	cur := s.keyring.Current()
	switch {
	case cur == nil:
		k, err := keys.GenerateSigningKey(s.cfg.Alg, s.now())
		if err != nil {
			return err
		}
		sealed, err := k.Seal(s.master)
		if err != nil {
			return err
		}
		if _, err := s.signingKeys.AddSigningKey(ctx, sealed, false); err != nil {
			return fmt.Errorf("store signing key: %w", err)
		}
		return s.loadKeys(ctx)
	case cur.Alg != s.cfg.Alg:
		_, err := s.RotateKey(ctx)
		return err
	}
	return nil
}

func (s *Service) loadKeys(ctx context.Context) error {
	now := s.now()
	sealed, err := s.signingKeys.SigningKeys(ctx, now.Add(-keyRetention))
	if err != nil {
		return fmt.Errorf("read signing keys: %w", err)
	}
	var current *keys.SigningKey
	all := make([]*keys.SigningKey, 0, len(sealed))
	for _, sk := range sealed {
		k, err := sk.Open(s.master)
		if err != nil {
			return err
		}
		if k.RetiredAt.IsZero() && (current == nil || k.CreatedAt.After(current.CreatedAt)) {
			current = k
		}
		all = append(all, k)
	}
	s.keyring.Set(current, all)
	s.reload.mu.Lock()
	s.reload.last = now
	s.reload.mu.Unlock()
	return nil
}

// RotateKey creates a new signing key of the configured algorithm and makes
// it current; the previous key stays published until its tokens expire. Other
// replicas learn of it through the bus, or at their next periodic reload.
func (s *Service) RotateKey(ctx context.Context) (*keys.SigningKey, error) {
	k, err := keys.GenerateSigningKey(s.cfg.Alg, s.now())
	if err != nil {
		return nil, err
	}
	sealed, err := k.Seal(s.master)
	if err != nil {
		return nil, err
	}
	if _, err := s.signingKeys.AddSigningKey(ctx, sealed, true); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	if err := s.loadKeys(ctx); err != nil {
		return nil, err
	}
	s.publish(ctx, "k:")
	return k, nil
}

// lookupKey finds a verification key, reloading from the database (at most
// every minReloadInterval) when the id is unknown: a key another replica
// just created.
func (s *Service) lookupKey(kid string) (*keys.SigningKey, bool) {
	if k, ok := s.keyring.Lookup(kid); ok {
		return k, true
	}
	s.reload.mu.Lock()
	stale := s.now().Sub(s.reload.last) >= minReloadInterval
	if stale {
		s.reload.last = s.now()
	}
	s.reload.mu.Unlock()
	if !stale {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.loadKeys(ctx); err != nil {
		s.log.Warn("reload signing keys", "err", err.Error())
		return nil, false
	}
	return s.keyring.Lookup(kid)
}

// keySource adapts lookupKey to token.KeySource.
type keySource struct{ s *Service }

func (k keySource) Lookup(kid string) (*keys.SigningKey, bool) { return k.s.lookupKey(kid) }
