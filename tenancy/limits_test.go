package tenancy

import (
	"context"
	"errors"
	"testing"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/ratelimit"
	"github.com/rampart-dev/rampart/token"
)

type policies map[string]identity.TenantPolicy

func (p policies) TenantPolicy(_ context.Context, id string) (identity.TenantPolicy, error) {
	pol, ok := p[id]
	if !ok {
		return pol, rampart.Errorf(rampart.ENotFound, "tenant not found")
	}
	return pol, nil
}

func TestWhichLimitsApply(t *testing.T) {
	l := NewLimits(nil, policies{
		"t1": {RateLimits: map[string]identity.RateLimitSetting{
			ratelimit.OpModelRequests: {Rate: 5, PeriodSeconds: 60},
			"exports":                 {Rate: 2, PeriodSeconds: 3600, Algorithm: "fixed_window"},
		}},
		"t2": {},
	})
	if r := l.Requests("nonesuch"); len(r) != 2 || r[0].Name != ratelimit.OpAPICalls || r[0].Rate != 100 || r[1].Name != ratelimit.OpDailyQuota {
		t.Fatalf("an unknown tier is basic: %+v", r)
	}
	if r := l.Requests("enterprise"); r[0].Rate != 100_000 {
		t.Fatalf("enterprise: %+v", r)
	}
	user := &auth.Principal{TenantID: "t1", UserID: "u", Claims: &token.Claims{RateLimitTier: "premium"}}
	key := &auth.Principal{TenantID: "t2", UserID: "apikey:k", APIKeyID: "k", RateLimitTier: "standard"}
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		p     *auth.Principal
		key   string
		op    string
		cost  int64
		names []string // of the limits, in order
		rate  int64    // of the last limit
		err   string
	}{
		{"tenant tightens its tier", user, "k1", ratelimit.OpModelRequests, 1, []string{"tenant:model_requests", "model_requests"}, 5_000, ""},
		{"tenant's own operation", user, "k1", "exports", 3, []string{"tenant:exports"}, 2, ""},
		{"API key at its tier", key, "k1", ratelimit.OpModelRequests, 1, []string{"model_requests"}, 500, ""},
		{"unknown operation", key, "k1", "exports", 1, nil, 0, "operation"},
		{"no key", key, "", ratelimit.OpAPICalls, 1, nil, 0, "key"},
		{"long key", key, string(make([]byte, MaxBudgetKeyBytes+1)), ratelimit.OpAPICalls, 1, nil, 0, "key"},
		{"no cost", key, "k", ratelimit.OpAPICalls, 0, nil, 0, "cost"},
		{"high cost", key, "k", ratelimit.OpAPICalls, MaxCost + 1, nil, 0, "cost"},
	} {
		b, err := l.App(ctx, c.p, c.key, c.op, c.cost)
		if c.err != "" {
			var e *rampart.Error
			if !errors.As(err, &e) || e.Code != rampart.EUnprocessable || e.Field != c.err {
				t.Errorf("%s: %v, want a refusal of %s", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var names []string
		for _, l := range b.Limits {
			names = append(names, l.Name)
		}
		if len(names) != len(c.names) || names[0] != c.names[0] || b.Limits[len(b.Limits)-1].Rate != c.rate ||
			b.ID != c.p.TenantID+":app:"+c.op+":"+c.key || b.Cost != c.cost {
			t.Errorf("%s: %+v %v", c.name, b, names)
		}
	}
}
