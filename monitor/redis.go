package monitor

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is State shared by every replica through Redis, so that two
// replicas count together. Each operation is one script (one round trip),
// atomic on the server; every key has a TTL, so the state is bounded by
// the live keys. Times are the events', TTLs relative to them.
type Redis struct {
	Client redis.UniversalClient
	// Prefix starts every key (default "rampart:mon:").
	Prefix string
}

func (r *Redis) key(k string) string {
	p := r.Prefix
	if p == "" {
		p = "rampart:mon:"
	}
	return p + k
}

// claimTTL keeps a tenant's counted mark well beyond any window a batch
// could be handled again within.
const claimTTL = 7 * 24 * time.Hour

var claimScript = redis.NewScript(`
local prev = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > prev then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return tostring(prev)`)

// Claim implements State.
func (r *Redis) Claim(ctx context.Context, tenant string, seq int64) (int64, error) {
	s, err := claimScript.Run(ctx, r.Client, []string{r.key("claim:" + tenant)}, seq, claimTTL.Milliseconds()).Text()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}

// The sliding-window counter of Memory.Bucket, and the decaying baseline.
// ARGV: weight, window ns, period s (0: none), now ns, now s, ttl ms.
var bucketScript = redis.NewScript(`
local w, size, period, ns, secs, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local v = redis.call('HMGET', KEYS[1], 'c', 'p', 'w', 'b', 'l')
local cur, prev, win, base, last = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0'), tonumber(v[4] or '0'), tonumber(v[5] or '0')
local k = math.floor(ns / size)
if k == win + 1 then prev, cur, win = cur, 0, k
elseif k > win then prev, cur, win = 0, 0, k end
cur = cur + w
local covered = 1 - (ns % size) / size
local level = prev * covered + cur
if period > 0 then
  local dt = 0
  if last > 0 and secs > last then dt = secs - last end
  base = base * math.exp(-dt / period) + w
  last = secs
end
redis.call('HSET', KEYS[1], 'c', tostring(cur), 'p', tostring(prev), 'w', tostring(win), 'b', tostring(base), 'l', tostring(last))
redis.call('PEXPIRE', KEYS[1], ttl)
return {tostring(level), tostring(base)}`)

// Bucket implements State.
func (r *Redis) Bucket(ctx context.Context, key string, w float64, window, period time.Duration, now time.Time) (float64, float64, error) {
	ttl := max(2*window, period)
	v, err := bucketScript.Run(ctx, r.Client, []string{r.key(key)}, w, window.Nanoseconds(), period.Seconds(), now.UnixNano(), now.Unix(), ttl.Milliseconds()).StringSlice()
	if err != nil {
		return 0, 0, err
	}
	level, _ := strconv.ParseFloat(v[0], 64)
	base, _ := strconv.ParseFloat(v[1], 64)
	return level, base, nil
}

// drainScript empties a count (keeping its baseline) or a distinct set.
var drainScript = redis.NewScript(`
local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'hash' then redis.call('HSET', KEYS[1], 'c', '0', 'p', '0')
elseif t == 'zset' then redis.call('DEL', KEYS[1]) end
return 0`)

// Drain implements State.
func (r *Redis) Drain(ctx context.Context, key string) error {
	return drainScript.Run(ctx, r.Client, []string{r.key(key)}).Err()
}

// ARGV: value, now s, window start s, limit, ttl ms.
var distinctScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[4])
if n > limit then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - limit - 1); n = limit end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return n`)

// Distinct implements State.
func (r *Redis) Distinct(ctx context.Context, key string, value uint32, limit int, window time.Duration, now time.Time) (int, error) {
	n, err := distinctScript.Run(ctx, r.Client, []string{r.key(key)}, value, now.Unix(), now.Add(-window).Unix(), limit, window.Milliseconds()).Int()
	return n, err
}

// ARGV: value, now s, window start s, max values, ttl ms. Returns {new, history}.
var novelScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local history = redis.call('ZCARD', KEYS[1])
local isNew = 0
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then isNew = 1 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
local keep = tonumber(ARGV[4])
if n > keep then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - keep - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {isNew, history}`)

// Novel implements State.
func (r *Redis) Novel(ctx context.Context, key string, value uint32, window time.Duration, now time.Time) (bool, bool, error) {
	v, err := novelScript.Run(ctx, r.Client, []string{r.key(key)}, value, now.Unix(), now.Add(-window).Unix(), MaxNovel, window.Milliseconds()).Int64Slice()
	if err != nil {
		return false, false, err
	}
	return v[0] == 1, v[1] > 0, nil
}

// Hot implements State.
func (r *Redis) Hot(ctx context.Context, key string, now time.Time) (bool, error) {
	v, err := r.Client.Get(ctx, r.key("hot:"+key)).Int64()
	if err == redis.Nil {
		return false, nil
	}
	return err == nil && v >= now.Unix(), err
}

// ARGV: until s, ttl ms.
var heatScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 0`)

// Heat implements State. The TTL runs from the wall clock: replicas judge
// events of the last moments, so until is near it.
func (r *Redis) Heat(ctx context.Context, key string, until time.Time) error {
	ttl := max(time.Until(until), 0) + time.Hour
	return heatScript.Run(ctx, r.Client, []string{r.key("hot:" + key)}, until.Unix(), ttl.Milliseconds()).Err()
}

// Lock takes tenant's batch lock for owner until ttl passes or Unlock: one
// replica at a time counts a tenant's events.
func (r *Redis) Lock(ctx context.Context, tenant, owner string, ttl time.Duration) (bool, error) {
	return r.Client.SetNX(ctx, r.key("lock:"+tenant), owner, ttl).Result()
}

// unlockScript deletes a lock only while its owner holds it.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// Unlock releases owner's lock of tenant (not a lock another owner took
// after this one's expired).
func (r *Redis) Unlock(ctx context.Context, tenant, owner string) error {
	return unlockScript.Run(ctx, r.Client, []string{r.key("lock:" + tenant)}, owner).Err()
}
