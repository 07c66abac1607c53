// The Lua scripts of the cluster: what must be atomic in Redis (a lease taken
// only if free, renewed only by its holder) or must use Redis's own clock.
// Every expiry is computed from Redis's TIME, never from a node's clock, so
// nodes whose clocks differ still agree on who is live. ioredis sends them by
// SHA and resends the text when a restarted Redis no longer knows the SHA.
import type { Redis } from 'ioredis';

/** Redis's clock in ms, and extend(key, ms): a TTL raised to ms, never lowered (another node may hold a longer lease). */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function extend(key, ms)
	local ttl = redis.call('PTTL', key)
	if ttl == -1 or (ttl >= 0 and ttl < tonumber(ms)) then redis.call('PEXPIRE', key, ms) end
end
`;

const SCRIPTS = {
	/** KEYS nodes, node; ARGV nodeId, record, leaseMs. The node's record and its place in the live set. */
	heartbeat: {
		numberOfKeys: 2,
		lua: `${PRELUDE}
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1`,
	},
	/** KEYS nodes; the live node ids with the ms left on their leases (the expired ones are dropped). */
	liveNodes: {
		numberOfKeys: 1,
		lua: `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local found = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 2, #found, 2 do found[i] = tostring(tonumber(found[i]) - now) end
return found`,
	},
	/** KEYS nodes, node; ARGV nodeId. */
	deregister: {
		numberOfKeys: 2,
		lua: `redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`,
	},
	/**
	 * KEYS roomNodes, nodeRooms, rooms, producers, producerSet; ARGV nodeId, roomId, leaseMs.
	 * This node hosts members of the room for leaseMs more; memberships that lapsed are dropped.
	 */
	renewMembership: {
		numberOfKeys: 5,
		lua: `${PRELUDE}
local lease = tonumber(ARGV[3])
local expiry = now + lease
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
extend(KEYS[1], lease)
redis.call('ZADD', KEYS[2], expiry, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
extend(KEYS[2], lease)
redis.call('ZADD', KEYS[3], 'GT', expiry, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
extend(KEYS[4], lease)
extend(KEYS[5], lease)
return 1`,
	},
	/**
	 * KEYS roomNodes, nodeRooms, rooms, producers, producerSet; ARGV nodeId, roomId.
	 * The last node leaving takes the room, its announcements and its producer set with it.
	 */
	releaseMembership: {
		numberOfKeys: 5,
		lua: `${PRELUDE}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) == 0 then
	redis.call('ZREM', KEYS[3], ARGV[2])
	redis.call('DEL', KEYS[4], KEYS[5])
	return 1
end
return 0`,
	},
	/** KEYS roomNodes; the node ids hosting the room with the ms left on their memberships. */
	roomMembers: {
		numberOfKeys: 1,
		lua: `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local found = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 2, #found, 2 do found[i] = tostring(tonumber(found[i]) - now) end
return found`,
	},
	/**
	 * KEYS owner, fence; ARGV nodeId, leaseMs. Takes the room's ownership if
	 * nobody holds it: {1, token} with a token above every earlier one, or
	 * {0, "token nodeId"} of the holder. The counter starts at Redis's time in
	 * microseconds, so tokens keep growing across a Redis that restarted empty.
	 */
	acquireOwnership: {
		numberOfKeys: 2,
		lua: `
local holder = redis.call('GET', KEYS[1])
if holder then return {0, holder} end
if redis.call('EXISTS', KEYS[2]) == 0 then
	local t = redis.call('TIME')
	redis.call('SET', KEYS[2], t[1] .. string.format('%06d', tonumber(t[2])))
end
local token = string.format('%.0f', redis.call('INCR', KEYS[2]))
redis.call('SET', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])
return {1, token}`,
	},
	/** KEYS owner; ARGV "token nodeId", leaseMs. Renews only the holder's own lease: 1, else 0. */
	renewOwnership: {
		numberOfKeys: 1,
		lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
	},
	/** KEYS owner; ARGV "token nodeId". Releases only the holder's own lease: 1, else 0. */
	releaseOwnership: {
		numberOfKeys: 1,
		lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`,
	},
	/** KEYS owner; {"token nodeId", ms left} or nil. */
	ownerOf: {
		numberOfKeys: 1,
		lua: `
local holder = redis.call('GET', KEYS[1])
if not holder then return nil end
return {holder, tostring(redis.call('PTTL', KEYS[1]))}`,
	},
	/**
	 * KEYS producers, producerSet; ARGV type ('add' | 'close'), producerId, data, maxLength, leaseMs.
	 * Appends to the room's stream and keeps the set of live producers in step.
	 */
	announceProducer: {
		numberOfKeys: 2,
		lua: `${PRELUDE}
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'type', ARGV[1], 'producerId', ARGV[2], 'data', ARGV[3])
if ARGV[1] == 'add' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) else redis.call('HDEL', KEYS[2], ARGV[2]) end
extend(KEYS[1], ARGV[5])
extend(KEYS[2], ARGV[5])
return id`,
	},
	/** KEYS producers, producerSet; {last stream id, producerSet flattened}: a snapshot to follow the stream from. */
	producerSnapshot: {
		numberOfKeys: 2,
		lua: `
local last = '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
	local info = redis.call('XINFO', 'STREAM', KEYS[1])
	for i = 1, #info, 2 do if info[i] == 'last-generated-id' then last = info[i + 1] end end
end
return {last, redis.call('HGETALL', KEYS[2])}`,
	},
	/**
	 * KEYS producers; ARGV afterId, count. {gap, entries after afterId}: gap 1 when
	 * trimming may have dropped entries after afterId (the reader must take a new snapshot).
	 */
	readProducers: {
		numberOfKeys: 1,
		lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, {}} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local fields = {}
for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
local function before(a, b)
	local am, as = string.match(a, '^(%d+)-(%d+)$')
	local bm, bs = string.match(b, '^(%d+)-(%d+)$')
	am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
	return am < bm or (am == bm and as < bs)
end
local gap = 0
if tonumber(fields['entries-added']) > tonumber(fields['length']) and before(ARGV[1], fields['recorded-first-entry-id']) then gap = 1 end
return {gap, redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])}`,
	},
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Registers the scripts on a connection; run() calls one by name. */
export function defineScripts(redis: Redis): void {
	for (const [name, { numberOfKeys, lua }] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys, lua });
}

/** Calls a script defined by defineScripts(); its reply is the caller's to check. */
export function runScript(
	redis: Redis,
	name: ScriptName,
	keys: readonly string[],
	args: readonly (string | number)[],
): Promise<unknown> {
	const command = (redis as unknown as Record<ScriptName, (...params: (string | number)[]) => Promise<unknown>>)[name];
	return command.call(redis, ...keys, ...args);
}
