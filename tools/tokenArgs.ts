// The command line of `npm run token` (tools/token.ts): what token to mint.
// Grants come from --grants (JSON, as in a token) with flags on top; the
// result is checked with the same schema the server checks tokens with, so
// the tool cannot mint a token the server would refuse as malformed.
import { parseArgs } from 'node:util';
import { PUBLISH_SOURCES, type TokenGrants, tokenGrantsSchema } from '../protocol/access.ts';
import { displayNameSchema, idSchema } from '../protocol/fields.ts';
import { invalidReason } from '../protocol/validationReason.ts';
import { DEFAULT_TOKEN_TTL_SECONDS } from '../server/auth/tokens.ts';

export const TOKEN_USAGE = `usage: npm run token -- --room ROOM --identity ID [options]

Mints an access token (JWT) for a server in token mode (AUTH_KEYS set) and
prints it, then a join URL for the browser app. The keys are read the way the
server reads them: AUTH_KEYS, else auth.keys of config.ts.

  --room ROOM              the room the token is for ("*": every room)
  --identity ID            who the bearer is: becomes its peerId (the sub claim)
  --name NAME              the display name the app starts with
  --grants JSON            grants as a token carries them, e.g. '{"roomAdmin":true}';
                           the flags below are applied on top
  --admin                  roomAdmin: moderation (mute, remove, lock, lobby, end)
  --publish LIST           only these sources: microphone,camera,screen (or none)
  --no-subscribe           receives no one's media
  --no-data                no DataChannels (chat)
  --no-join                may not join (e.g. a token for --ingest only)
  --record                 may start and stop recording, list and download recordings
  --ingest                 may use the REST broadcaster API
  --hidden                 joins without being announced (recorders, bots); does not publish
  --consumer-replicas N    may ask for up to N consumer replicas (load testing)
  --ttl DURATION           lifetime: seconds, or 90m, 2h, 1d (default ${DEFAULT_TOKEN_TTL_SECONDS / 3600}h)
  --key KEY                the API key to sign with (default: the first configured)
  -h, --help               this text`;

/** A command line that cannot be right; the message says what to change. */
export class UsageError extends Error {}

export interface TokenRequest {
	identity: string;
	name: string | undefined;
	grants: TokenGrants;
	ttlSeconds: number;
	/** The API key asked for; undefined: the first configured. */
	key: string | undefined;
}

export function parseTokenArgs(argv: readonly string[]): TokenRequest | 'help' {
	const { values } = parseArgs({
		args: [...argv],
		strict: true,
		allowNegative: true,
		options: {
			room: { type: 'string' },
			identity: { type: 'string' },
			name: { type: 'string' },
			grants: { type: 'string' },
			admin: { type: 'boolean' },
			publish: { type: 'string' },
			subscribe: { type: 'boolean' },
			data: { type: 'boolean' },
			join: { type: 'boolean' },
			record: { type: 'boolean' },
			ingest: { type: 'boolean' },
			hidden: { type: 'boolean' },
			'consumer-replicas': { type: 'string' },
			ttl: { type: 'string' },
			key: { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) return 'help';
	if (values.room === undefined) throw new UsageError('--room is required: the room the token is for, or "*"');
	if (values.identity === undefined) throw new UsageError('--identity is required: who the bearer is (its peerId)');
	if (!idSchema.safeParse(values.identity).success) {
		throw new UsageError('--identity must be 1 to 100 characters');
	}
	if (values.name !== undefined && !displayNameSchema.safeParse(values.name).success) {
		throw new UsageError('--name must be at most 100 characters');
	}
	const fromFlags: TokenGrants = {
		room: values.room,
		...(values.admin === undefined ? {} : { roomAdmin: values.admin }),
		...(values.publish === undefined ? {} : { publish: publishList(values.publish) }),
		...(values.subscribe === undefined ? {} : { subscribe: values.subscribe }),
		...(values.data === undefined ? {} : { data: values.data }),
		...(values.join === undefined ? {} : { join: values.join }),
		...(values.record === undefined ? {} : { record: values.record }),
		...(values.ingest === undefined ? {} : { ingest: values.ingest }),
		...(values.hidden === undefined ? {} : { hidden: values.hidden }),
		...(values['consumer-replicas'] === undefined
			? {}
			: { consumerReplicas: wholeNumber('--consumer-replicas', values['consumer-replicas']) }),
	};
	return {
		identity: values.identity,
		name: values.name,
		grants: checkedGrants({ ...grantsJson(values.grants, values.room), ...fromFlags }),
		ttlSeconds: values.ttl === undefined ? DEFAULT_TOKEN_TTL_SECONDS : parseDuration(values.ttl),
		key: values.key,
	};
}

/** --grants: an object as a token's grants claim, naming no room other than --room. */
function grantsJson(text: string | undefined, room: string): Record<string, unknown> {
	if (text === undefined) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new UsageError(`--grants is not JSON: ${(error as Error).message}`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new UsageError('--grants must be a JSON object, e.g. \'{"roomAdmin":true}\'');
	}
	const grants = parsed as Record<string, unknown>;
	const known = Object.keys(tokenGrantsSchema.shape);
	const unknown = Object.keys(grants).filter((name) => !known.includes(name));
	if (unknown.length > 0) {
		throw new UsageError(
			`--grants: no grant is called ${unknown.map((name) => JSON.stringify(name)).join(', ')} (the grants: ${known.join(', ')})`,
		);
	}
	if (grants.room !== undefined && grants.room !== room) {
		throw new UsageError(`--grants names room ${JSON.stringify(grants.room)} but --room is "${room}"`);
	}
	return grants;
}

function checkedGrants(grants: Record<string, unknown>): TokenGrants {
	const result = tokenGrantsSchema.safeParse(grants, { reportInput: true });
	if (!result.success) throw new UsageError(invalidReason('grants', result.error));
	return result.data;
}

/** "microphone,camera" as a list; "none" as no source at all. */
function publishList(text: string): TokenGrants['publish'] {
	if (text.trim() === 'none') return false;
	const sources = text.split(',').map((source) => source.trim());
	const unknown = sources.filter((source) => !(PUBLISH_SOURCES as readonly string[]).includes(source));
	if (unknown.length > 0 || sources.length === 0) {
		throw new UsageError(
			`--publish takes a list of ${PUBLISH_SOURCES.join(', ')} (or none), not ${JSON.stringify(unknown.join(','))}`,
		);
	}
	return sources as TokenGrants['publish'];
}

function wholeNumber(option: string, text: string): number {
	if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} must be a whole number, not "${text}"`);
	return Number(text);
}

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "3600", "90m", "2h", "1d" in seconds; anything else, or nothing at all, is a UsageError. */
export function parseDuration(text: string): number {
	const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
	const seconds = match ? Number(match[1]) * (SECONDS_PER_UNIT[match[2] || 's'] ?? 1) : 0;
	if (!match || seconds <= 0) {
		throw new UsageError(`--ttl "${text}" is not a duration: give seconds, or a number with s, m, h or d (90m, 2h)`);
	}
	return seconds;
}
