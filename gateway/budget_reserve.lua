-- Reserves an amount on every budget counter of KEYS, or on none.
-- ARGV[1], ARGV[2]: tokens and micro-dollars to reserve.
-- Then for the i-th key: ARGV[3i] its token maximum, ARGV[3i+1] its
-- micro-dollar maximum (-1: none), ARGV[3i+2] the Unix second its window's
-- counter expires at.
-- Each counter is a hash {t = tokens, m = micros} of one budget's window.
-- Answers 1 when reserved, 0 when one budget has no room (nothing written).
local tokens = tonumber(ARGV[1])
local micros = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  local maxT = tonumber(ARGV[3 * i])
  local maxM = tonumber(ARGV[3 * i + 1])
  local v = redis.call('HMGET', key, 't', 'm')
  local t = tonumber(v[1]) or 0
  local m = tonumber(v[2]) or 0
  if (maxT >= 0 and t + tokens > maxT) or (maxM >= 0 and m + micros > maxM) then
    return 0
  end
end
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 't', tokens)
  redis.call('HINCRBY', key, 'm', micros)
  redis.call('EXPIREAT', key, ARGV[3 * i + 2])
end
return 1
