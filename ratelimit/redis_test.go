package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rampart-dev/rampart/internal/testdb"
)

func redisClient(t testing.TB) *redis.Client {
	opts, err := redis.ParseURL(testdb.RequireRedis(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestRedisReplicasShareOneBudget: three "replicas" (clients) with 64
// goroutines each hammer one limit of 1,000: exactly 1,000 are admitted, for
// every algorithm. The decision runs on Redis's clock, so the replicas' own
// clocks do not enter it.
func TestRedisReplicasShareOneBudget(t *testing.T) {
	ctx := context.Background()
	for _, alg := range []Algorithm{FixedWindow, SlidingWindow, GCRA} {
		prefix := "rltest:" + itoa(time.Now().UnixNano()) + ":"
		l := &Limit{Name: "shared", Rate: 1000, Period: time.Hour, Algorithm: alg}
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		for replica := 0; replica < 3; replica++ {
			b := &Redis{Client: redisClient(t), Prefix: prefix}
			for g := 0; g < 64; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var r Result
					for i := 0; i < 8; i++ {
						if err := b.Decide(ctx, "tenant-a:key-1", []*Limit{l}, 1, &r); err != nil {
							t.Error(err)
							return
						}
						if r.Allowed {
							ok.Add(1)
						} else {
							refused.Add(1)
						}
					}
				}()
			}
		}
		wg.Wait()
		if ok.Load() != 1000 || refused.Load() != 3*64*8-1000 {
			t.Errorf("%s: admitted %d, refused %d", alg, ok.Load(), refused.Load())
		}
		ttl, _ := redisClient(t).PTTL(ctx, prefix+"{tenant-a:key-1}:shared").Result()
		if ttl <= 0 {
			t.Errorf("%s: key without a TTL (%v)", alg, ttl)
		}
	}
}

// TestRedisRefusedRequestsCountNowhere mirrors the memory backend's test.
func TestRedisRefusedRequestsCountNowhere(t *testing.T) {
	ctx := context.Background()
	b := &Redis{Client: redisClient(t), Prefix: "rltest:" + itoa(time.Now().UnixNano()) + ":"}
	minute := &Limit{Name: "minute", Rate: 2, Period: time.Minute, Algorithm: FixedWindow}
	day := &Limit{Name: "day", Rate: 100, Period: 24 * time.Hour, Algorithm: SlidingWindow}
	var r Result
	for i := 0; i < 10; i++ {
		if err := b.Decide(ctx, "c", []*Limit{minute, day}, 1, &r); err != nil {
			t.Fatal(err)
		}
	}
	if r.Allowed || r.Decisions[0].RetryAfter <= 0 {
		t.Fatalf("last decision %+v", r.Decisions)
	}
	b.Decide(ctx, "c", []*Limit{day}, 1, &r)
	if r.Decisions[0].Remaining != 97 {
		t.Fatalf("day budget spent by refused requests: remaining %d, want 97", r.Decisions[0].Remaining)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
