package monitor

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/rampart-dev/rampart/internal/testdb"
)

func redisState(t *testing.T) *Redis {
	u := testdb.RequireRedis(t)
	opts, _ := redis.ParseURL(u)
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return &Redis{Client: c, Prefix: "rampart:test:mon:" + uuid.NewString() + ":"}
}

// TestFixturesRedis runs every fixture with the state in Redis.
func TestFixturesRedis(t *testing.T) {
	st := redisState(t)
	g := NewEngine(MustBuiltin(), st)
	for file, fx := range loadFixtures(t) {
		for _, f := range fx {
			events, _ := f.Expand()
			if len(events) > 3000 {
				continue // the long ones run in memory; Redis is the same scripts
			}
			tenant := uuid.NewString()
			got := []string{}
			for b := range slices.Chunk(events, 500) {
				ds, err := g.Process(context.Background(), tenant, b, f.Policy)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range ds {
					if !slices.Contains(got, d.DedupKey) {
						got = append(got, d.DedupKey)
					}
				}
			}
			slices.Sort(got)
			want := slices.Clone(f.Expect)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s/%s: %v, want %v", file, f.Name, got, want)
			}
		}
	}
}

// TestRedisReplicasCountTogether: two engines (two replicas) sharing Redis
// see one tenant's events in turns and count them together.
func TestRedisReplicasCountTogether(t *testing.T) {
	st := redisState(t)
	a, b := NewEngine(MustBuiltin(), st), NewEngine(MustBuiltin(), &Redis{Client: st.Client, Prefix: st.Prefix})
	fx := &Fixture{Events: []FixtureEntry{{Type: "login_failure", IP: "203.0.113.9", Details: map[string]string{"email_key": "e{i}"}, Repeat: 24}}}
	events, _ := fx.Expand()
	opened := 0
	for i, chunk := range slices.Collect(slices.Chunk(events, 4)) {
		g := a
		if i%2 == 1 {
			g = b
		}
		ds, err := g.Process(context.Background(), "t1", chunk, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Opening {
				opened++
			}
		}
	}
	if opened != 1 {
		t.Fatalf("%d openings across two replicas, want 1", opened)
	}
}
