// One terminal session on its own, without workers: a person in a TTY gets
// Node's line-editing REPL, piped lines are answered in order (Node's REPL
// alone would start them all at once), and the session closes the way every
// owning class does (closed, idempotent close(), observer 'close') whether
// the client leaves or the server closes it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { formatHello } from '../../server/terminal/hello.ts';
import { TerminalSession } from '../../server/terminal/TerminalSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

const PROMPT = 'mediasoup> ';
const PIPED = formatHello({ terminal: false, colors: false, columns: undefined });

interface Connected {
	session: TerminalSession;
	/** The session's end of the connection. */
	socket: net.Socket;
	client: net.Socket;
	/** Everything the session sent after its banner. */
	output(): string;
}

/** A session on one end of a UNIX socket, as TerminalServer makes it, and the client end. */
async function connect(t: TestContext, hello: string): Promise<Connected> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'session-test-'));
	const server = net.createServer({ allowHalfOpen: true });
	server.listen(path.join(dir, 'session.sock'));
	await once(server, 'listening');
	t.after(() => {
		server.close();
		rmSync(dir, { recursive: true, force: true });
	});
	const client = net.connect(path.join(dir, 'session.sock'));
	const [socket] = (await once(server, 'connection')) as [net.Socket];
	const session = new TerminalSession(socket, {
		banner: 'banner\n',
		commands: [{ name: 'slow', help: 'answers after 100 ms', run: () => delayed('slow command', 100) }],
		installScope: (context) => Object.assign(context, { delayed }),
	});
	t.after(() => {
		client.destroy();
		session.close();
	});
	let output = '';
	client.setEncoding('utf8').on('data', (text: string) => {
		output += text;
	});
	client.write(hello);
	return { session, socket, client, output: () => output.replace(/^banner\n/, '') };
}

function delayed(value: string, ms: number): Promise<string> {
	return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

test('piped lines are answered in order: awaited expressions, dot-commands, statements over several lines', async (t) => {
	const { client, output } = await connect(t, PIPED);
	client.end('await delayed("first", 150)\n.slow\n"third"\nfor (const i of [1, 2]) {\n  i\n}\n"last, without newline"');
	await once(client, 'close');
	assert.equal(
		output(),
		[
			PROMPT,
			"'first'\n",
			PROMPT,
			'slow command\n',
			PROMPT,
			"'third'\n",
			// The REPL's continuation prompt, once per line of the unfinished statement.
			`${PROMPT}| | 2\n`,
			PROMPT,
			"'last, without newline'\n",
			PROMPT,
		].join(''),
	);
});

test('a client without hello gets a plain session; its first line is input', async (t) => {
	const { client, output } = await connect(t, '1 + 1\n');
	client.end();
	await once(client, 'close');
	assert.equal(output(), `${PROMPT}2\n${PROMPT}`);
});

test('a TTY session edits and echoes lines (the client sends raw keystrokes)', async (t) => {
	const { client, output } = await connect(t, formatHello({ terminal: true, colors: false, columns: 80 }));
	await waitFor('the prompt', () => output().includes(PROMPT));
	client.write('1 + 1\r');
	// The echo of what was typed, then the result.
	await waitFor('the answer', () => /1 \+ 1\r\n2\n/.test(output()));
	assert.ok(output().includes('\u001b['), 'cursor movements of a line editor');
});

test('.exit ends the session: the connection closes and the session is closed once', async (t) => {
	const { session, client } = await connect(t, PIPED);
	let closes = 0;
	session.observer.on('close', () => closes++);
	const clientClosed = once(client, 'close');
	client.write('.exit\n');
	await once(session.observer, 'close');
	assert.equal(session.closed, true);
	await clientClosed;
	session.close();
	assert.equal(closes, 1);
});

test('a client gone in the middle of a command closes the session', async (t) => {
	const { session, client, output } = await connect(t, PIPED);
	client.write('.slow\n');
	await waitFor('the first prompt', () => output() === PROMPT);
	client.destroy();
	await once(session.observer, 'close');
	assert.equal(session.closed, true);
});

for (const [kind, hello] of [
	['piped', PIPED],
	['TTY', formatHello({ terminal: true, colors: false, columns: 80 })],
] as const) {
	test(`a ${kind} session whose connection fails (a reset) closes, and nothing is thrown`, async (t) => {
		const { session, socket, client, output } = await connect(t, hello);
		await waitFor('the first prompt', () => output().includes(PROMPT));
		client.write('.slow\r\n');
		// The server's side drops unread input, so the client sees a reset too.
		client.on('error', () => {});
		socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
		await once(session.observer, 'close');
		// An uncaught error would fail this test after its end: give it the time to surface.
		await delayed('', 150);
		assert.equal(session.closed, true);
	});
}

test('close() at shutdown tells the client and ends the connection, once', async (t) => {
	const { session, client, output } = await connect(t, PIPED);
	await waitFor('the first prompt', () => output() === PROMPT);
	let closes = 0;
	session.observer.on('close', () => closes++);
	session.close();
	session.close();
	assert.equal(session.closed, true);
	assert.equal(closes, 1);
	await once(client, 'close');
	assert.equal(output(), `${PROMPT}\nserver shutting down\n`);
});
