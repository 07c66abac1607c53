// The terminal socket's life: private to the server's user, a crashed
// server's leftover replaced, a live one or a foreign file refused, removed
// on close, sessions ended at shutdown.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { TerminalServer } from '../../server/terminal/TerminalServer.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { TerminalClient } from './terminalClient.ts';

function socketPathInTempDir(t: TestContext): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'terminal-test-'));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	return path.join(dir, 'terminal.sock');
}

/** What a crashed server leaves: a socket file nobody listens on. */
async function leaveStaleSocket(socketPath: string): Promise<void> {
	const listenThenDie = `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
	const child = spawn(process.execPath, ['-e', listenThenDie], { stdio: 'ignore' });
	const [, signal] = await once(child, 'exit');
	assert.equal(signal, 'SIGKILL');
	assert.ok(lstatSync(socketPath).isSocket(), 'the dead server left its socket');
}

test('the socket is mode 0600 while running and removed on close; sessions are told and ended', async (t) => {
	const socketPath = socketPathInTempDir(t);
	const server = await startTestServer({ env: { TERMINAL_SOCKET: socketPath } });
	assert.equal(server.server.terminalSocketPath, socketPath);
	assert.ok(lstatSync(socketPath).isSocket());
	assert.equal(lstatSync(socketPath).mode & 0o777, 0o600);

	const client = await TerminalClient.connect(socketPath);
	const closed = once(client.socket, 'close');
	await server.close();
	await closed;
	assert.match(client.output, /server shutting down\n$/);
	assert.equal(existsSync(socketPath), false);
});

test('the terminal closes like every owning class: closed, observer close once, close() idempotent', async (t) => {
	const server = await startTestServer();
	t.after(() => server.close());
	const socketPath = socketPathInTempDir(t);
	const sessions: string[] = [];
	const terminal = await TerminalServer.start({
		socketPath,
		pool: server.server.pool,
		rooms: server.server.rooms,
		workerLogSettings: { logLevel: 'warn', logTags: [] },
		log: { info: (_fields, message) => sessions.push(message ?? ''), warn: () => {}, error: () => {} },
	});
	const client = await TerminalClient.connect(socketPath);
	const closed = once(client.socket, 'close');
	let closes = 0;
	terminal.observer.on('close', () => closes++);
	assert.equal(terminal.closed, false);
	terminal.close();
	terminal.close();
	assert.equal(terminal.closed, true);
	assert.equal(closes, 1);
	// The socket file goes with the listening socket, at once.
	assert.equal(existsSync(socketPath), false);
	await closed;
	assert.match(client.output, /server shutting down\n$/);
	assert.deepEqual(sessions.slice(1), ['terminal session opened', 'terminal session closed']);
});

test('a stale socket from a crashed server is replaced at start', async (t) => {
	const socketPath = socketPathInTempDir(t);
	await leaveStaleSocket(socketPath);
	const server = await startTestServer({ env: { TERMINAL_SOCKET: socketPath } });
	t.after(() => server.close());
	// Connecting to the stale socket would have been refused.
	const client = await TerminalClient.connect(socketPath);
	t.after(() => client.close());
	assert.match(await client.send('workers.length'), /^1\n$/);
});

test('a socket another server listens on is not taken over: the start fails and the socket stays', async (t) => {
	const socketPath = socketPathInTempDir(t);
	const other = net.createServer((socket) => socket.resume().end());
	other.listen(socketPath);
	await once(other, 'listening');
	t.after(() => new Promise((resolve) => other.close(resolve)));

	await assert.rejects(
		startTestServer({ env: { TERMINAL_SOCKET: socketPath } }),
		/another server is listening on terminal socket/,
	);
	assert.ok(lstatSync(socketPath).isSocket());
	// The other server still has it.
	const probe = net.connect(socketPath);
	await once(probe, 'connect');
	probe.destroy();
});

test('a file that is not a socket is left alone: the start fails and says why', async (t) => {
	const socketPath = socketPathInTempDir(t);
	writeFileSync(socketPath, 'precious');
	await assert.rejects(startTestServer({ env: { TERMINAL_SOCKET: socketPath } }), /exists and is not a socket/);
	assert.equal(readFileSync(socketPath, 'utf8'), 'precious');
});

test('the socket directory is created when missing', async (t) => {
	const socketPath = path.join(path.dirname(socketPathInTempDir(t)), 'run', 'terminal.sock');
	const server = await startTestServer({ env: { TERMINAL_SOCKET: socketPath } });
	t.after(() => server.close());
	assert.ok(lstatSync(socketPath).isSocket());
	assert.equal(lstatSync(path.dirname(socketPath)).mode & 0o777, 0o700);
});
