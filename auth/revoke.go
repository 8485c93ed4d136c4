package auth

import (
	"context"
	"strings"
	"time"
)

// publish drops msg's sessions from this replica's cache and tells the
// others. A failed publish is logged: the cache TTL still bounds staleness.
func (s *Service) publish(ctx context.Context, msg string) {
	s.apply(msg)
	if s.bus == nil {
		return
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := s.bus.Publish(pctx, msg); err != nil {
		s.log.Warn("publish revocation", "err", err.Error())
	}
}

// apply handles a revocation message from this or another replica:
// "s:<session>", "u:<user>", "t:<tenant>", "k:" (keys rotated) or "*:"
// (forget every cached session: messages may have been lost).
func (s *Service) apply(msg string) {
	if strings.HasPrefix(msg, "k:") {
		// Reload off the subscriber's path, so revocations behind this
		// message are not delayed by a database read.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := s.loadKeys(ctx); err != nil {
				s.log.Warn("reload signing keys", "err", err.Error())
			}
		}()
		return
	}
	switch {
	case strings.HasPrefix(msg, "c:"):
		s.roles.drop(strings.TrimPrefix(msg, "c:"))
		return
	case strings.HasPrefix(msg, "a:"):
		s.keyCache.drop(strings.TrimPrefix(msg, "a:"))
		return
	case strings.HasPrefix(msg, "t:"), strings.HasPrefix(msg, "u:"):
		s.keyCache.drop("*") // keys carry their tenant's settings and their creator's rights
	case strings.HasPrefix(msg, "*:"):
		s.roles.drop("*")
		s.keyCache.drop("*")
	}
	s.cache.drop(msg)
}

// Listen applies revocations from other replicas until ctx ends. It returns
// at once without a bus.
func (s *Service) Listen(ctx context.Context) error {
	if s.bus == nil {
		return nil
	}
	return s.bus.Subscribe(ctx, s.apply)
}

func (s *Service) revokedSessions(ctx context.Context, ids []string) {
	for _, id := range ids {
		s.publish(ctx, "s:"+id)
	}
}

// RevokedUser drops every cached session of a user on all replicas: call it
// after ending a user's sessions or changing their role.
func (s *Service) RevokedUser(ctx context.Context, userID string) { s.publish(ctx, "u:"+userID) }

// RevokedTenant drops every cached session of a tenant on all replicas.
func (s *Service) RevokedTenant(ctx context.Context, tenantID string) { s.publish(ctx, "t:"+tenantID) }

// RevokedAPIKey drops an API key from every replica's cache at once: call
// it after revoking the key outside RevokeAPIKey.
func (s *Service) RevokedAPIKey(ctx context.Context, id string) { s.publish(ctx, "a:"+id) }
