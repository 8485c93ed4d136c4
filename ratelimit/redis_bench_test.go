package ratelimit

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// The Redis benchmarks decide a request with three limits (the standard
// tier's api_calls, model_requests and daily_quota) from 64 concurrent
// callers, each with its own identifier; budgets are large enough that
// every request is admitted, so both sides do the same work:
//
//	go test -run '^$' -bench 'Redis3Limits' -benchmem ./ratelimit
//
// Rampart decides all three in one round trip (one Lua script, nothing
// written unless all admit); redis_rate (GCRA only) needs one call per limit,
// three round trips, and counts a request against the limits that admitted
// it even when a later one refuses.
const benchCallers = 64

func benchClient(b *testing.B) *redis.Client {
	c := redisClient(b)
	c.Options().PoolSize = benchCallers
	return c
}

func BenchmarkRedis3LimitsRampart(b *testing.B) {
	ctx := context.Background()
	r := &Redis{Client: benchClient(b), Prefix: "rlbench:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"}
	limits := []*Limit{
		{Name: OpAPICalls, Rate: 1 << 40, Period: time.Minute, Algorithm: SlidingWindow},
		{Name: OpModelRequests, Rate: 1 << 40, Period: time.Minute, Algorithm: GCRA},
		{Name: OpDailyQuota, Rate: 1 << 40, Period: 24 * time.Hour, Algorithm: FixedWindow},
	}
	var next atomic.Int64
	b.SetParallelism(benchCallers / max(1, runtimeProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := "caller-" + strconv.FormatInt(next.Add(1), 10)
		var res Result
		for pb.Next() {
			if err := r.Decide(ctx, id, limits, 1, &res); err != nil || !res.Allowed {
				b.Errorf("%v %v", err, res.Allowed)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

func BenchmarkRedis3LimitsRedisRate(b *testing.B) {
	ctx := context.Background()
	lim := redis_rate.NewLimiter(benchClient(b))
	prefix := "rrbench:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	limits := []redis_rate.Limit{
		{Rate: 1 << 30, Burst: 1 << 30, Period: time.Minute},
		{Rate: 1 << 30, Burst: 1 << 30, Period: time.Minute},
		{Rate: 1 << 30, Burst: 1 << 30, Period: 24 * time.Hour},
	}
	names := []string{OpAPICalls, OpModelRequests, OpDailyQuota}
	var next atomic.Int64
	b.SetParallelism(benchCallers / max(1, runtimeProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := prefix + "caller-" + strconv.FormatInt(next.Add(1), 10)
		keys := []string{id + ":" + names[0], id + ":" + names[1], id + ":" + names[2]}
		for pb.Next() {
			for i, l := range limits {
				res, err := lim.Allow(ctx, keys[i], l)
				if err != nil || res.Allowed == 0 {
					b.Errorf("%v %+v", err, res)
					return
				}
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
