-- Replaces a reservation on the counters of KEYS by what was spent:
-- ARGV[1], ARGV[2] are spent minus reserved, in tokens and micro-dollars.
-- A counter that has expired since (its window is long over) is not
-- recreated: it would live without a TTL.
local dt = tonumber(ARGV[1])
local dm = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('HINCRBY', key, 't', dt)
    redis.call('HINCRBY', key, 'm', dm)
  end
end
return 1
