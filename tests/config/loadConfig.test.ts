// Loading: which file is read, that the documented defaults come through
// unchanged, and that every environment variable overrides its setting.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ENV_SETTINGS, type ResolvedConfig } from '../../server/config/Config.ts';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { configTsFrom, load, projectRoot, tempDir } from './fixtures.ts';

test('the defaults of config.example.ts load', async () => {
	const root = projectRoot();
	const config = await load(root);

	assert.equal(config.configFile, path.join(root, 'config.example.ts'));
	assert.equal(config.https.listenIp, '0.0.0.0');
	assert.equal(config.https.listenPort, 4443);
	assert.equal(config.https.certDir, path.join(root, 'certs'));
	assert.deepEqual(config.https.tls, {
		cert: path.join(root, 'certs/cert.pem'),
		key: path.join(root, 'certs/key.pem'),
	});
	assert.equal(config.https.certificate, 'generated');
	assert.equal(config.mediasoup.numWorkers, os.availableParallelism());
	assert.equal(config.mediasoup.workerSettings.logLevel, 'warn');
	// Every tag but 'message'.
	const logTags = ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp', 'rtx', 'bwe', 'score', 'simulcast', 'svc', 'sctp'];
	assert.deepEqual(config.mediasoup.workerSettings.logTags, logTags);
	assert.equal(config.mediasoup.listenIp, '0.0.0.0');
	assert.equal(config.mediasoup.webRtcServerPort, 44444);
	assert.equal(config.mediasoup.minPort, 45000);
	assert.equal(config.mediasoup.maxPort, 49999);
	assert.deepEqual(config.mediasoup.webRtcTransportOptions, {
		initialAvailableOutgoingBitrate: 1000000,
		minimumAvailableOutgoingBitrate: 600000,
		maxSctpMessageSize: 262144,
		maxIncomingBitrate: 1500000,
	});
	assert.deepEqual(config.mediasoup.plainTransportOptions, { maxSctpMessageSize: 262144 });
	assert.equal(config.mediasoup.dtlsSrtpCryptoSuites, undefined);
	assert.equal(config.throttleSecret, undefined);
	assert.equal(config.turn, undefined, 'no TURN unless configured');
	assert.equal(config.logLevel, 'info');
	// One node unless REDIS_URL is set; the pipe address follows the media one.
	assert.deepEqual(config.cluster, {
		redisUrl: undefined,
		nodeId: `testhost-${process.pid}`,
		pipeListenIp: '0.0.0.0',
		pipeAnnouncedAddress: '192.168.1.7',
		heartbeatMs: 2000,
		leaseMs: 5000,
	});
	assert.ok(config.notices.some((n) => n.includes('no config.ts')));
});

test('the default codecs: opus, VP8, VP9 profile 2, two H264 profiles, video starting at 1 Mbps', async () => {
	const { mediaCodecs } = (await load(projectRoot())).mediasoup.routerOptions;
	const summary = mediaCodecs.map((c) => `${c.mimeType} ${c.clockRate}${c.channels ? `/${c.channels}` : ''}`);
	assert.deepEqual(summary, [
		'audio/opus 48000/2',
		'video/VP8 90000',
		'video/VP9 90000',
		'video/H264 90000',
		'video/H264 90000',
	]);
	assert.equal(mediaCodecs[2]?.parameters?.['profile-id'], 2);
	assert.deepEqual(
		mediaCodecs.slice(3).map((c) => c.parameters),
		['42e01f', '4d0032'].map((profile) => ({
			'packetization-mode': 1,
			'profile-level-id': profile,
			'level-asymmetry-allowed': 1,
			'x-google-start-bitrate': 1000,
		})),
	);
	for (const codec of mediaCodecs.filter((c) => c.kind === 'video')) {
		assert.equal(codec.parameters?.['x-google-start-bitrate'], 1000, codec.mimeType);
	}
});

test('config.ts is read instead of config.example.ts when it exists', async () => {
	const root = projectRoot(configTsFrom('{ ...base, logLevel: "debug" }'));
	const config = await load(root);
	assert.equal(config.configFile, path.join(root, 'config.ts'));
	assert.equal(config.logLevel, 'debug');
	assert.ok(!config.notices.some((n) => n.includes('no config.ts')));
});

const overrides: { env: Record<string, string>; read: (c: ResolvedConfig) => unknown; expected: unknown }[] = [
	{ env: { HTTPS_LISTEN_IP: '127.0.0.1' }, read: (c) => c.https.listenIp, expected: '127.0.0.1' },
	{ env: { HTTPS_LISTEN_PORT: '8443' }, read: (c) => c.https.listenPort, expected: 8443 },
	{ env: { MEDIASOUP_NUM_WORKERS: '3' }, read: (c) => c.mediasoup.numWorkers, expected: 3 },
	{ env: { MEDIASOUP_LISTEN_IP: '10.0.0.7' }, read: (c) => c.mediasoup.listenIp, expected: '10.0.0.7' },
	{
		env: { MEDIASOUP_ANNOUNCED_ADDRESS: 'media.example.com' },
		read: (c) => c.mediasoup.announcedAddress,
		expected: 'media.example.com',
	},
	{ env: { MEDIASOUP_WEBRTC_SERVER_PORT: '30000' }, read: (c) => c.mediasoup.webRtcServerPort, expected: 30000 },
	{ env: { MEDIASOUP_MIN_PORT: '46000' }, read: (c) => c.mediasoup.minPort, expected: 46000 },
	{ env: { MEDIASOUP_MAX_PORT: '48000' }, read: (c) => c.mediasoup.maxPort, expected: 48000 },
	{ env: { MEDIASOUP_ROOM_SPREAD: 'never' }, read: (c) => c.mediasoup.roomSpread.mode, expected: 'never' },
	{
		env: { MEDIASOUP_CONSUMERS_PER_ROUTER: '40' },
		read: (c) => c.mediasoup.roomSpread.consumersPerRouter,
		expected: 40,
	},
	{ env: { RECORDINGS_DIR: '/srv/recordings' }, read: (c) => c.recording.directory, expected: '/srv/recordings' },
	{ env: { HLS_DIR: '/srv/hls' }, read: (c) => c.hls.directory, expected: '/srv/hls' },
	{ env: { HLS_WIDTH: '640' }, read: (c) => c.hls.width, expected: 640 },
	{ env: { HLS_HEIGHT: '360' }, read: (c) => c.hls.height, expected: 360 },
	{ env: { HLS_FRAMERATE: '15' }, read: (c) => c.hls.framerate, expected: 15 },
	{ env: { HLS_VIDEO_BITRATE_KBPS: '800' }, read: (c) => c.hls.videoBitrateKbps, expected: 800 },
	{ env: { HLS_LAYOUT: 'speaker' }, read: (c) => c.hls.layout, expected: 'speaker' },
	{ env: { NODE_HEAP_GROWING_PERCENT: '0' }, read: (c) => c.nodeHeap.growingPercent, expected: 0 },
	{
		env: { MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES: 'AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM' },
		read: (c) => c.mediasoup.dtlsSrtpCryptoSuites,
		expected: ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'],
	},
	{ env: { RECONNECT_GRACE_MS: '0' }, read: (c) => c.reconnect.graceMs, expected: 0 },
	{ env: { RECONNECT_PING_INTERVAL_MS: '2500' }, read: (c) => c.reconnect.pingIntervalMs, expected: 2500 },
	{ env: { WHIP_ICE_TIMEOUT_MS: '5000' }, read: (c) => c.whip.iceTimeoutMs, expected: 5000 },
	{ env: { DRAIN_TIMEOUT_MS: '0' }, read: (c) => c.shutdown.drainTimeoutMs, expected: 0 },
	{ env: { REDIS_URL: 'redis://10.0.0.9:6379' }, read: (c) => c.cluster.redisUrl, expected: 'redis://10.0.0.9:6379' },
	{ env: { CLUSTER_NODE_ID: 'media-1' }, read: (c) => c.cluster.nodeId, expected: 'media-1' },
	{ env: { CLUSTER_PIPE_LISTEN_IP: '10.0.0.7' }, read: (c) => c.cluster.pipeListenIp, expected: '10.0.0.7' },
	{
		env: { CLUSTER_PIPE_ANNOUNCED_ADDRESS: 'media1.internal' },
		read: (c) => c.cluster.pipeAnnouncedAddress,
		expected: 'media1.internal',
	},
	{ env: { CLUSTER_HEARTBEAT_MS: '500' }, read: (c) => c.cluster.heartbeatMs, expected: 500 },
	{ env: { CLUSTER_LEASE_MS: '9000' }, read: (c) => c.cluster.leaseMs, expected: 9000 },
	{ env: { METRICS_ENABLED: 'false' }, read: (c) => c.metrics.enabled, expected: false },
	{ env: { METRICS_LISTEN_IP: '0.0.0.0' }, read: (c) => c.metrics.listenIp, expected: '0.0.0.0' },
	{ env: { METRICS_PORT: '9100' }, read: (c) => c.metrics.port, expected: 9100 },
	{
		env: { METRICS_TOKEN: 'a-metrics-token-of-32-characters' },
		read: (c) => c.metrics.token,
		expected: 'a-metrics-token-of-32-characters',
	},
	{ env: { METRICS_STATS_INTERVAL_MS: '60000' }, read: (c) => c.metrics.statsIntervalMs, expected: 60000 },
	{ env: { METRICS_ROOM_LABEL: '1' }, read: (c) => c.metrics.roomLabel.enabled, expected: true },
	{ env: { METRICS_ROOM_LABEL_MAX: '5' }, read: (c) => c.metrics.roomLabel.maxRooms, expected: 5 },
	{ env: { THROTTLE_SECRET: 's3cret' }, read: (c) => c.throttleSecret, expected: 's3cret' },
	{ env: { LOG_LEVEL: 'trace' }, read: (c) => c.logLevel, expected: 'trace' },
];

for (const { env, read, expected } of overrides) {
	const [name, value] = Object.entries(env)[0] ?? [];
	test(`${name}=${value} overrides its setting`, async () => {
		assert.deepEqual(read(await load(projectRoot(), env)), expected);
	});
}

// The variables are named on the schema's fields: these pin them, since
// deployments set them by name.
test('the environment variables and the setting each overrides', () => {
	assert.deepEqual(
		ENV_SETTINGS.map(({ name, setting }) => `${name} ${setting}`),
		[
			'HTTPS_LISTEN_IP https.listenIp',
			'HTTPS_LISTEN_PORT https.listenPort',
			'HTTPS_CERT_FULLCHAIN https.tls.cert',
			'HTTPS_CERT_PRIVKEY https.tls.key',
			'MEDIASOUP_NUM_WORKERS mediasoup.numWorkers',
			'MEDIASOUP_ROOM_SPREAD mediasoup.roomSpread.mode',
			'MEDIASOUP_CONSUMERS_PER_ROUTER mediasoup.roomSpread.consumersPerRouter',
			'MEDIASOUP_LISTEN_IP mediasoup.listenIp',
			'MEDIASOUP_ANNOUNCED_ADDRESS mediasoup.announcedAddress',
			'MEDIASOUP_WEBRTC_SERVER_PORT mediasoup.webRtcServerPort',
			'MEDIASOUP_MIN_PORT mediasoup.minPort',
			'MEDIASOUP_MAX_PORT mediasoup.maxPort',
			'MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES mediasoup.dtlsSrtpCryptoSuites',
			'RECORDINGS_DIR recording.directory',
			'HLS_DIR hls.directory',
			'HLS_WIDTH hls.width',
			'HLS_HEIGHT hls.height',
			'HLS_FRAMERATE hls.framerate',
			'HLS_VIDEO_BITRATE_KBPS hls.videoBitrateKbps',
			'HLS_LAYOUT hls.layout',
			'TERMINAL_SOCKET terminal.socketPath',
			'NODE_HEAP_GROWING_PERCENT nodeHeap.growingPercent',
			'AUTH_KEYS auth.keys',
			'ALLOWED_ORIGINS auth.allowedOrigins',
			'AUTH_LOBBY auth.lobby',
			'LIMIT_PEERS_PER_ROOM limits.peersPerRoom',
			'LIMIT_TRANSPORTS_PER_PEER limits.transportsPerPeer',
			'LIMIT_TRANSPORTS_PER_BROADCASTER limits.transportsPerBroadcaster',
			'LIMIT_PRODUCERS_PER_PEER limits.producersPerPeer',
			'LIMIT_DATA_PRODUCERS_PER_PEER limits.dataProducersPerPeer',
			'LIMIT_REQUESTS_PER_SECOND limits.requestsPerSecond',
			'LIMIT_REQUEST_BURST limits.requestBurst',
			'LIMIT_CONNECTIONS_PER_IP_PER_MINUTE limits.connectionsPerIpPerMinute',
			'RECONNECT_GRACE_MS reconnect.graceMs',
			'RECONNECT_PING_INTERVAL_MS reconnect.pingIntervalMs',
			'WHIP_ICE_TIMEOUT_MS whip.iceTimeoutMs',
			'DRAIN_TIMEOUT_MS shutdown.drainTimeoutMs',
			'TURN_HOST turn.host',
			'TURN_PORT turn.port',
			'TURN_TLS_PORT turn.tlsPort',
			'TURN_SECRET turn.secret',
			'TURN_CREDENTIAL_TTL_S turn.credentialTtlSeconds',
			'REDIS_URL cluster.redisUrl',
			'CLUSTER_NODE_ID cluster.nodeId',
			'CLUSTER_PIPE_LISTEN_IP cluster.pipeListenIp',
			'CLUSTER_PIPE_ANNOUNCED_ADDRESS cluster.pipeAnnouncedAddress',
			'CLUSTER_HEARTBEAT_MS cluster.heartbeatMs',
			'CLUSTER_LEASE_MS cluster.leaseMs',
			'METRICS_ENABLED metrics.enabled',
			'METRICS_LISTEN_IP metrics.listenIp',
			'METRICS_PORT metrics.port',
			'METRICS_TOKEN metrics.token',
			'METRICS_STATS_INTERVAL_MS metrics.statsIntervalMs',
			'METRICS_ROOM_LABEL metrics.roomLabel.enabled',
			'METRICS_ROOM_LABEL_MAX metrics.roomLabel.maxRooms',
			'THROTTLE_SECRET throttleSecret',
			'LOG_LEVEL logLevel',
		],
	);
});

test('config.example.ts names every environment variable, and no other', async () => {
	const text = await readFile(path.resolve(import.meta.dirname, '../../config.example.ts'), 'utf8');
	// Quoted names are values (crypto suites such as 'AES_CM_128_HMAC_SHA1_80'), not variables.
	const named = new Set(text.match(/(?<!')\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b(?!')/g));
	assert.deepEqual([...named].sort(), ENV_SETTINGS.map((s) => s.name).sort());
});

test('HTTPS_CERT_FULLCHAIN and HTTPS_CERT_PRIVKEY replace the generated certificate, relative to the root', async () => {
	const root = projectRoot();
	const real = await ensureCertificate({ certDir: path.join(root, 'mine'), log: { debug: () => {} } });
	const config = await load(root, { HTTPS_CERT_FULLCHAIN: 'mine/cert.pem', HTTPS_CERT_PRIVKEY: real.key });
	assert.deepEqual(config.https.tls, { cert: real.cert, key: real.key });
	assert.equal(config.https.certificate, 'configured');
	assert.ok(!config.notices.some((n) => n.includes('self-signed')), 'no certificate generated');
});

test('an override from the environment wins over config.ts', async () => {
	const root = projectRoot(configTsFrom('{ ...base, https: { ...base.https, listenPort: 9443 } }'));
	assert.equal((await load(root)).https.listenPort, 9443);
	assert.equal((await load(root, { HTTPS_LISTEN_PORT: '7443' })).https.listenPort, 7443);
});

test('empty environment variables count as unset', async () => {
	const config = await load(projectRoot(), { HTTPS_LISTEN_PORT: '', MEDIASOUP_ANNOUNCED_ADDRESS: ' ', LOG_LEVEL: '' });
	assert.equal(config.https.listenPort, 4443);
	assert.equal(config.mediasoup.announcedAddress, '192.168.1.7');
	assert.equal(config.logLevel, 'info');
});

test('loading does not modify the imported settings module (a second load starts from the file again)', async () => {
	const root = projectRoot(configTsFrom('base'));
	await load(root, { HTTPS_LISTEN_PORT: '7443' });
	assert.equal((await load(root)).https.listenPort, 4443);
});

test('the DTLS-SRTP crypto suites may be set in config.ts', async () => {
	const root = projectRoot(
		configTsFrom('{ ...base, mediasoup: { ...base.mediasoup, dtlsSrtpCryptoSuites: ["AES_CM_128_HMAC_SHA1_80"] } }'),
	);
	assert.deepEqual((await load(root)).mediasoup.dtlsSrtpCryptoSuites, ['AES_CM_128_HMAC_SHA1_80']);
});

test('the pipe address is the pipe listen address when that is one address, and a node id comes from any hostname', async () => {
	const config = await load(
		projectRoot(),
		{ CLUSTER_PIPE_LISTEN_IP: '10.0.0.7' },
		{ hostname: 'media 1.example.com', pid: 42 },
	);
	assert.equal(config.cluster.pipeAnnouncedAddress, '10.0.0.7');
	assert.equal(config.cluster.nodeId, 'media-1.example.com-42');
});

test('certDir may be absolute', async () => {
	const certDir = tempDir('certs-');
	const root = projectRoot(configTsFrom(`{ ...base, https: { ...base.https, certDir: ${JSON.stringify(certDir)} } }`));
	const config = await load(root);
	assert.equal(config.https.tls.cert, path.join(certDir, 'cert.pem'));
});
