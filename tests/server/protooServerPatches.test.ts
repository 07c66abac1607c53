// Our patches to protoo-server (patches/protoo-server+*.patch): a request the remote
// answers before the local socket reports the request written must still
// resolve. Unpatched, protoo-server registered the request only once send()
// resolved, on the socket's write callback; a server busy enough to read the
// answer first dropped it as unknown, and the request timed out 30 s later
// although the client had accepted it (the newConsumer of a consumer that then
// stayed paused). The bench's joins of 120 to 200 peers hit it up to 10 times per run.
// And two requests pending at once never share an id, even when the random
// ids protoo-server drew would have been equal: the second replaced the first
// among the pending ones, and the first never settled. And a text frame of
// JSON `null` no longer throws out of the parser (it ended the process), and a
// request whose method is not a string is answered with 400 instead of dropped.
// And requests pending when the remote goes away fail at once (patch 004), as
// they did only on a local close(): a departed client's newConsumer requests
// held their consumers for 30 s.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as protoo from 'protoo-server';
import { missingPatches, patchedPackages } from '../../scripts/checkPatches.ts';

const require = createRequire(import.meta.url);
const protooServerDir = path.dirname(require.resolve('protoo-server/package.json'));

/** A protoo message as protoo-server sends it. */
interface SentMessage {
	request?: boolean;
	id?: number;
	method?: string;
}

/**
 * The order of events on a congested socket, made certain: the remote's answer
 * to a request is read (emitted) before send() resolves, which it does on a
 * later turn, as a socket's write callback does. Everything else of a
 * protoo-server transport as its WebSocketTransport has it.
 */
class AnswerBeforeWriteTransport extends EventEmitter implements protoo.WebSocketTransport {
	closed = false;
	readonly answers: unknown[];

	constructor(answers: unknown[]) {
		super();
		this.answers = answers;
	}

	override toString(): string {
		return 'AnswerBeforeWriteTransport';
	}

	close(): void {
		this.closed = true;
		this.emit('close');
	}

	send(message: SentMessage): Promise<void> {
		if (message.request) {
			this.emit('message', { response: true, id: message.id, ok: true, data: this.answers.shift() });
		}
		return new Promise((resolve) => setImmediate(resolve));
	}
}

/** What the promise gives, or a rejection with `pending` if it has not settled in 2 s. */
function settledSoon<T>(promise: Promise<T>, pending: string): Promise<T> {
	return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(pending)), 2000))]);
}

test('the set-up applied every patch of patches/ for protoo-server to node_modules/protoo-server', () => {
	const protooPatches = patchedPackages().find((pkg) => pkg.name === 'protoo-server');
	assert.ok(protooPatches);
	assert.equal(protooPatches.patches.length, 4);
	assert.deepEqual(missingPatches(protooPatches), []);
});

test('a request answered before its write completed resolves with the answer', async () => {
	const room = new protoo.Room();
	const transport = new AnswerBeforeWriteTransport([{ first: true }, { second: true }]);
	const peer = room.createPeer('peer', transport);
	try {
		const answers = await settledSoon(
			Promise.all([peer.request('newConsumer', { id: 'a' }), peer.request('newConsumer', { id: 'b' })]),
			'the answered requests are still pending',
		);
		assert.deepEqual(answers, [{ first: true }, { second: true }]);
	} finally {
		room.close();
	}
});

test('a request whose send fails rejects at once, with the send error', async () => {
	const room = new protoo.Room();
	const transport = new AnswerBeforeWriteTransport([]);
	transport.send = () => Promise.reject(new Error('socket gone'));
	const peer = room.createPeer('peer', transport);
	try {
		await assert.rejects(peer.request('newConsumer', {}), /socket gone/);
	} finally {
		room.close();
	}
});

/** A transport that keeps what it is sent; the test answers, in its own order. */
class HeldTransport extends AnswerBeforeWriteTransport {
	readonly sent: SentMessage[] = [];

	override send(message: SentMessage): Promise<void> {
		this.sent.push(message);
		return Promise.resolve();
	}

	answer(id: number | undefined, data: unknown): void {
		this.emit('message', { response: true, id, ok: true, data });
	}
}

test('requests pending at once have their own ids and answers, even when the random draws are equal', async () => {
	const room = new protoo.Room();
	const transport = new HeldTransport([]);
	const peer = room.createPeer('peer', transport);
	const random = Math.random;
	let draws = 0;
	// The first two draws equal: upstream gave both requests the id 5000000.
	Math.random = () => (draws++ < 2 ? 0.5 : random());
	let first: Promise<unknown>;
	let second: Promise<unknown>;
	try {
		first = peer.request('newConsumer', { id: 'a' });
		second = peer.request('newConsumer', { id: 'b' });
	} finally {
		Math.random = random;
	}
	try {
		const [a, b] = transport.sent;
		assert.ok(a && b, 'both requests sent');
		assert.notEqual(a.id, b.id);
		transport.answer(a.id, { first: true });
		transport.answer(b.id, { second: true });
		const answers = await settledSoon(Promise.all([first, second]), 'an answered request is still pending');
		assert.deepEqual(answers, [{ first: true }, { second: true }]);
	} finally {
		room.close();
	}
});

/** protoo-server's message parser, as its WebSocket transport calls it for every text frame. */
const { parse } = require(path.join(protooServerDir, 'lib', 'Message.js')) as {
	parse: (raw: string) => Record<string, unknown> | undefined;
};

test('a frame that is JSON but not an object is dropped, never thrown on (null used to throw)', () => {
	for (const frame of ['null', '7', '"text"', 'true', '[]', '[{"request":true}]']) {
		assert.equal(parse(frame), undefined, frame);
	}
});

test('a request with an id but no string method is kept, marked invalid, and the peer answers it with 400', () => {
	const invalid = parse(JSON.stringify({ request: true, id: 9, method: 42 }));
	assert.equal(invalid?.id, 9);
	assert.match(String(invalid?.invalid), /"method": it must be a string/);
	// Without an id there is nothing an answer could refer to.
	assert.equal(parse(JSON.stringify({ request: true, method: 42 })), undefined);

	const room = new protoo.Room();
	const transport = new HeldTransport([]);
	const peer = room.createPeer('peer', transport);
	let requests = 0;
	peer.on('request', () => requests++);
	try {
		transport.emit('message', invalid);
		assert.deepEqual(transport.sent, [
			{ response: true, id: 9, errorCode: 400, errorReason: 'missing or invalid "method": it must be a string' },
		]);
		assert.equal(requests, 0, 'the application never sees it');
	} finally {
		room.close();
	}
});

test('a request pending when the remote goes away fails at once, not after its timeout', async () => {
	const room = new protoo.Room();
	const transport = new HeldTransport([]);
	const peer = room.createPeer('peer', transport);
	try {
		const pending = peer.request('newConsumer', { id: 'a' });
		assert.equal(transport.sent.length, 1, 'the request went out');
		// What protoo's WebSocketTransport does when the connection closes.
		transport.closed = true;
		transport.emit('close');
		await settledSoon(
			assert.rejects(pending, /peer closed/),
			'the request is still pending (upstream: until its 30 s timeout)',
		);
		assert.equal(peer.closed, true);
	} finally {
		room.close();
	}
});
