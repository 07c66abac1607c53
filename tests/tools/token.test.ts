// tools/token.ts as an operator runs it (`npm run token -- ...`, the
// project's Node on the script): the token it prints verifies with the
// server's keys and carries the grants asked for, the join URL it prints gets
// into a token-mode server, and every mistake is one clear line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { resolveGrants } from '../../protocol/access.ts';
import { TokenVerifier } from '../../server/auth/tokens.ts';
import { AUTH_KEYS, NEW_KEY, OLD_KEY } from '../helpers/accessTokens.ts';
import { type NodeRun, runNode } from '../helpers/nodeProcess.ts';
import { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');
const TOKEN = path.join(rootDir, 'tools/token.ts');
const verifier = new TokenVerifier([OLD_KEY, NEW_KEY]);

/** The tool with the server's settings from the environment, as `npm run token` starts it. */
function runToken(args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
	return runNode([TOKEN, ...args], {
		cwd: rootDir,
		env: { AUTH_KEYS, MEDIASOUP_ANNOUNCED_ADDRESS: '127.0.0.1', HTTPS_LISTEN_PORT: '4443', ...env },
	});
}

/** stdout: the token, then the join URL (when there is one). */
function printed(run: NodeRun): { token: string; url: URL | undefined } {
	assert.equal(run.code, 0, run.stderr);
	const [token = '', url] = run.stdout.trim().split('\n');
	return { token, url: url === undefined ? undefined : new URL(url) };
}

test('package.json runs the tool as `npm run token`', () => {
	const { scripts } = JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as {
		scripts: Record<string, string>;
	};
	assert.equal(scripts.token, 'node tools/token.ts');
});

describe('a token and its join URL', () => {
	let server: TestServer;

	before(async () => {
		server = await startTestServer({ env: { AUTH_KEYS } });
	});

	after(async () => {
		await server.close();
	});

	test('the printed URL joins a token-mode server as the identity, with the grants asked for', async () => {
		const roomId = `token-tool-${process.pid}`;
		const run = await runToken(
			['--room', roomId, '--identity', 'alice', '--name', 'Alice', '--publish', 'microphone,camera', '--admin'],
			{ HTTPS_LISTEN_PORT: String(server.port) },
		);
		const { token, url } = printed(run);
		assert.ok(url);
		assert.equal(url.origin, `https://127.0.0.1:${server.port}`);
		assert.equal(url.searchParams.get('token'), token);
		assert.equal(url.searchParams.get('peerId'), 'alice');
		assert.equal(url.searchParams.get('roomId'), roomId);

		const verified = await verifier.verify(token);
		assert.equal(verified.identity, 'alice');
		assert.equal(verified.name, 'Alice');
		const grants = { room: roomId, publish: ['microphone', 'camera'] as const, roomAdmin: true };
		assert.deepEqual(verified.grants, resolveGrants({ ...grants, publish: [...grants.publish] }));
		assert.match(run.stderr, /token for "alice" \(Alice\), signed with key "key-2025", valid until /);

		const peer = await TestPeer.connect({ url: `wss://${url.host}/${url.search}`, ca: server.ca });
		try {
			const joined = await peer.join();
			assert.deepEqual(joined.grants, verified.grants);
			assert.ok((await server.server.rooms.find(roomId))?.peers.get('alice')?.joined);
		} finally {
			peer.close();
		}
	});
});

test('--ttl sets the lifetime; the default is 6 hours', async () => {
	for (const [args, seconds] of [
		[['--ttl', '2h'], 7200],
		[['--ttl', '90m'], 5400],
		[['--ttl', '45'], 45],
		[[], 6 * 3600],
	] as const) {
		const { token } = printed(await runToken(['--room', 'r', '--identity', 'bob', ...args]));
		const { expiresAt } = await verifier.verify(token);
		// Against the token's own issue time: how long the process took to start does not matter.
		const { iat } = decodeJwt(token);
		assert.equal(expiresAt - (iat ?? 0), seconds, args.join(' '));
	}
});

test('--key picks the API key; --grants JSON and the flags combine', async () => {
	const { token, url } = printed(
		await runToken([
			'--room',
			'r',
			'--identity',
			'recorder',
			'--key',
			NEW_KEY.key,
			'--grants',
			'{"record":true,"consumerReplicas":2}',
			'--hidden',
			'--no-subscribe',
		]),
	);
	assert.ok(url);
	const [, payload = ''] = token.split('.');
	assert.equal((JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss: string }).iss, NEW_KEY.key);
	assert.deepEqual(
		(await verifier.verify(token)).grants,
		resolveGrants({ room: 'r', record: true, consumerReplicas: 2, hidden: true, subscribe: false }),
	);
});

test('a token that joins no single room gets no URL, and says why', async () => {
	for (const args of [
		['--room', '*', '--identity', 'roamer'],
		['--room', 'r', '--identity', 'ingest-bot', '--no-join', '--ingest'],
	]) {
		const run = await runToken(args);
		const { url } = printed(run);
		assert.equal(url, undefined, args.join(' '));
		assert.match(run.stderr, /no join URL: the token does not join one room/);
	}
});

test('mistakes are one clear line each', async () => {
	const roomAndIdentity = ['--room', 'r', '--identity', 'a'];
	const notADuration = (ttl: string) =>
		`--ttl "${ttl}" is not a duration: give seconds, or a number with s, m, h or d (90m, 2h)`;
	/** Mistakes in what follows `--room r --identity a` (exit 2), and the line after "token: ". */
	const argumentMistakes: [string[], string][] = [
		[['--ttl', 'soon'], notADuration('soon')],
		[['--ttl', '0'], notADuration('0')],
		[
			['--grants', '{roomAdmin:true}'],
			"--grants is not JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
		],
		[['--grants', '{"roomAdmin":"yes"}'], 'invalid grants: roomAdmin: expected boolean, received string'],
		[
			['--grants', '{"admin":true}'],
			'--grants: no grant is called "admin" (the grants: room, join, publish, subscribe, data, roomAdmin, record, ingest, hidden, consumerReplicas)',
		],
		[['--grants', '{"room":"other"}'], '--grants names room "other" but --room is "r"'],
		[
			['--publish', 'microphone,webcam'],
			'--publish takes a list of microphone, camera, screen (or none), not "webcam"',
		],
	];
	const cases: { args: string[]; env?: Record<string, string>; code: number; message: string }[] = [
		{
			args: roomAndIdentity,
			env: { AUTH_KEYS: '' },
			code: 1,
			message:
				'token mode is off: set AUTH_KEYS (key:secret,...) or auth.keys in config.ts, and start the server with it; without keys the server runs in open mode and ignores tokens',
		},
		{
			args: [...roomAndIdentity, '--key', 'key-1999'],
			code: 1,
			message: 'unknown --key "key-1999": the configured keys are key-2025, key-2026',
		},
		...argumentMistakes.map(([args, message]) => ({ args: [...roomAndIdentity, ...args], code: 2, message })),
		{ args: ['--identity', 'a'], code: 2, message: '--room is required: the room the token is for, or "*"' },
	];
	for (const { args, env, code, message } of cases) {
		const run = await runToken(args, env);
		assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
		assert.equal(run.stderr.split('\n')[0], `token: ${message}`, args.join(' '));
		assert.equal(run.stdout, '', 'no token is printed');
	}
});
