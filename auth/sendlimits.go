package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
)

// Send limits: how many messages with links or codes Rampart queues, so
// that nobody turns it into a spam or SMS-pumping cannon. They are on by
// default and counted in the database (atomic increments, shared by every
// replica).
const (
	SendPerAddressMinute = 1      // per recipient (address or number)
	SendPerAddressHour   = 5      // per recipient
	SendPerClientHour    = 20     // per client address asking
	SendPerTenantDay     = 10_000 // per tenant
	SendPerCountryDay    = 200    // SMS per tenant and calling code
)

// sendBudget is one counter a message spends.
type sendBudget struct {
	key    string
	window time.Duration
	limit  int64
}

// sendLimit spends one message of every budget that applies: the
// recipient's, the asking client's, the tenant's, and for SMS the calling
// code's (country is "" for e-mail). It refuses with a 429 once any is
// spent. Recipients are hashed: counters hold no personal data.
func (s *Service) sendLimit(ctx context.Context, tenantID, recipient, country, clientIP string, now time.Time) error {
	if s.sendCounters == nil {
		return nil
	}
	h := func(parts ...string) string {
		sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		return "send:" + hex.EncodeToString(sum[:16])
	}
	to := strings.ToLower(strings.TrimSpace(recipient))
	budgets := []sendBudget{
		{h("to-minute", tenantID, to), time.Minute, SendPerAddressMinute},
		{h("to-hour", tenantID, to), time.Hour, SendPerAddressHour},
		{h("client-hour", clientIP), time.Hour, SendPerClientHour},
		{h("tenant-day", tenantID), 24 * time.Hour, SendPerTenantDay},
	}
	if country != "" {
		budgets = append(budgets, sendBudget{h("country-day", tenantID, country), 24 * time.Hour, SendPerCountryDay})
	}
	for _, b := range budgets {
		c, err := s.sendCounters.Hit(ctx, b.key, now, b.window, false)
		if err != nil {
			return err
		}
		if c.N > b.limit {
			retry := c.WindowEnd.Sub(now)
			if retry < time.Second {
				retry = time.Second
			}
			return &rampart.Error{Code: rampart.ERateLimited, Message: "too many messages; try again later", RetryAfter: retry}
		}
	}
	return nil
}
