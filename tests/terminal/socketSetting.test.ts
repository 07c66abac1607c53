// terminal.socketPath: the default named after the HTTPS port, TERMINAL_SOCKET,
// relative paths, and a path too long for a UNIX socket refused by name.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../server/config/ConfigError.ts';
import { loadSettings } from '../../server/config/loadConfig.ts';
import { resolveTerminalSocketPath } from '../../server/terminal/socketPath.ts';
import { configTsFrom, load, projectRoot } from '../config/fixtures.ts';

test('by default the socket is in the temporary directory, named after the HTTPS port', async () => {
	const root = projectRoot();
	assert.equal((await load(root)).terminal.socketPath, path.join(os.tmpdir(), 'mediasoup-conference-4443.sock'));
	const moved = await load(root, { HTTPS_LISTEN_PORT: '5443' });
	assert.equal(moved.terminal.socketPath, path.join(os.tmpdir(), 'mediasoup-conference-5443.sock'));
});

test('TERMINAL_SOCKET overrides it; relative paths are relative to the project root', async () => {
	const root = projectRoot();
	assert.equal((await load(root, { TERMINAL_SOCKET: '/run/conf/t.sock' })).terminal.socketPath, '/run/conf/t.sock');
	assert.equal(
		(await load(root, { TERMINAL_SOCKET: 'run/t.sock' })).terminal.socketPath,
		path.join(root, 'run/t.sock'),
	);
	const fromFile = projectRoot(configTsFrom("{ ...base, terminal: { socketPath: 'admin.sock' } }"));
	assert.equal((await load(fromFile)).terminal.socketPath, path.join(fromFile, 'admin.sock'));
});

test('a path too long for a UNIX socket is refused, naming the setting', async () => {
	const long = `/tmp/${'x'.repeat(120)}.sock`;
	await assert.rejects(load(projectRoot(), { TERMINAL_SOCKET: long }), (error: unknown) => {
		assert.ok(error instanceof ConfigError);
		assert.equal(error.setting, 'terminal.socketPath');
		assert.match(
			error.message,
			/^TERMINAL_SOCKET=\/tmp\/x+\.sock \(terminal\.socketPath\) gives .* longer than a UNIX socket path may be/,
		);
		return true;
	});
});

test('loadSettings finds the same path without generating a certificate', async () => {
	const root = projectRoot();
	const { config, rootDir } = await loadSettings({ rootDir: root, env: { HTTPS_LISTEN_PORT: '6443' } });
	assert.equal(resolveTerminalSocketPath(config, rootDir), path.join(os.tmpdir(), 'mediasoup-conference-6443.sock'));
	assert.equal(existsSync(path.join(root, 'certs')), false);
});
