// The network throttle requests (applyNetworkThrottle / resetNetworkThrottle)
// against a `tc` of our own first on PATH, so the machine's loopback is never
// touched: which tc command a peer's settings become, and the errors a peer
// gets when tc fails or is not installed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { pathWithout } from '../helpers/broadcasterScripts.ts';
import { fakeTc as installFakeTc, restorePath } from '../helpers/fakeTc.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const secret = 'let-me-throttle';
let server: TestServer;
let peer: TestPeer;
let dir: string;

/** What the fake tc does next: log its arguments and succeed, or fail like a real tc. */
const fakeTc = (failure?: string) => installFakeTc(dir, failure);

before(async () => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'conference-throttle-'));
	server = await startTestServer({ env: { THROTTLE_SECRET: secret } });
	peer = await server.connect(`throttle-${process.pid}`, 'alice');
	await peer.join();
});

afterEach(() => {
	restorePath();
});

after(async () => {
	peer.close();
	await server.close();
	rmSync(dir, { recursive: true, force: true });
});

test("a peer's settings become one netem qdisc on loopback; reset deletes it", async () => {
	const tc = fakeTc();
	await peer.request('applyNetworkThrottle', { secret, uplink: 500, downlink: 1000, rtt: 200, packetLoss: 5 });
	// Half the round trip each way; loopback carries both directions, so the lower rate.
	assert.deepEqual(tc.calls(), ['qdisc replace dev lo root netem delay 100ms loss 5% rate 500kbit']);
	await peer.request('resetNetworkThrottle', { secret });
	assert.deepEqual(tc.calls().at(-1), 'qdisc del dev lo root');
});

test("tc failing (no netem in the kernel) is a 500 with tc's own message", async () => {
	fakeTc('Error: Specified qdisc kind is unknown.');
	const refused = await peer.requestError('applyNetworkThrottle', { secret, rtt: 100 });
	assert.equal(refused.code, 500);
	assert.match(
		refused.reason,
		/tc qdisc replace dev lo root netem delay 50ms failed: Error: Specified qdisc kind is unknown\./,
	);
});

test('resetting when nothing is applied is not an error', async () => {
	const tc = fakeTc('Error: Cannot delete qdisc with handle of zero.');
	await peer.request('resetNetworkThrottle', { secret });
	assert.deepEqual(tc.calls(), ['qdisc del dev lo root']);
});

test('without tc installed: a 500 naming the Debian package', async () => {
	process.env.PATH = pathWithout(dir, ['tc']);
	const refused = await peer.requestError('applyNetworkThrottle', { secret, uplink: 300 });
	assert.equal(refused.code, 500);
	assert.match(refused.reason, /needs Linux tc \(Debian package iproute2\)/);
});
