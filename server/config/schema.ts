// Checks that the settings have the right types and ranges, one setting at a
// time. Rules that relate several settings (port ranges, addresses, files)
// live in their own files; this one turns zod's findings into ConfigErrors
// that say, for each setting, what value is expected.
import { isIP } from 'node:net';
import type { types } from 'mediasoup';
import { z } from 'zod';
import { LOG_LEVELS } from '../logging/levels.ts';
import { type Config, ROOM_SPREAD_MODES } from './Config.ts';
import { ConfigError, type ConfigProblem } from './ConfigError.ts';
import { getPath } from './objectPath.ts';
import { problemWithFix, type SettingSources, settingProblem } from './settingSources.ts';

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

// Each message below completes the sentence "Set <setting> to ...".
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

const codec = z.looseObject(
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

const schema = z.strictObject({
	https: z.strictObject({
		listenIp: text('an address to listen on, e.g. 0.0.0.0 for all'),
		listenPort: port,
		tls: z
			.strictObject({ cert: filePath, key: filePath }, { error: "{ cert: 'fullchain.pem', key: 'privkey.pem' }" })
			.nullable(),
		certDir: text('a directory for the generated certificate (absolute, or relative to the project root)'),
	}),
	mediasoup: z.strictObject({
		numWorkers: integer(1, 1024, 'an integer of at least 1 (typically one worker per CPU core)'),
		workerSettings: z.strictObject({
			logLevel: oneOf(WORKER_LOG_LEVELS),
			logTags: z.array(oneOf(WORKER_LOG_TAGS), { error: "a list of log tags, e.g. ['ice', 'dtls']" }),
		}),
		routerOptions: z.strictObject({
			mediaCodecs: z.array(codec, { error: 'a list of codecs' }).min(1, { error: 'a list of at least one codec' }),
		}),
		roomSpread: z.strictObject({
			mode: oneOf(ROOM_SPREAD_MODES),
			consumersPerRouter: integer(1, 1_000_000, 'a number of consumers of at least 1'),
		}),
		listenIp: ipAddress,
		announcedAddress: text("this machine's IP address or hostname as clients reach it, or leave it unset").optional(),
		webRtcServerPort: port,
		minPort: port,
		maxPort: port,
		webRtcTransportOptions: z.strictObject({
			initialAvailableOutgoingBitrate: bitrate,
			minimumAvailableOutgoingBitrate: bitrate,
			maxSctpMessageSize: positive,
			maxIncomingBitrate: bitrate,
		}),
		plainTransportOptions: z.strictObject({ maxSctpMessageSize: positive }),
		dtlsSrtpCryptoSuites: srtpCryptoSuites.optional(),
	}),
	recording: z.strictObject({
		directory: text('a folder for recordings (absolute, or relative to the project root)'),
	}),
	terminal: z.strictObject({
		socketPath: text(
			'the path of a UNIX socket (absolute, or relative to the project root), or leave it unset',
		).optional(),
	}),
	nodeHeap: z.strictObject({
		growingPercent: integer(0, 1000, 'a percentage from 0 (V8 decides) to 1000, e.g. 30'),
		pretenuring: z.boolean({ error: 'true or false' }),
	}),
	throttleSecret: text('a non-empty secret, or leave it unset to disable network throttling').optional(),
	logLevel: oneOf(LOG_LEVELS),
});

/** The settings, checked and typed; throws a ConfigError listing every problem found. */
export function parseConfig(input: unknown, sources: SettingSources): Config {
	const result = schema.safeParse(input, {
		// Only issues the schema has no message for reach here (deep inside codecs).
		error: (issue) => (issue.code === 'invalid_type' ? `a value of type ${issue.expected}` : 'a valid value'),
	});
	if (!result.success) {
		throw new ConfigError(result.error.issues.flatMap((issue) => toProblems(issue, input, sources)));
	}
	const data = result.data;
	// Optional keys become present-but-undefined, as the Config type declares them.
	return {
		...data,
		mediasoup: {
			...data.mediasoup,
			announcedAddress: data.mediasoup.announcedAddress,
			dtlsSrtpCryptoSuites: data.mediasoup.dtlsSrtpCryptoSuites,
		},
		terminal: { socketPath: data.terminal.socketPath },
		throttleSecret: data.throttleSecret,
	};
}

function toProblems(issue: z.core.$ZodIssue, input: unknown, sources: SettingSources): ConfigProblem[] {
	const path = issue.path.map(String);
	if (issue.code === 'unrecognized_keys') {
		return issue.keys.map((key) =>
			problemWithFix(
				sources,
				[...path, key].join('.'),
				undefined,
				'is not a setting',
				'Remove it or correct its spelling (config.example.ts lists every setting).',
			),
		);
	}
	const setting = path.join('.');
	const value = getPath(input, issue.path);
	const problem = value === undefined && !sources.env.has(setting) ? 'is missing' : 'is not valid';
	return [settingProblem(sources, setting, value, problem, issue.message)];
}
