-- Tollgate rate limiting: for each request of a batch, in order, takes one unit from every bucket of that
-- request, all or nothing (Buckets#acquire). A batch is the requests that waited while an earlier call was on
-- the wire (ScriptBatcher); taking them in order in one script is the same as one call each, one round trip.
-- The same algorithms, with the same arithmetic in the same order, as SlidingWindow.java, TokenBucket.java and
-- WindowCounter.java.
-- KEYS: the distinct buckets of the batch; in a cluster all in one hash slot (hash-tagged, see BucketKeys.java).
-- ARGV[1]: the time to count in: TIME to take it from Redis TIME (what the gateway sends, so that instances with
--   skewed clocks agree), or a time in microseconds from a clock of the caller's. ARGV[2]: the number of requests.
--   Then per request: its number of buckets, the units it asks to prefetch, the prefetch lease in microseconds, the
--   lease's name, the name of an ended lease whose unused units it gives back, their number and the time of the
--   call that took them, and six per bucket: the bucket's index in KEYS, algorithm (1 sliding window, 2 token
--   bucket, 3 sliding-window counter), limit, window in microseconds, burst, enforced (1, or 0 for report-only).
-- Returns per request, in order: four integers per bucket, in order: allowed (1 or 0), remaining, reset and
--   retry-after in microseconds; then the units prefetched for it and the time of this call.
-- Prefetch (Prefetch.java): an admitted request may take extra units from all of its buckets for the gateway
-- instance to hand out locally until the lease ends. Only when every bucket has room, and at most a quarter
-- of what each has left after the request, so near the limit requests go one call each again. A sliding
-- log records prefetched units at the lease's end, the latest time the instance may use them: counted that
-- late, never too early, they cannot let a later window admit more than the limit. Their members are named
-- <lease>-<n>, so that the units an ended lease did not use can be given back (ZREM): they admitted nobody.
-- A token bucket gets none back: its units do not end, the instance keeps handing them out. A counter grants
-- units only when the lease ends within the current fixed window, so they count in the window they are used in;
-- unused ones are taken off that window's count (if it is still the current or the previous one).
-- Numbers sent back to Redis are formatted with %.0f / %.17g: Lua's default tostring keeps 14 digits only,
-- and microsecond timestamps have 16.
local now
if ARGV[1] == 'TIME' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
  if not now then return redis.error_reply('limit.lua: ARGV[1] must be TIME or a time in microseconds') end
end
local function int(x) return string.format('%.0f', x) end

-- sliding-window counter (WindowCounter.java): the estimate of the requests in (now - window, now], the previous
-- fixed window weighted by the share of its microseconds still inside
local function estimate(prev, cur, elapsed, window)
  return prev * (window - elapsed - 1) / window + cur
end
local function remaining(limit, est) return math.max(0, math.ceil(limit - est)) end
-- the first microsecond at or after from at which the estimate is below target, or -1 if none in this window
local function firstBelow(prev, cur, target, w, from)
  if cur >= target then return -1 end
  if prev == 0 then return from end
  local x = math.floor((w - 1) - (target - cur) * w / prev) + 1
  if x < from then x = from end
  if x > w - 1 then x = w - 1 end
  while x < w - 1 and estimate(prev, cur, x, w) >= target do x = x + 1 end
  while x > from and estimate(prev, cur, x - 1, w) < target do x = x - 1 end
  return x
end
-- microseconds until one more request fits than the left that fit now: in this window or in the next one
local function restore(prev, cur, limit, w, elapsed, left)
  if left >= limit then return 0 end
  local target = limit - left
  local here = firstBelow(prev, cur, target, w, elapsed)
  if here >= 0 then return here - elapsed end
  return w - elapsed + firstBelow(cur, 0, target, w, 0)
end

-- Each bucket's state is read once per call and kept here while the batch's requests take from it: a hot
-- bucket (one client sending many requests at once) costs its reads once per batch, not once per request.
-- Token buckets are written back once at the end; the sliding log gets one ZADD per admitted request.
local state = {}
local function load(key, algo, window)
  local st = state[key]
  if st then return st end
  st = { algo = algo }
  if algo == 1 then
    -- sliding log: the window is (now - window, now]
    redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - window))
    st.size = redis.call('ZCARD', key)
    st.oldest = now
    if st.size > 0 then
      st.oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
    end
  elseif algo == 3 then
    -- counter: w the number of the fixed window of c (its count), p the count of the window before it
    st.elapsed = math.fmod(now, window)
    st.index = (now - st.elapsed) / window
    local h = redis.call('HMGET', key, 'w', 'c', 'p')
    local w = tonumber(h[1])
    st.cur, st.prev = 0, 0
    if w == st.index then
      st.cur, st.prev = tonumber(h[2]), tonumber(h[3])
    elseif w == st.index - 1 then
      st.prev = tonumber(h[2])
    end
  else
    local h = redis.call('HMGET', key, 'tokens', 'updated')
    st.stored = h[1] and { tonumber(h[1]), tonumber(h[2]) }
  end
  state[key] = st
  return st
end

-- one request: checks every bucket, then takes from all of them unless an enforced one has no room
local function acquire(a, n, want, lease, id, refundId, refund, refundAt, result)
  local buckets = {}
  local veto = false
  if refund > 0 then
    local gone = {}
    for j = 1, refund do gone[j] = refundId .. '-' .. j end
    for i = 0, n - 1 do
      local algo = tonumber(ARGV[a + i * 6 + 1])
      if algo == 3 then
        local window = tonumber(ARGV[a + i * 6 + 3])
        local st = load(KEYS[tonumber(ARGV[a + i * 6])], 3, window)
        local start = refundAt - math.fmod(refundAt, window)
        if start == now - st.elapsed and st.cur > 0 then
          st.cur = math.max(0, st.cur - refund)
        elseif start == now - st.elapsed - window and st.prev > 0 then
          st.prev = math.max(0, st.prev - refund)
        else
          start = nil
        end
        if start then
          st.dirty = true
          st.ttl = math.ceil((2 * window - st.elapsed) / 1000)
        end
      elseif algo == 1 then
        local key = KEYS[tonumber(ARGV[a + i * 6])]
        local removed = redis.call('ZREM', key, unpack(gone))
        local st = state[key]
        if st and removed > 0 then
          st.size = st.size - removed
          if st.size == 0 then st.oldest = now end
        end
      end
    end
  end
  for i = 1, n do
    local b = { key = KEYS[tonumber(ARGV[a])], algo = tonumber(ARGV[a + 1]), limit = tonumber(ARGV[a + 2]),
                window = tonumber(ARGV[a + 3]), burst = tonumber(ARGV[a + 4]), enforced = ARGV[a + 5] == '1' }
    a = a + 6
    local st = load(b.key, b.algo, b.window)
    b.st = st
    if b.algo == 1 then
      b.size = st.size
      b.oldest = st.oldest
      if b.size < b.limit then
        local reset = 0
        if b.size > 0 then reset = b.oldest + b.window - now end
        b.out = { 1, b.limit - b.size, reset, 0 }
      else
        local idx = b.size - b.limit
        local at = tonumber(redis.call('ZRANGE', b.key, idx, idx, 'WITHSCORES')[2])
        b.out = { 0, 0, b.oldest + b.window - now, at + b.window - now }
      end
    elseif b.algo == 3 then
      local est = estimate(st.prev, st.cur, st.elapsed, b.window)
      if est < b.limit then
        local left = remaining(b.limit, est)
        b.out = { 1, left, restore(st.prev, st.cur, b.limit, b.window, st.elapsed, left), 0 }
      else
        local retry = restore(st.prev, st.cur, b.limit, b.window, st.elapsed, 0)
        b.out = { 0, 0, retry, retry }
      end
    else
      -- token bucket: burst tokens at most, refilled at limit per window
      b.tokens = b.burst
      if st.stored then
        b.tokens = math.min(b.burst, st.stored[1] + (now - st.stored[2]) * b.limit / b.window)
      end
      local reset = math.ceil((b.burst - b.tokens) * b.window / b.limit)
      if b.tokens >= 1 then
        b.out = { 1, math.floor(b.tokens), reset, 0 }
      else
        b.out = { 0, 0, reset, math.ceil((1 - b.tokens) * b.window / b.limit) }
      end
    end
    if b.enforced and b.out[1] == 0 then veto = true end
    buckets[i] = b
  end

  -- prefetch: only when every bucket has room, at most a quarter of what each has left after this request
  local grant = 0
  if want > 0 and not veto then
    grant = want
    for _, b in ipairs(buckets) do
      local left
      if b.out[1] == 0 then left = 0
      elseif b.algo == 1 then left = b.limit - b.size - 1
      elseif b.algo == 3 then
        left = remaining(b.limit, estimate(b.st.prev, b.st.cur + 1, b.st.elapsed, b.window))
        -- units must be used in the fixed window that counts them
        if b.st.elapsed + lease >= b.window then left = 0 end
      else left = b.tokens - 1 end
      grant = math.min(grant, math.floor(left / 4))
    end
  end

  for _, b in ipairs(buckets) do
    if not veto and b.out[1] == 1 then
      local st = b.st
      local ttl
      if b.algo == 1 then
        -- members are unique: the log only grows within one microsecond; prefetched units are named by their
        -- lease (never only digits), stamped at its end
        redis.call('ZADD', b.key, int(now), int(now) .. '-' .. b.size)
        if grant > 0 then
          local at = int(now + lease)
          local add = {}
          for j = 1, grant do
            add[#add + 1] = at
            add[#add + 1] = id .. '-' .. j
          end
          redis.call('ZADD', b.key, unpack(add))
        end
        st.size = b.size + 1 + grant
        st.oldest = b.oldest
        -- kept a lease longer than the window: units prefetched by an earlier call may be stamped that late
        ttl = math.ceil((b.window + lease) / 1000) + 1
        b.out = { 1, b.limit - b.size - 1 - grant, b.oldest + b.window - now, 0 }
      elseif b.algo == 3 then
        st.cur = st.cur + 1 + grant
        local left = remaining(b.limit, estimate(st.prev, st.cur, st.elapsed, b.window))
        -- the current count matters until the end of the next window
        ttl = math.ceil((2 * b.window - st.elapsed) / 1000)
        b.out = { 1, left, restore(st.prev, st.cur, b.limit, b.window, st.elapsed, left), 0 }
      else
        local left = b.tokens - 1 - grant
        local full = math.ceil((b.burst - left) * b.window / b.limit)
        st.stored = { left, now }
        ttl = math.ceil(full / 1000) + 1
        b.out = { 1, math.floor(left), full, 0 }
      end
      -- a sliding log keeps its longest need (prefetched units stamped late); a bucket its latest state
      if b.algo == 2 or not st.ttl or ttl > st.ttl then st.ttl = ttl end
      st.dirty = true
    end
    for j = 1, 4 do result[#result + 1] = b.out[j] end
  end
  result[#result + 1] = grant
  result[#result + 1] = now
  return a
end

local result = {}
local a = 3
for r = 1, tonumber(ARGV[2]) do
  local n = tonumber(ARGV[a])
  a = acquire(a + 7, n, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3], ARGV[a + 4],
    tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6]), result)
end
for key, st in pairs(state) do
  if st.dirty then
    if st.algo == 2 then
      redis.call('HSET', key, 'tokens', string.format('%.17g', st.stored[1]), 'updated', int(st.stored[2]))
    elseif st.algo == 3 then
      redis.call('HSET', key, 'w', int(st.index), 'c', int(st.cur), 'p', int(st.prev))
    end
    redis.call('PEXPIRE', key, int(st.ttl))
  end
end
return result
