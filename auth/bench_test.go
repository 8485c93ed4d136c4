package auth

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
)

// BenchmarkRefreshGrant measures token issuance through the refresh grant:
// one rotation (a database transaction) and one signature per op, with four
// sessions refreshing per core so that database round trips overlap. With
// -cpu 1, 1e9/ns_op is tokens per second on one core (the database server
// runs beside it on the other):
//
//	go test -run '^$' -bench RefreshGrant -benchtime 2000x -cpu 1,2 ./auth
func BenchmarkRefreshGrant(b *testing.B) {
	for _, d := range testdb.Dialects {
		for _, alg := range []string{keys.RS256, keys.ES256} {
			b.Run(d+"/"+alg, func(b *testing.B) {
				c := newClock()
				s := newService(b, d, alg, c)
				tenant, user := seedUser(b, s)
				tenant.Policy.MaxSessionsPerUser = identity.MaxSessionsLimit
				b.ReportAllocs()
				b.SetParallelism(4) // sessions in flight per core, so that database round trips overlap
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					pair, err := s.openSession(context.Background(), tenant, user, sessionOptions{amr: []string{"pwd"}}, Meta{IP: "127.0.0.1"})
					if err != nil {
						b.Error(err)
						return
					}
					refresh := pair.RefreshToken
					for pb.Next() {
						p, err := s.Refresh(context.Background(), refresh, Meta{IP: "127.0.0.1"})
						if err != nil {
							b.Error(err)
							return
						}
						refresh = p.RefreshToken
					}
				})
			})
		}
	}
}

func seedUser(tb testing.TB, s *Service) (*identity.Tenant, *identity.User) {
	now := time.Now().UTC()
	tn := &identity.Tenant{ID: uuid.NewString(), Slug: "bench", Name: "Bench", Status: identity.TenantActive, CreatedAt: now, UpdatedAt: now}
	u := &identity.User{ID: uuid.NewString(), TenantID: tn.ID, Email: "b@bench.io", EmailKey: "b@bench.io", PasswordHash: "x",
		Role: identity.RoleOwner, Status: identity.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateTenantWithOwner(context.Background(), tn, u, nil); err != nil {
		tb.Fatal(err)
	}
	return tn, u
}
