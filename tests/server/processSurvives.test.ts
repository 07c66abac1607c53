// No input takes the server process down. In-process tests cannot show that:
// Node's test runner catches an uncaught exception itself. So the server runs
// here as `npm start` runs it, in a child process, and gets the frames that
// used to end it; and the last-resort handlers are checked in a child process
// of their own, with a real uncaught exception and a real unhandled rejection.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import websocket from 'websocket';
import { SERVER_NODE_ARGS } from '../../server/nodeHeap.ts';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { buildAppIfMissing } from '../../tools/appBuild.ts';
import { findFreePortRange } from '../helpers/freePorts.ts';
import { httpsStatus, startNode } from '../helpers/nodeProcess.ts';
import { waitFor } from '../helpers/waitFor.ts';

const root = path.resolve(import.meta.dirname, '../..');
let certDir: string;

before(async () => {
	await buildAppIfMissing({ rootDir: root, production: true });
	certDir = mkdtempSync(path.join(os.tmpdir(), 'conference-survives-'));
});

after(() => rmSync(certDir, { recursive: true, force: true }));

test('a server started as npm start does survives every frame that used to end it', async () => {
	const certificate = await ensureCertificate({ certDir, log: { debug: () => {} } });
	const port = await findFreePortRange(1);
	const { child, output } = startNode([...SERVER_NODE_ARGS, path.join(root, 'server', 'main.ts')], {
		HTTPS_LISTEN_IP: '127.0.0.1',
		HTTPS_LISTEN_PORT: String(port),
		HTTPS_CERT_FULLCHAIN: certificate.cert,
		HTTPS_CERT_PRIVKEY: certificate.key,
		MEDIASOUP_LISTEN_IP: '127.0.0.1',
		MEDIASOUP_NUM_WORKERS: '1',
		MEDIASOUP_WEBRTC_SERVER_PORT: String(await findFreePortRange(1)),
		TERMINAL_SOCKET: path.join(certDir, 'terminal.sock'),
		METRICS_PORT: String(await findFreePortRange(1)),
	});
	let exitCode: number | null | undefined;
	child.on('exit', (code) => {
		exitCode = code;
	});
	try {
		await waitFor('the server to listen', () => output().includes('"msg":"listening"'), { timeoutMs: 20_000 });
		const client = new websocket.client({ tlsOptions: { rejectUnauthorized: false } });
		const connection = await new Promise<websocket.connection>((resolve, reject) => {
			client.on('connect', resolve);
			client.on('connectFailed', reject);
			client.connect(`wss://127.0.0.1:${port}/?roomId=survive&peerId=fuzzer&consumerReplicas=undefined`, 'protoo');
		});
		for (const frame of ['null', '7', '"x"', 'true', '[]', '{}', '{"request":true,"id":1,"method":5}']) {
			connection.sendUTF(frame);
		}
		connection.sendUTF(JSON.stringify({ request: true, id: 2, method: 'getRouterRtpCapabilities', data: null }));
		const answered = await new Promise<{ id: number; ok: boolean }>((resolve) =>
			connection.on('message', (message) => {
				if (message.type !== 'utf8') return;
				const parsed = JSON.parse(message.utf8Data) as { response?: boolean; id: number; ok: boolean };
				if (parsed.response && parsed.id === 2) resolve(parsed);
			}),
		);
		assert.equal(answered.ok, true, 'the same connection is still served');
		connection.close();
		assert.equal(await httpsStatus(`https://127.0.0.1:${port}/`), 200, 'and so is the app');
		assert.equal(exitCode, undefined, 'the server process is running');
		assert.doesNotMatch(output(), /uncaught exception/, 'nothing reached the last resort');
	} finally {
		child.kill('SIGTERM');
		await waitFor('the server to stop', () => exitCode !== undefined, { timeoutMs: 20_000 }).catch(() =>
			child.kill('SIGKILL'),
		);
	}
});

test('an uncaught exception or an unhandled rejection is logged as a bug, and the process goes on', async () => {
	const script = `
		import { createLogger } from './server/logging/logger.ts';
		import { logUncaughtErrors } from './server/lastResort.ts';
		logUncaughtErrors(await createLogger('info', { pretty: false }));
		setTimeout(() => { throw new Error('thrown in a timer'); }, 0);
		setTimeout(() => { Promise.reject(new Error('rejected, and nobody listens')); }, 10);
		setTimeout(() => { console.log('still running'); }, 200);
	`;
	const { child, output } = startNode(['--input-type=module', '--eval', script], {}, root);
	const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
	assert.equal(code, 0, output());
	assert.match(output(), /"message":"thrown in a timer".*"msg":"uncaught exception: a bug; the server goes on"/);
	assert.match(
		output(),
		/"message":"rejected, and nobody listens".*"msg":"unhandled promise rejection: a bug; the server goes on"/,
	);
	assert.match(output(), /still running/);
});
