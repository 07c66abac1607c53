// What the settings are: one zod schema gives each setting's type, the value
// it must have, and the environment variable that overrides it. The Config
// type comes from it, so config.example.ts (which documents every setting
// and is typed as Config) cannot drift from what is checked at start.
import { isIP } from 'node:net';
import type { types } from 'mediasoup';
import { z } from 'zod';
import { LOG_LEVELS } from '../logging/levels.ts';

declare module 'zod' {
	interface GlobalMeta {
		/** The environment variable that overrides this setting (see ENV_SETTINGS). */
		env?: string;
		/** The variable holds a comma-separated list. */
		envList?: boolean;
		/** The value opens a door: error messages say "(hidden)" instead of it (ConfigError.ts). */
		secret?: boolean;
	}
}

export const WORKER_LOG_LEVELS = ['debug', 'warn', 'error', 'none'] as const satisfies readonly types.WorkerLogLevel[];
export const WORKER_LOG_TAGS = [
	'info',
	'ice',
	'dtls',
	'rtp',
	'srtp',
	'rtcp',
	'rtx',
	'bwe',
	'score',
	'simulcast',
	'svc',
	'sctp',
	'message',
] as const satisfies readonly types.WorkerLogTag[];

/** mediasoup's SRTP crypto suites, as DTLS-SRTP can negotiate them (most preferred first by default). */
export const SRTP_CRYPTO_SUITES = [
	'AEAD_AES_256_GCM',
	'AEAD_AES_128_GCM',
	'AES_CM_128_HMAC_SHA1_80',
	'AES_CM_128_HMAC_SHA1_32',
] as const satisfies readonly types.SrtpCryptoSuite[];

function isSrtpCryptoSuite(value: unknown): value is types.SrtpCryptoSuite {
	return (SRTP_CRYPTO_SUITES as readonly unknown[]).includes(value);
}

// Each message below completes the sentence "Set <setting> to ..." (ConfigError.ts).
function integer(min: number, max: number, want: string) {
	const error = { error: want };
	return z.number(error).int(error).min(min, error).max(max, error);
}

function text(want: string) {
	return z.string({ error: want }).trim().min(1, { error: want });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
	return z.enum(values, { error: `one of ${values.map((v) => `'${v}'`).join(', ')}` });
}

const port = integer(1, 65535, 'an integer from 1 to 65535');
const positive = integer(1, Number.MAX_SAFE_INTEGER, 'a positive integer');
const bitrate = integer(1, Number.MAX_SAFE_INTEGER, 'a bitrate in bits per second (a positive integer)');
const filePath = text('the path of a PEM file (absolute, or relative to the project root)');

const AUTH_KEYS_WANT =
	"a list of 'key:secret' pairs (in the environment: comma separated), each secret at least 32 characters, or an empty list for open mode";
const METRICS_TOKEN_WANT =
	'a bearer token of at least 16 characters without spaces (e.g. `openssl rand -hex 32`), or leave it unset';
const ORIGIN_WANT =
	"a list of origins such as 'https://meet.example.com' (in the environment: comma separated), or leave it unset for the server's own";

const TURN_HOST_WANT =
	"the TURN server's hostname (the name in its TLS certificate) or IP address, as clients reach it, such as 'turn.example.com', or leave it unset for no TURN";
const TURN_SECRET_WANT =
	"coturn's static-auth-secret, at least 32 characters without spaces (e.g. `openssl rand -hex 32`), or leave it unset for no TURN";

const REDIS_URL_WANT =
	"a Redis URL such as 'redis://127.0.0.1:6379' (or rediss:// for TLS), or leave it unset to run one node";
const NODE_ID_WANT = "a name of 1 to 64 letters, digits, '.', '_' or '-', unique in the cluster, or leave it unset";

/** Dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

// A name or an address, not a URL: the server makes the turn: and turns: URLs.
const turnHost = z
	.string({ error: TURN_HOST_WANT })
	.trim()
	.refine((value) => isIP(value) !== 0 || HOSTNAME.test(value), { error: TURN_HOST_WANT });

const ipAddress = z
	.string({ error: 'an IP address of this machine, or 0.0.0.0 (or ::) for all' })
	.trim()
	.refine((value) => isIP(value) !== 0, { error: 'an IP address of this machine, or 0.0.0.0 (or ::) for all' });

// Checked as a whole, so that a problem is reported against the setting (and
// its environment variable) rather than against one item of the list.
const srtpCryptoSuites = z.custom<types.SrtpCryptoSuite[]>(
	(value) =>
		Array.isArray(value) && value.length > 0 && value.every(isSrtpCryptoSuite) && new Set(value).size === value.length,
	{
		error: `a list of DTLS-SRTP crypto suites, most preferred first, each at most once, from ${SRTP_CRYPTO_SUITES.map((suite) => `'${suite}'`).join(', ')} (in the environment: comma separated), or leave it unset for all of them`,
	},
);

// Typed as mediasoup's own codec type, so the compiler checks that what passes
// here is what createRouter() takes.
const codec: z.ZodType<types.RouterRtpCodecCapability> = z.looseObject(
	{
		kind: z.enum(['audio', 'video'], { error: "'audio' or 'video'" }),
		mimeType: text("a MIME type such as 'audio/opus' or 'video/VP8'"),
		preferredPayloadType: integer(0, 127, 'an RTP payload type (0..127), or leave it out').optional(),
		clockRate: positive,
		channels: positive.optional(),
		parameters: z.record(z.string(), z.unknown(), { error: 'an object of codec parameters' }).optional(),
		rtcpFeedback: z
			.array(z.object({ type: z.string(), parameter: z.string().optional() }), {
				error: "a list of { type, parameter } objects, e.g. { type: 'nack' }",
			})
			.optional(),
	},
	{ error: 'a codec object like the ones in config.example.ts' },
);

export const configSchema = z.strictObject({
	https: z.strictObject({
		listenIp: text('an address to listen on, e.g. 0.0.0.0 for all').meta({ env: 'HTTPS_LISTEN_IP' }),
		listenPort: port.meta({ env: 'HTTPS_LISTEN_PORT' }),
		/** null: a self-signed certificate is generated in certDir. */
		tls: z
			.strictObject(
				{ cert: filePath.meta({ env: 'HTTPS_CERT_FULLCHAIN' }), key: filePath.meta({ env: 'HTTPS_CERT_PRIVKEY' }) },
				{ error: "{ cert: 'fullchain.pem', key: 'privkey.pem' }" },
			)
			.nullable(),
		certDir: text('a directory for the generated certificate (absolute, or relative to the project root)'),
	}),
	mediasoup: z.strictObject({
		numWorkers: integer(1, 1024, 'an integer of at least 1 (typically one worker per CPU core)').meta({
			env: 'MEDIASOUP_NUM_WORKERS',
		}),
		workerSettings: z.strictObject({
			logLevel: oneOf(WORKER_LOG_LEVELS),
			logTags: z.array(oneOf(WORKER_LOG_TAGS), { error: "a list of log tags, e.g. ['ice', 'dtls']" }),
		}),
		routerOptions: z.strictObject({
			mediaCodecs: z.array(codec, { error: 'a list of codecs' }).min(1, { error: 'a list of at least one codec' }),
		}),
		/**
		 * When one room's peers are spread over routers on several workers (see RoomRouters).
		 * auto: a room grows onto another worker once its routers hold consumersPerRouter
		 * consumers; always: every worker from the start (tests, benchmarks); never: one worker.
		 */
		roomSpread: z.strictObject({
			mode: oneOf(['auto', 'always', 'never']).meta({ env: 'MEDIASOUP_ROOM_SPREAD' }),
			consumersPerRouter: integer(1, 1_000_000, 'a number of consumers of at least 1').meta({
				env: 'MEDIASOUP_CONSUMERS_PER_ROUTER',
			}),
		}),
		listenIp: ipAddress.meta({ env: 'MEDIASOUP_LISTEN_IP' }),
		/** What clients send media to; unset: chosen at start (network.ts). */
		announcedAddress: text("this machine's IP address or hostname as clients reach it, or leave it unset")
			.meta({ env: 'MEDIASOUP_ANNOUNCED_ADDRESS' })
			.optional(),
		webRtcServerPort: port.meta({ env: 'MEDIASOUP_WEBRTC_SERVER_PORT' }),
		minPort: port.meta({ env: 'MEDIASOUP_MIN_PORT' }),
		maxPort: port.meta({ env: 'MEDIASOUP_MAX_PORT' }),
		webRtcTransportOptions: z.strictObject({
			initialAvailableOutgoingBitrate: bitrate,
			minimumAvailableOutgoingBitrate: bitrate,
			maxSctpMessageSize: positive,
			maxIncomingBitrate: bitrate,
		}),
		plainTransportOptions: z.strictObject({ maxSctpMessageSize: positive }),
		/**
		 * DTLS-SRTP crypto suites the workers offer and accept on WebRTC
		 * transports, most preferred first; unset: every suite mediasoup
		 * supports, AEAD_AES_256_GCM first. Workers read it from their
		 * environment (mediasoup patch 014 in patches/; server/media/workerEnvironment.ts).
		 */
		dtlsSrtpCryptoSuites: srtpCryptoSuites.meta({ env: 'MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES', envList: true }).optional(),
	}),
	recording: z.strictObject({
		directory: text('a folder for recordings (absolute, or relative to the project root)').meta({
			env: 'RECORDINGS_DIR',
		}),
	}),
	/** Live HLS of a room (server/hls/): what the composed stream looks like and where its files go. */
	hls: z.strictObject({
		directory: text('a folder for the live HLS streams (absolute, or relative to the project root)').meta({
			env: 'HLS_DIR',
		}),
		width: integer(160, 3840, 'an even number of pixels from 160 to 3840, e.g. 1280')
			.refine((value) => value % 2 === 0, { error: 'an even number of pixels from 160 to 3840, e.g. 1280' })
			.meta({ env: 'HLS_WIDTH' }),
		height: integer(90, 2160, 'an even number of pixels from 90 to 2160, e.g. 720')
			.refine((value) => value % 2 === 0, { error: 'an even number of pixels from 90 to 2160, e.g. 720' })
			.meta({ env: 'HLS_HEIGHT' }),
		framerate: integer(1, 60, 'frames per second from 1 to 60, e.g. 25').meta({ env: 'HLS_FRAMERATE' }),
		videoBitrateKbps: integer(100, 50_000, 'kilobits per second from 100 to 50000, e.g. 2000').meta({
			env: 'HLS_VIDEO_BITRATE_KBPS',
		}),
		layout: oneOf(['grid', 'speaker']).meta({ env: 'HLS_LAYOUT' }),
	}),
	terminal: z.strictObject({
		/** Unset: a socket in os.tmpdir() named after the HTTPS port (terminal/socketPath.ts). */
		socketPath: text('the path of a UNIX socket (absolute, or relative to the project root), or leave it unset')
			.meta({ env: 'TERMINAL_SOCKET' })
			.optional(),
	}),
	/** Garbage collection of the server's own Node process (server/nodeHeap.ts). */
	nodeHeap: z.strictObject({
		growingPercent: integer(0, 1000, 'a percentage from 0 (V8 decides) to 1000, e.g. 30').meta({
			env: 'NODE_HEAP_GROWING_PERCENT',
		}),
		pretenuring: z.boolean({ error: 'true or false' }),
	}),
	/** Who may do what (server/auth/): open mode without keys, token mode with them. */
	auth: z.strictObject({
		keys: z
			.array(
				z
					.string()
					.trim()
					.regex(/^[^:,\s]+:\S{32,}$/),
				{ error: AUTH_KEYS_WANT },
			)
			.meta({ env: 'AUTH_KEYS', envList: true }),
		/** Unset: only the server's own origin (the page the app is served from). */
		allowedOrigins: z
			.array(z.url({ error: ORIGIN_WANT }), { error: ORIGIN_WANT })
			.meta({ env: 'ALLOWED_ORIGINS', envList: true })
			.optional(),
		lobby: z.boolean({ error: 'true or false' }).meta({ env: 'AUTH_LOBBY' }),
	}),
	/** What one client may ask of the server; each refusal is a 403 or 429 naming the limit. */
	limits: z.strictObject({
		peersPerRoom: positive.meta({ env: 'LIMIT_PEERS_PER_ROOM' }),
		transportsPerPeer: positive.meta({ env: 'LIMIT_TRANSPORTS_PER_PEER' }),
		transportsPerBroadcaster: positive.meta({ env: 'LIMIT_TRANSPORTS_PER_BROADCASTER' }),
		producersPerPeer: positive.meta({ env: 'LIMIT_PRODUCERS_PER_PEER' }),
		dataProducersPerPeer: positive.meta({ env: 'LIMIT_DATA_PRODUCERS_PER_PEER' }),
		requestsPerSecond: positive.meta({ env: 'LIMIT_REQUESTS_PER_SECOND' }),
		requestBurst: positive.meta({ env: 'LIMIT_REQUEST_BURST' }),
		connectionsPerIpPerMinute: positive.meta({ env: 'LIMIT_CONNECTIONS_PER_IP_PER_MINUTE' }),
	}),
	/** Sessions that survive the network (protocol/session.ts, server/room/Peer.ts). */
	reconnect: z.strictObject({
		graceMs: integer(
			0,
			600_000,
			'a number of milliseconds from 0 (no grace: a dropped peer leaves at once) to 600000',
		).meta({ env: 'RECONNECT_GRACE_MS' }),
		pingIntervalMs: integer(100, 600_000, 'a number of milliseconds from 100 to 600000').meta({
			env: 'RECONNECT_PING_INTERVAL_MS',
		}),
	}),
	/** WHIP ingest and WHEP playback sessions (server/webrtcHttp/WebRtcHttpSession.ts). */
	whip: z.strictObject({
		iceTimeoutMs: integer(1000, 600_000, 'a number of milliseconds from 1000 to 600000').meta({
			env: 'WHIP_ICE_TIMEOUT_MS',
		}),
	}),
	/** How the server stops on SIGTERM (server/Drain.ts). */
	shutdown: z.strictObject({
		drainTimeoutMs: integer(0, 86_400_000, 'a number of milliseconds from 0 (stop at once) to 86400000 (a day)').meta({
			env: 'DRAIN_TIMEOUT_MS',
		}),
	}),
	/**
	 * A TURN server (coturn) relaying media for clients whose network blocks
	 * UDP and the media ports (server/turn/). Without a host, none: clients
	 * are told of no TURN server. Rules across the fields: config/turn.ts.
	 */
	turn: z.strictObject({
		host: turnHost.meta({ env: 'TURN_HOST' }).optional(),
		/** TURN over UDP and over TCP. */
		port: port.meta({ env: 'TURN_PORT' }),
		/** TURN over TLS (turns:). */
		tlsPort: port.meta({ env: 'TURN_TLS_PORT' }),
		secret: z
			.string({ error: TURN_SECRET_WANT })
			.trim()
			.regex(/^\S{32,}$/, { error: TURN_SECRET_WANT })
			.meta({ env: 'TURN_SECRET', secret: true })
			.optional(),
		credentialTtlSeconds: integer(10, 86_400, 'a number of seconds from 10 to 86400 (a day), e.g. 3600').meta({
			env: 'TURN_CREDENTIAL_TTL_S',
		}),
	}),
	/**
	 * Cluster mode (server/cluster/, docs/CLUSTER.md): nodes that share one
	 * Redis. Without redisUrl the server is one node, exactly as without this
	 * section.
	 */
	cluster: z.strictObject({
		redisUrl: z
			.url({ protocol: /^rediss?$/, error: REDIS_URL_WANT })
			.meta({ env: 'REDIS_URL' })
			.optional(),
		/** Unset: the machine's name and the process id (cluster.ts). */
		nodeId: z
			.string({ error: NODE_ID_WANT })
			.trim()
			.regex(/^[A-Za-z0-9._-]{1,64}$/, { error: NODE_ID_WANT })
			.meta({ env: 'CLUSTER_NODE_ID' })
			.optional(),
		/** Unset: mediasoup.listenIp. */
		pipeListenIp: ipAddress.meta({ env: 'CLUSTER_PIPE_LISTEN_IP' }).optional(),
		/** Unset: pipeListenIp when it is one address, else mediasoup's announced address. */
		pipeAnnouncedAddress: text('an IP address or hostname other nodes reach this one at, or leave it unset')
			.meta({ env: 'CLUSTER_PIPE_ANNOUNCED_ADDRESS' })
			.optional(),
		heartbeatMs: integer(100, 60_000, 'a number of milliseconds from 100 to 60000').meta({
			env: 'CLUSTER_HEARTBEAT_MS',
		}),
		leaseMs: integer(300, 600_000, 'a number of milliseconds from 300 to 600000').meta({ env: 'CLUSTER_LEASE_MS' }),
	}),
	/**
	 * Prometheus metrics and the health endpoints on a listener of their own
	 * (server/metrics/), so that they are never served with the app by accident.
	 */
	metrics: z.strictObject({
		enabled: z.boolean({ error: 'true or false' }).meta({ env: 'METRICS_ENABLED' }),
		listenIp: ipAddress.meta({ env: 'METRICS_LISTEN_IP' }),
		port: port.meta({ env: 'METRICS_PORT' }),
		/** Unset: /metrics answers anyone who reaches the listener. */
		token: z
			.string({ error: METRICS_TOKEN_WANT })
			.trim()
			.min(16, { error: METRICS_TOKEN_WANT })
			.regex(/^\S+$/, { error: METRICS_TOKEN_WANT })
			.meta({ env: 'METRICS_TOKEN' })
			.optional(),
		statsIntervalMs: integer(1000, 3_600_000, 'a number of milliseconds from 1000 to 3600000').meta({
			env: 'METRICS_STATS_INTERVAL_MS',
		}),
		/** Per-room series: off by default, since every room would be a series of its own. */
		roomLabel: z.strictObject({
			enabled: z.boolean({ error: 'true or false' }).meta({ env: 'METRICS_ROOM_LABEL' }),
			maxRooms: integer(1, 1000, 'a number of rooms from 1 to 1000').meta({ env: 'METRICS_ROOM_LABEL_MAX' }),
		}),
	}),
	throttleSecret: text('a non-empty secret, or leave it unset to disable network throttling')
		.meta({ env: 'THROTTLE_SECRET' })
		.optional(),
	logLevel: oneOf(LOG_LEVELS).meta({ env: 'LOG_LEVEL' }),
});

/** What config.ts and config.example.ts export. */
export type Config = z.infer<typeof configSchema>;

/** Paths of a PEM certificate chain and its private key. */
export type TlsFiles = NonNullable<Config['https']['tls']>;

/**
 * What the server runs with (loadConfig.ts): every address it announces and
 * every file it reads is known, and every path is absolute.
 */
export interface ResolvedConfig
	extends Omit<Config, 'https' | 'mediasoup' | 'terminal' | 'recording' | 'hls' | 'turn' | 'cluster'> {
	/**
	 * tls: the configured files or the generated self-signed pair; certificate
	 * says which, since only a configured (real) certificate may promise
	 * browsers HTTPS for the future (HSTS, http/securityHeaders.ts).
	 */
	https: Omit<Config['https'], 'tls'> & { tls: TlsFiles; certificate: 'configured' | 'generated' };
	/** announcedAddress: what clients are told to connect to (ICE candidates, plain transport tuples). */
	mediasoup: Omit<Config['mediasoup'], 'announcedAddress'> & { announcedAddress: string };
	/** socketPath: the configured socket or the default one. */
	terminal: { socketPath: string };
	recording: { directory: string };
	/** directory: absolute. */
	hls: Config['hls'];
	/** The TURN server clients are told of; undefined: none (no turn.host). */
	turn: TurnService | undefined;
	/** Every address known (cluster.ts); redisUrl still unset for one node. */
	cluster: ResolvedCluster;
	/** The file the settings were read from. */
	configFile: string;
	/** Things the operator should know (chosen addresses, a new certificate): main logs them. */
	notices: string[];
}

/** A configured TURN server, as the server hands it to clients (server/turn/iceServers.ts). */
export interface TurnService {
	/** turn: over UDP and TCP, and turns: (TLS), in that order. */
	urls: string[];
	secret: string;
	credentialTtlSeconds: number;
}

export interface ResolvedCluster {
	redisUrl: string | undefined;
	nodeId: string;
	pipeListenIp: string;
	pipeAnnouncedAddress: string;
	heartbeatMs: number;
	leaseMs: number;
}

export interface EnvSetting {
	/** The variable, e.g. 'MEDIASOUP_MIN_PORT'. */
	name: string;
	/** Dotted path of the setting it overrides, e.g. 'mediasoup.minPort'. */
	setting: string;
	/** How the variable's text is read: an integer, true/false (or 1/0), a comma-separated list, or trimmed text. */
	kind: 'integer' | 'boolean' | 'list' | 'text';
	/** Its value is never shown in a message. */
	secret: boolean;
}

/** Every variable named in the schema, found by walking it once. */
export const ENV_SETTINGS: readonly EnvSetting[] = envSettingsIn(configSchema, []);

export function envVarFor(setting: string): string | undefined {
	return ENV_SETTINGS.find((s) => s.setting === setting)?.name;
}

/** A setting whose value is a secret: messages name it without showing it. */
export function isSecretSetting(setting: string): boolean {
	return ENV_SETTINGS.some((s) => s.setting === setting && s.secret);
}

function envSettingsIn(schema: z.core.$ZodType, path: readonly string[]): EnvSetting[] {
	const meta = z.globalRegistry.get(schema);
	if (meta?.env !== undefined) {
		const kind =
			schema instanceof z.ZodNumber
				? 'integer'
				: schema instanceof z.ZodBoolean
					? 'boolean'
					: meta.envList
						? 'list'
						: 'text';
		return [{ name: meta.env, setting: path.join('.'), kind, secret: meta.secret === true }];
	}
	if (schema instanceof z.ZodObject) {
		return Object.entries(schema.shape).flatMap(([key, field]) => envSettingsIn(field, [...path, key]));
	}
	if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return envSettingsIn(schema.unwrap(), path);
	return [];
}
