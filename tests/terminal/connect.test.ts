// scripts/connect.ts as the operator runs it (`npm run connect`): a clear
// message when no server listens, the socket path found from the settings
// without side effects, and piped commands answered until input ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { type NodeRun, runNode } from '../helpers/nodeProcess.ts';
import { startTestServer } from '../helpers/testServer.ts';

const CONNECT = path.resolve(import.meta.dirname, '../../scripts/connect.ts');

function runConnect(args: string[], { env = {}, input = '' } = {}): Promise<NodeRun> {
	return runNode([CONNECT, ...args], { env: { TERMINAL_SOCKET: '', ...env }, input });
}

function tempDir(t: TestContext): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'connect-test-'));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

test('no socket file: a clear message and exit code 1', async (t) => {
	const socketPath = path.join(tempDir(t), 'none.sock');
	const run = await runConnect(['--socket', socketPath]);
	assert.equal(run.code, 1);
	assert.equal(run.stderr, `no server listening on ${socketPath}; start it with npm start\n`);
	assert.equal(run.stdout, '');
});

test('a socket nobody listens on (the server crashed): the same message', async (t) => {
	const socketPath = path.join(tempDir(t), 'stale.sock');
	const listenThenDie = `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
	await once(spawn(process.execPath, ['-e', listenThenDie], { stdio: 'ignore' }), 'exit');
	const run = await runConnect(['--socket', socketPath]);
	assert.equal(run.code, 1);
	assert.equal(run.stderr, `no server listening on ${socketPath}; start it with npm start\n`);
});

test('without --socket the path comes from the settings, and nothing is written', async (t) => {
	const tmp = tempDir(t);
	const fromPort = await runConnect([], { env: { TMPDIR: tmp, HTTPS_LISTEN_PORT: '5443' } });
	assert.equal(
		fromPort.stderr,
		`no server listening on ${path.join(tmp, 'mediasoup-conference-5443.sock')}; start it with npm start\n`,
	);
	const fromEnv = await runConnect([], { env: { TERMINAL_SOCKET: path.join(tmp, 'env.sock') } });
	assert.match(fromEnv.stderr, new RegExp(`^no server listening on ${path.join(tmp, 'env.sock')};`));
	assert.deepEqual(readdirSync(tmp), []);
});

test('a path that is not a socket is not connected to', async (t) => {
	const dir = tempDir(t);
	const run = await runConnect(['--socket', dir]);
	assert.equal(run.code, 1);
	assert.equal(run.stderr, `${dir} is not a socket; is --socket right?\n`);
});

test('piped commands are answered, then the client exits when input ends', async (t) => {
	const server = await startTestServer();
	t.after(() => server.close());
	const [pooled] = server.server.pool.workers;
	assert.ok(pooled);

	const run = await runConnect(['--socket', server.server.terminalSocketPath], { input: '.usage\nworkers.length\n' });
	assert.equal(run.stderr, '');
	assert.equal(run.code, 0);
	assert.match(run.stdout, /^mediasoup-conference terminal: server pid \d+/);
	assert.match(run.stdout, new RegExp(`pid: ${pooled.pid},`));
	assert.match(run.stdout, /mediasoup> 1\nmediasoup> $/);
});

test('the client leaves when the server closes the session', async (t) => {
	const socketPath = path.join(tempDir(t), 'closing.sock');
	// A server that greets and hangs up: the client must not wait for its stdin.
	const server = net.createServer((socket) => socket.resume().end('bye\n'));
	server.listen(socketPath);
	await once(server, 'listening');
	t.after(() => new Promise((resolve) => server.close(resolve)));
	const child = spawn(process.execPath, [CONNECT, '--socket', socketPath], { stdio: ['pipe', 'pipe', 'pipe'] });
	let stdout = '';
	child.stdout.setEncoding('utf8').on('data', (text: string) => {
		stdout += text;
	});
	const [code] = await once(child, 'exit');
	child.stdin.destroy();
	assert.equal(code, 0);
	assert.equal(stdout, 'bye\n');
});
