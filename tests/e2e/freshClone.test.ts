// The README's start command exactly as written, `npm start`, in a fresh
// clone: it must build the app and serve it, so that two Chromium pages at
// the URL it prints see and hear each other; SIGTERM then stops it cleanly.
//
// The clone is a copy of what `git clone` of the work tree would give:
// tracked files and untracked ones that are not ignored (so uncommitted work
// is tested too), no dist/, no certs/. node_modules is a symlink to this
// repository's, and the worker cache in ~/.cache is shared, so the set-up
// finds both up to date, as it would on a machine that installed them once.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFile, lstat, mkdir, mkdtemp, readlink, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BrowserSession, expectSeeAndHearEachOther, uniqueRoomId } from '../helpers/browserSession.ts';
import { findFreePortRange } from '../helpers/freePorts.ts';
import { waitFor } from '../helpers/waitFor.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');

/** The files a clone of the work tree has, copied into `dir`, with node_modules shared. */
async function makeClone(dir: string): Promise<void> {
	const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: rootDir })
		.toString('utf8')
		.split('\0')
		// In a git worktree node_modules may be a symlink, which `node_modules/` in .gitignore does not match.
		.filter((file) => file !== '' && file !== 'node_modules');
	for (const file of new Set(listed)) {
		const from = path.join(rootDir, file);
		const to = path.join(dir, file);
		// A tracked file deleted in the work tree is not part of it.
		const info = await lstat(from).catch(() => undefined);
		if (info === undefined) continue;
		await mkdir(path.dirname(to), { recursive: true });
		if (info.isSymbolicLink()) await symlink(await readlink(from), to);
		else await copyFile(from, to); // keeps the mode, so scripts stay executable
	}
	await symlink(path.join(rootDir, 'node_modules'), path.join(dir, 'node_modules'));
}

/**
 * The environment of a person's shell: nothing from an npm that runs this
 * test (npm_* variables, node_modules/.bin on PATH), none of the server's
 * settings but those given.
 */
function shellEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(name) || /^(HTTPS|MEDIASOUP|NODE_HEAP|RECORDINGS|TERMINAL|LOG|THROTTLE)_/.test(name)) continue;
		env[name] = value;
	}
	env.PATH = (process.env.PATH ?? '')
		.split(path.delimiter)
		.filter((entry) => !entry.endsWith(path.join('node_modules', '.bin')))
		.join(path.delimiter);
	return { ...env, ...settings };
}

/** stdout and stderr of a child, and its JSON log lines (stdout is not a terminal). */
function capture(child: ChildProcess) {
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.once('exit', (code, signal) => resolve({ code, signal })),
	);
	let exited = false;
	void exit.then(() => {
		exited = true;
	});
	return {
		exit,
		exited: () => exited,
		output: () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`,
		stderr: () => stderr,
		logLines: (): Array<Record<string, unknown>> =>
			stdout
				.split('\n')
				.filter((line) => line.startsWith('{'))
				.flatMap((line) => {
					try {
						return [JSON.parse(line) as Record<string, unknown>];
					} catch {
						return [];
					}
				}),
	};
}

/** Whether any process of the group led by `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

describe('a fresh clone', { timeout: 240_000 }, () => {
	let cloneDir: string;
	let settings: Record<string, string>;
	let npmStart: ChildProcess | undefined;
	let session: BrowserSession | undefined;

	before(async () => {
		cloneDir = await mkdtemp(path.join(os.tmpdir(), 'conference-fresh-clone-'));
		await makeClone(cloneDir);
		// One free range, so the HTTPS and metrics ports are never the WebRtcServer's.
		const webRtcServerPort = await findFreePortRange(3);
		settings = {
			HTTPS_LISTEN_IP: '127.0.0.1',
			HTTPS_LISTEN_PORT: String(webRtcServerPort + 1),
			METRICS_PORT: String(webRtcServerPort + 2),
			MEDIASOUP_LISTEN_IP: '127.0.0.1',
			MEDIASOUP_ANNOUNCED_ADDRESS: '127.0.0.1',
			MEDIASOUP_WEBRTC_SERVER_PORT: String(webRtcServerPort),
			MEDIASOUP_NUM_WORKERS: '1',
			TERMINAL_SOCKET: path.join(cloneDir, 'terminal.sock'),
			LOG_LEVEL: 'info',
		};
	});

	after(async () => {
		await session?.close();
		const pgid = npmStart?.pid;
		if (pgid !== undefined && groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
		if (cloneDir) await rm(cloneDir, { recursive: true, force: true });
	});

	test('started by hand before anything built the app, the server refuses and says what to run', async () => {
		const child = spawn(process.execPath, ['--max-semi-space-size=16', 'server/main.ts'], {
			cwd: cloneDir,
			env: shellEnv(settings),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const run = capture(child);
		// A server that starts anyway would never exit by itself. SIGTERM first:
		// its log lines (written asynchronously) then show in the failure.
		const timers = [setTimeout(() => child.kill('SIGTERM'), 20_000), setTimeout(() => child.kill('SIGKILL'), 30_000)];
		const { code } = await run.exit.finally(() => {
			for (const timer of timers) clearTimeout(timer);
		});
		assert.equal(code, 1, run.output());
		assert.match(run.stderr(), /no browser app to serve: .*dist\/app\/index\.html is missing/);
		assert.match(run.stderr(), /npm run setup/);
		assert.doesNotMatch(run.output(), /"msg":"listening"/);
	});

	test('npm start builds and serves the app: two pages at the printed URL see and hear each other', async (t) => {
		// Its own process group, so that nothing it started can outlive the test.
		const child = spawn('npm', ['start'], {
			cwd: cloneDir,
			env: shellEnv(settings),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		npmStart = child;
		const run = capture(child);
		const listening = await waitFor(
			'npm start to log "listening"',
			() => {
				if (run.exited()) throw new Error(`npm start exited before listening\n${run.output()}`);
				return run.logLines().find((line) => line.msg === 'listening');
			},
			{ timeoutMs: 120_000, intervalMs: 200 },
		);
		assert.match(run.stderr(), /\[setup\] app: built into dist\/app \(production\) in \d+ ms/, run.output());
		const url = listening.url;
		const serverPid = listening.pid;
		assert.equal(url, `https://127.0.0.1:${settings.HTTPS_LISTEN_PORT}`, run.output());
		assert.equal(typeof serverPid, 'number');

		session = await BrowserSession.launch(String(url));
		const browser = session;
		await browser.run(t, async () => {
			const roomId = uniqueRoomId('fresh');
			const alice = await browser.openPeer({ roomId, peerId: 'alice' });
			const bob = await browser.openPeer({ roomId, peerId: 'bob' });
			await expectSeeAndHearEachOther(alice, bob);
		});

		// SIGTERM to the server, as `kill PID` would send: it shuts down in
		// order, npm start ends with its exit status 0, and no process is left.
		process.kill(Number(serverPid), 'SIGTERM');
		const { code, signal } = await run.exit;
		assert.deepEqual({ code, signal }, { code: 0, signal: null }, run.output());
		assert.ok(
			run.logLines().some((line) => line.msg === 'stopped'),
			`the server logged "stopped"\n${run.output()}`,
		);
		const pgid = child.pid;
		assert.ok(pgid !== undefined);
		await waitFor('every process npm start began to exit', () => !groupAlive(pgid), { timeoutMs: 5000 });
	});
});
