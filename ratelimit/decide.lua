-- KEYS: one hash per limit. ARGV: cost, then per limit: algorithm, rate,
-- period in microseconds. Returns per limit {allowed, remaining, reset_us,
-- retry_us}. Nothing is written unless every limit admits the request.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local res, writes, ok = {}, {}, true
for i = 1, #KEYS do
  local alg = ARGV[2 + (i - 1) * 3]
  local rate = tonumber(ARGV[3 + (i - 1) * 3])
  local p = tonumber(ARGV[4 + (i - 1) * 3])
  local h = redis.call('HMGET', KEYS[i], 'start', 'count', 'prev', 'tat')
  local start, count, prev, tat = tonumber(h[1]) or -1, tonumber(h[2]) or 0, tonumber(h[3]) or 0, tonumber(h[4]) or 0
  if alg == 'gcra' then
    local interval = math.max(1, math.floor(p / rate))
    local tat0 = math.max(tat, now)
    local new = tat0 + cost * interval
    if new - now > p then
      ok = false
      res[i] = {0, math.max(0, math.floor((p - (tat0 - now)) / interval)), tat0 - now, new - now - p}
    else
      res[i] = {1, math.floor((p - (new - now)) / interval), new - now, 0}
      writes[i] = {{'tat', new}, new - now}
    end
  else
    local ws = now - (now % p)
    local used
    if alg == 'sliding_window' then
      if start == ws then
      elseif start == ws - p then prev, count = count, 0
      else prev, count = 0, 0 end
      used = math.ceil(prev * (p - (now - ws)) / p) + count
    else
      if start ~= ws then count = 0 end
      prev = 0
      used = count
    end
    if used + cost > rate then
      ok = false
      res[i] = {0, math.max(0, rate - used), ws + p - now, ws + p - now}
    else
      res[i] = {1, rate - used - cost, ws + p - now, 0}
      local ttl = ws + p - now
      if alg == 'sliding_window' then ttl = ttl + p end
      writes[i] = {{'start', ws, 'count', count + cost, 'prev', prev}, ttl}
    end
  end
end
if ok then
  for i = 1, #KEYS do
    local w = writes[i]
    redis.call('HSET', KEYS[i], unpack(w[1]))
    redis.call('PEXPIRE', KEYS[i], math.max(1, math.ceil(w[2] / 1000)))
  end
end
return res
