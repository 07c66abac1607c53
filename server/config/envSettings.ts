// The environment variables that override config.ts, and the setting each
// one replaces. Deployments (containers, systemd units) set these instead of
// editing a file; error messages name them so the fix is obvious either way.

export interface EnvSetting {
	name: string;
	/** Dotted path of the setting in config.ts. */
	setting: string;
	/** How the string from the environment becomes a setting value (list: comma separated). */
	kind: 'string' | 'integer' | 'list';
}

export const ENV_SETTINGS: readonly EnvSetting[] = [
	{ name: 'HTTPS_LISTEN_IP', setting: 'https.listenIp', kind: 'string' },
	{ name: 'HTTPS_LISTEN_PORT', setting: 'https.listenPort', kind: 'integer' },
	{ name: 'HTTPS_CERT_FULLCHAIN', setting: 'https.tls.cert', kind: 'string' },
	{ name: 'HTTPS_CERT_PRIVKEY', setting: 'https.tls.key', kind: 'string' },
	{ name: 'MEDIASOUP_NUM_WORKERS', setting: 'mediasoup.numWorkers', kind: 'integer' },
	{ name: 'MEDIASOUP_LISTEN_IP', setting: 'mediasoup.listenIp', kind: 'string' },
	{ name: 'MEDIASOUP_ANNOUNCED_ADDRESS', setting: 'mediasoup.announcedAddress', kind: 'string' },
	{ name: 'MEDIASOUP_WEBRTC_SERVER_PORT', setting: 'mediasoup.webRtcServerPort', kind: 'integer' },
	{ name: 'MEDIASOUP_ROOM_SPREAD', setting: 'mediasoup.roomSpread.mode', kind: 'string' },
	{ name: 'MEDIASOUP_CONSUMERS_PER_ROUTER', setting: 'mediasoup.roomSpread.consumersPerRouter', kind: 'integer' },
	{ name: 'MEDIASOUP_MIN_PORT', setting: 'mediasoup.minPort', kind: 'integer' },
	{ name: 'MEDIASOUP_MAX_PORT', setting: 'mediasoup.maxPort', kind: 'integer' },
	{ name: 'MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES', setting: 'mediasoup.dtlsSrtpCryptoSuites', kind: 'list' },
	{ name: 'TERMINAL_SOCKET', setting: 'terminal.socketPath', kind: 'string' },
	{ name: 'RECORDINGS_DIR', setting: 'recording.directory', kind: 'string' },
	{ name: 'NODE_HEAP_GROWING_PERCENT', setting: 'nodeHeap.growingPercent', kind: 'integer' },
	{ name: 'THROTTLE_SECRET', setting: 'throttleSecret', kind: 'string' },
	{ name: 'LOG_LEVEL', setting: 'logLevel', kind: 'string' },
];

export function envVarFor(setting: string): string | undefined {
	return ENV_SETTINGS.find((s) => s.setting === setting)?.name;
}
