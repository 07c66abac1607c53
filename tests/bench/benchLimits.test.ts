// The servers the bench starts let the bench's own load in: every bench peer
// comes from 127.0.0.1, so a big join or many rooms would otherwise meet the
// per-room and per-address limits (config.example.ts) instead of being measured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fanoutLoad, limitsForLoad } from '../../bench/benchLimits.ts';
import { config as defaults } from '../../config.example.ts';

test('a load within the defaults runs with the defaults', () => {
	assert.deepEqual(limitsForLoad({ peersPerRoom: 200, connections: 200 }), {
		LIMIT_PEERS_PER_ROOM: String(defaults.limits.peersPerRoom),
		LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: String(defaults.limits.connectionsPerIpPerMinute),
	});
});

test('join --peers 1000 and rooms --rooms 300 (1200 peers at once) get limits that let them in', () => {
	assert.deepEqual(limitsForLoad({ peersPerRoom: 1000, connections: 1000 }), {
		LIMIT_PEERS_PER_ROOM: '1000',
		LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '1000',
	});
	assert.deepEqual(limitsForLoad({ peersPerRoom: 4, connections: 1200 }), {
		LIMIT_PEERS_PER_ROOM: String(defaults.limits.peersPerRoom),
		LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '1200',
	});
});

test('a fanout ramp to 4000 receivers gets a room for them and its sender (broadcasters are members)', () => {
	const ramp = { receivers: undefined, start: 100, step: 100, max: 4000, refine: 3 };
	assert.deepEqual(fanoutLoad({ ramp }), { peersPerRoom: 4001, connections: 0 });
	assert.equal(limitsForLoad(fanoutLoad({ ramp })).LIMIT_PEERS_PER_ROOM, '4001');
	assert.deepEqual(fanoutLoad({ ramp: { ...ramp, receivers: [4, 8] } }), { peersPerRoom: 9, connections: 0 });
	assert.deepEqual(fanoutLoad({ ramp: { ...ramp, sequence: [600, 1400, 600] } }), {
		peersPerRoom: 1401,
		connections: 0,
	});
});
