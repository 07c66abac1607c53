// Every setting the server cannot run with is refused at load time with a
// ConfigError that names the setting, its environment variable, and the fix.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../server/config/ConfigError.ts';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { configTsFrom, load, projectRoot } from './fixtures.ts';

interface Case {
	name: string;
	env?: Record<string, string>;
	/** A config.ts built from the defaults (see configTsFrom). */
	configTs?: string;
	setting: string;
	/** Substrings the message must contain (besides the setting itself). */
	says: string[];
}

const cases: Case[] = [
	{
		name: 'announced address 0.0.0.0 from the environment',
		env: { MEDIASOUP_ANNOUNCED_ADDRESS: '0.0.0.0' },
		setting: 'mediasoup.announcedAddress',
		says: ['MEDIASOUP_ANNOUNCED_ADDRESS=0.0.0.0', 'not reachable by clients', "this machine's IP address or hostname"],
	},
	{
		name: 'announced address :: in config.ts',
		configTs: configTsFrom('{ ...base, mediasoup: { ...base.mediasoup, announcedAddress: "::" } }'),
		setting: 'mediasoup.announcedAddress',
		says: ['"::" in config.ts', 'not reachable', 'MEDIASOUP_ANNOUNCED_ADDRESS'],
	},
	...['0', '65536', 'abc', '44.5', '-1', '0x10'].map((port) => ({
		name: `HTTPS port ${port}`,
		env: { HTTPS_LISTEN_PORT: port },
		setting: 'https.listenPort',
		says: [`HTTPS_LISTEN_PORT=${port}`, 'an integer from 1 to 65535'],
	})),
	{
		name: 'a heap growth that is not a percentage',
		env: { NODE_HEAP_GROWING_PERCENT: '-5' },
		setting: 'nodeHeap.growingPercent',
		says: ['NODE_HEAP_GROWING_PERCENT=-5', 'a percentage from 0 (V8 decides) to 1000'],
	},
	{
		name: 'pretenuring in config.ts that is not true or false',
		configTs: configTsFrom('{ ...base, nodeHeap: { ...base.nodeHeap, pretenuring: "no" } }'),
		setting: 'nodeHeap.pretenuring',
		says: ['in config.ts', 'true or false'],
	},
	{
		name: 'a port in config.ts that is not a number',
		configTs: configTsFrom('{ ...base, mediasoup: { ...base.mediasoup, webRtcServerPort: "44444" } }'),
		setting: 'mediasoup.webRtcServerPort',
		says: ['in config.ts', 'MEDIASOUP_WEBRTC_SERVER_PORT', 'an integer from 1 to 65535'],
	},
	{
		name: 'a Redis URL that is not one',
		env: { REDIS_URL: 'http://127.0.0.1:6379' },
		setting: 'cluster.redisUrl',
		says: ['REDIS_URL=http://127.0.0.1:6379', "a Redis URL such as 'redis://127.0.0.1:6379'"],
	},
	{
		name: 'a node id with a space',
		env: { CLUSTER_NODE_ID: 'node one' },
		setting: 'cluster.nodeId',
		says: ['CLUSTER_NODE_ID=node one', "letters, digits, '.', '_' or '-'"],
	},
	{
		name: 'a lease shorter than two heartbeats',
		env: { CLUSTER_HEARTBEAT_MS: '2000', CLUSTER_LEASE_MS: '3000' },
		setting: 'cluster.leaseMs',
		says: ['CLUSTER_LEASE_MS=3000', 'shorter than two heartbeats', 'at least 4000'],
	},
	{
		name: 'minPort above maxPort',
		env: { MEDIASOUP_MIN_PORT: '49000', MEDIASOUP_MAX_PORT: '46000' },
		setting: 'mediasoup.minPort',
		says: ['MEDIASOUP_MIN_PORT=49000', 'greater than', 'MEDIASOUP_MAX_PORT=46000'],
	},
	{
		name: 'WebRtcServer ports beyond 65535',
		env: { MEDIASOUP_WEBRTC_SERVER_PORT: '65530', MEDIASOUP_NUM_WORKERS: '8' },
		setting: 'mediasoup.webRtcServerPort',
		says: ['cannot fit 8 workers', '65530..65537', 'at most 65528', 'MEDIASOUP_NUM_WORKERS'],
	},
	{
		name: 'WebRtcServer ports overlapping the transport port range',
		env: { MEDIASOUP_WEBRTC_SERVER_PORT: '44998', MEDIASOUP_NUM_WORKERS: '4' },
		setting: 'mediasoup.webRtcServerPort',
		says: ['cannot fit 4 workers', '44998..45001', 'overlap', '45000..49999', 'MEDIASOUP_MIN_PORT'],
	},
	{
		name: 'HTTPS on a WebRtcServer port',
		env: { HTTPS_LISTEN_PORT: '44445', MEDIASOUP_NUM_WORKERS: '2' },
		setting: 'https.listenPort',
		says: ["worker 1's WebRtcServer", 'HTTPS_LISTEN_PORT'],
	},
	{
		name: 'metrics on the HTTPS port',
		env: { METRICS_LISTEN_IP: '0.0.0.0', METRICS_PORT: '4443' },
		setting: 'metrics.port',
		says: ['METRICS_PORT=4443', 'is also the HTTPS port', 'a listener of their own'],
	},
	{
		name: 'metrics on a WebRtcServer port',
		env: { METRICS_PORT: '44444', MEDIASOUP_LISTEN_IP: '0.0.0.0' },
		setting: 'metrics.port',
		says: ["worker 0's WebRtcServer", 'METRICS_PORT'],
	},
	{
		name: 'a metrics listen address that is no IP address',
		env: { METRICS_LISTEN_IP: 'localhost' },
		setting: 'metrics.listenIp',
		says: ['METRICS_LISTEN_IP=localhost', 'an IP address'],
	},
	{
		name: 'a metrics token too short to be a secret',
		env: { METRICS_TOKEN: 'short' },
		setting: 'metrics.token',
		says: ['METRICS_TOKEN', 'at least 16 characters'],
	},
	{
		name: 'zero workers',
		env: { MEDIASOUP_NUM_WORKERS: '0' },
		setting: 'mediasoup.numWorkers',
		says: ['MEDIASOUP_NUM_WORKERS=0', 'at least 1'],
	},
	{
		name: 'a certificate file that does not exist',
		env: { HTTPS_CERT_FULLCHAIN: '/nonexistent/fullchain.pem', HTTPS_CERT_PRIVKEY: '/nonexistent/privkey.pem' },
		setting: 'https.tls.cert',
		says: ['HTTPS_CERT_FULLCHAIN=/nonexistent/fullchain.pem', 'does not exist', 'https.tls to null'],
	},
	{
		name: 'a key file that does not exist, configured in config.ts relative to the root',
		configTs: configTsFrom('{ ...base, https: { ...base.https, tls: { cert: "tls/a.pem", key: "tls/b.pem" } } }'),
		setting: 'https.tls.cert',
		says: ['"tls/a.pem" in config.ts', 'does not exist', 'HTTPS_CERT_FULLCHAIN'],
	},
	{
		name: 'only one of the two certificate variables',
		env: { HTTPS_CERT_FULLCHAIN: '/etc/ssl/fullchain.pem' },
		setting: 'https.tls.key',
		says: ['HTTPS_CERT_FULLCHAIN is set but HTTPS_CERT_PRIVKEY', 'Set both'],
	},
	{
		name: 'an unknown log level',
		env: { LOG_LEVEL: 'verbose' },
		setting: 'logLevel',
		says: ['LOG_LEVEL=verbose', "'trace', 'debug', 'info', 'warn', 'error'"],
	},
	{
		name: 'a media listen address that is not an IP',
		env: { MEDIASOUP_LISTEN_IP: 'localhost' },
		setting: 'mediasoup.listenIp',
		says: ['MEDIASOUP_LISTEN_IP=localhost', 'an IP address of this machine'],
	},
	...['AES_CM_128_HMAC_SHA1_80,AES_GCM', 'AEAD_AES_256_GCM,AEAD_AES_256_GCM', 'AEAD_AES_256_GCM,'].map((suites) => ({
		name: `DTLS-SRTP crypto suites ${suites}`,
		env: { MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES: suites },
		setting: 'mediasoup.dtlsSrtpCryptoSuites',
		says: [`MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES=${suites}`, 'each at most once', "'AES_CM_128_HMAC_SHA1_80'"],
	})),
	{
		name: 'DTLS-SRTP crypto suites in config.ts that are not a list',
		configTs: configTsFrom(
			'{ ...base, mediasoup: { ...base.mediasoup, dtlsSrtpCryptoSuites: "AES_CM_128_HMAC_SHA1_80" } }',
		),
		setting: 'mediasoup.dtlsSrtpCryptoSuites',
		says: ['in config.ts', 'MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES', 'a list of DTLS-SRTP crypto suites'],
	},
	{
		name: 'an empty list of DTLS-SRTP crypto suites in config.ts',
		configTs: configTsFrom('{ ...base, mediasoup: { ...base.mediasoup, dtlsSrtpCryptoSuites: [] } }'),
		setting: 'mediasoup.dtlsSrtpCryptoSuites',
		says: ['in config.ts', 'or leave it unset for all of them'],
	},
	{
		name: 'a misspelt setting in config.ts',
		configTs: configTsFrom('{ ...base, mediasoup: { ...base.mediasoup, webrtcServerPort: 5 } }'),
		setting: 'mediasoup.webrtcServerPort',
		says: ['is not a setting', 'spelling'],
	},
	{
		name: 'a setting missing from config.ts',
		configTs: configTsFrom('{ ...base, https: { ...base.https, listenPort: undefined } }'),
		setting: 'https.listenPort',
		says: ['is missing', 'HTTPS_LISTEN_PORT'],
	},
	{
		name: 'a worker log tag mediasoup does not know',
		configTs: configTsFrom(
			'{ ...base, mediasoup: { ...base.mediasoup, workerSettings: { logLevel: "warn", logTags: ["ice", "icee"] } } }',
		),
		setting: 'mediasoup.workerSettings.logTags.1',
		says: ['"icee"', "'ice'"],
	},
	{
		name: 'a config.ts that exports no settings',
		configTs: 'export const settings = {};\n',
		setting: 'config',
		says: ['config.ts does not export its settings', 'export const config'],
	},
	{
		name: 'a config.ts that does not load',
		configTs: 'export const config = {;\n',
		setting: 'config',
		says: ['config.ts could not be loaded', 'delete it'],
	},
];

for (const c of cases) {
	test(`refused: ${c.name}`, async () => {
		const root = projectRoot(c.configTs);
		await assert.rejects(load(root, c.env), (error: unknown) => {
			assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
			assert.equal(error.setting, c.setting, error.message);
			if (c.setting !== 'config') assert.ok(error.message.includes(c.setting), error.message);
			for (const text of c.says) assert.ok(error.message.includes(text), `"${text}" not in: ${error.message}`);
			return true;
		});
	});
}

test('refused: a key that does not belong to the certificate', async () => {
	const root = projectRoot();
	const one = await ensureCertificate({ certDir: path.join(root, 'one'), log: { debug: () => {} } });
	const two = await ensureCertificate({ certDir: path.join(root, 'two'), log: { debug: () => {} } });
	await assert.rejects(
		load(root, { HTTPS_CERT_FULLCHAIN: one.cert, HTTPS_CERT_PRIVKEY: two.key }),
		(error: unknown) => {
			assert.ok(error instanceof ConfigError);
			assert.equal(error.setting, 'https.tls.key');
			assert.match(error.message, /HTTPS_CERT_PRIVKEY=.* is not the private key of /);
			return true;
		},
	);
});

test('several problems are reported together, each naming its setting and variable', async () => {
	const env = { HTTPS_LISTEN_PORT: '99999', MEDIASOUP_NUM_WORKERS: 'many', LOG_LEVEL: 'loud' };
	await assert.rejects(load(projectRoot(), env), (error: unknown) => {
		assert.ok(error instanceof ConfigError);
		assert.deepEqual(
			error.problems.map((p) => [p.setting, p.envVar]),
			[
				['https.listenPort', 'HTTPS_LISTEN_PORT'],
				['mediasoup.numWorkers', 'MEDIASOUP_NUM_WORKERS'],
				['logLevel', 'LOG_LEVEL'],
			],
		);
		assert.match(error.message, /^3 configuration problems:\n- /);
		return true;
	});
});

test('no certificate is generated when the configuration is refused', async () => {
	const root = projectRoot();
	await assert.rejects(load(root, { MEDIASOUP_NUM_WORKERS: '0' }), ConfigError);
	assert.equal(existsSync(path.join(root, 'certs')), false);
});
