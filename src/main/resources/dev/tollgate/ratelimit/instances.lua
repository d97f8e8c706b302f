-- Tollgate instance discovery for the local share of rate limits while Redis is unavailable.
-- KEYS[1]: the sorted set of live instances (score: last heartbeat, Redis TIME in microseconds).
-- ARGV[1]: this instance's id; ARGV[2]: how long a heartbeat counts, in microseconds.
-- Returns how many instances sent a heartbeat within that time, this one included.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - ttl))
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.ceil(ttl / 1000)))
return redis.call('ZCARD', KEYS[1])
