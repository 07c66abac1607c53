// What coturn does with the credentials the server hands out, seen from a
// TURN client in Node (werift's, real TURN over UDP to a real coturn,
// tests/helpers/Coturn.ts): it lets them allocate; once they expired it still
// refreshes the allocation they opened (it checks a username's expiry when a
// session first authenticates, then keeps the key it derived), so a call
// outlasts its credentials; and it refuses a new allocation with them (401).
// Browsers refresh an allocation every 9 minutes and their permissions every
// 4, too slowly for a test to watch; this client refreshes when told.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { classes, createTurnClient, Message, methods, type TurnProtocol } from 'werift';
import { Coturn } from '../helpers/Coturn.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const SECRET = '5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed';
/** The shortest the server takes: the test waits for the credentials to expire. */
const CREDENTIAL_TTL_S = 10;

describe('coturn and the credentials of getIceServers', { timeout: 90_000 }, () => {
	let coturn: Coturn;
	let server: TestServer;
	let peer: TestPeer;
	const clients: TurnProtocol[] = [];
	before(async () => {
		coturn = await Coturn.start({ secret: SECRET });
		server = await startTestServer({
			env: {
				TURN_HOST: '127.0.0.1',
				TURN_PORT: String(coturn.port),
				TURN_TLS_PORT: String(coturn.tlsPort),
				TURN_SECRET: SECRET,
				TURN_CREDENTIAL_TTL_S: String(CREDENTIAL_TTL_S),
			},
		});
		peer = await server.connect('coturn', 'dave');
	});
	after(async () => {
		for (const client of clients) await client.close().catch(() => {});
		peer?.close();
		await server?.close();
		await coturn?.close();
	});

	async function allocate(credentials: { username: string; credential: string }): Promise<TurnProtocol> {
		const client = await createTurnClient(
			{ address: ['127.0.0.1', coturn.port], username: credentials.username, password: credentials.credential },
			{ transport: 'udp' },
		);
		clients.push(client);
		return client;
	}

	test('an allocation outlives its credentials; a new one with them is refused (401)', async () => {
		const { iceServers } = await peer.request('getIceServers');
		const [handedOut] = iceServers;
		assert.ok(handedOut, 'the server hands out a TURN server');
		const client = await allocate(handedOut);
		assert.equal(client.relayedAddress?.[0], '127.0.0.1', 'coturn relays from 127.0.0.1');
		assert.ok(coturn.requests().some((r) => r.user === handedOut.username && r.method === 'ALLOCATE'));

		const expiry = Number(handedOut.username.split(':')[0]);
		await waitFor('the credentials to expire', () => Date.now() / 1000 > expiry + 1, {
			timeoutMs: (CREDENTIAL_TTL_S + 5) * 1000,
			intervalMs: 250,
		});

		const refresh = new Message(methods.REFRESH, classes.REQUEST).setAttribute('LIFETIME', 600);
		const [answer] = await client.requestWithRetry(refresh, client.server);
		assert.equal(answer.messageClass, classes.RESPONSE, 'coturn refreshes the allocation');
		assert.ok(
			coturn.requests().some((r) => r.user === handedOut.username && r.method === 'REFRESH' && r.result === 'success'),
			'coturn logged the refresh as a success',
		);

		// coturn answers 401; werift drops that answer (it has no integrity to check) and gives up.
		await assert.rejects(allocate(handedOut), 'no allocation with expired credentials');
		assert.ok(
			coturn.requests().some((r) => r.user === handedOut.username && r.result === '401: Unauthorized'),
			'coturn refused the expired username with 401',
		);

		// Fresh credentials from the server allocate again.
		const fresh = (await peer.request('getIceServers')).iceServers[0];
		assert.ok(fresh);
		assert.ok((await allocate(fresh)).relayedAddress, 'fresh credentials allocate');
	});

	test('as README configures it, coturn relays to the media server and to no other address', async () => {
		const client = await allocate((await peer.request('getIceServers')).iceServers[0] ?? assert.fail('no TURN'));
		// The media server (here 127.0.0.1, allowed-peer-ip): a permission is granted.
		await client.sendData(Buffer.from('to the media server'), ['127.0.0.1', 9]);
		// Any other address (denied-peer-ip 0.0.0.0-255.255.255.255): 403.
		await assert.rejects(client.sendData(Buffer.from('elsewhere'), ['127.0.0.2', 9]));
		assert.match(coturn.log(), /A peer IP 127\.0\.0\.2 denied/);
		assert.doesNotMatch(coturn.log(), /A peer IP 127\.0\.0\.1 denied/);
	});
});
