// The two rate limits' arithmetic, on clocks the test controls: the token
// bucket behind limits.requestsPerSecond / requestBurst, and the one-minute
// window behind limits.connectionsPerIpPerMinute. tests/server/limits.test.ts
// shows the same limits as a client meets them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionRateLimit, TokenBucket } from '../../server/auth/rateLimits.ts';

test('a token bucket lets a burst through, then one request per refilled token, and never saves more than the burst', () => {
	const bucket = new TokenBucket(10, 3, 0);
	assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
	// 10 per second: one token every 100 ms.
	assert.equal(bucket.take(50), false);
	assert.equal(bucket.take(100), true);
	assert.equal(bucket.take(100), false);
	// An hour of quiet still holds only the burst.
	const later = 3_600_000;
	assert.deepEqual(
		[bucket.take(later), bucket.take(later), bucket.take(later), bucket.take(later)],
		[true, true, true, false],
	);
});

test('connections per address: the one over the limit is a 429 naming it; other addresses and the next minute are not', () => {
	const limit = new ConnectionRateLimit(2);
	const start = Date.parse('2025-06-01T10:00:00Z');
	limit.admit('10.0.0.1', start);
	limit.admit('10.0.0.1', start + 1000);
	assert.throws(
		() => limit.admit('10.0.0.1', start + 2000),
		(error: { status?: number; message: string }) => {
			assert.equal(error.status, 429);
			assert.equal(error.message, 'too many connections from 10.0.0.1: limits.connectionsPerIpPerMinute is 2');
			return true;
		},
	);
	limit.admit('10.0.0.2', start + 2000);
	assert.throws(() => limit.admit('10.0.0.1', start + 59_999), /connectionsPerIpPerMinute is 2/);
	// The window started with the first connection: a minute later it starts afresh.
	limit.admit('10.0.0.1', start + 60_000);
	limit.admit('10.0.0.1', start + 60_001);
	assert.throws(() => limit.admit('10.0.0.1', start + 60_002), /connectionsPerIpPerMinute is 2/);
});
