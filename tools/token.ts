// `npm run token -- --room R --identity alice [...]`: mints an access token
// with the server's own keys and prints it (stdout, line 1) and a join URL for
// the browser app (line 2), so an operator can let someone in without an
// application backend. What the token allows goes to stderr. The keys and the
// address are read the way the server reads them (AUTH_KEYS or config.ts),
// without the server's side effects: no certificate is generated.
import os from 'node:os';
import { resolveGrants } from '../protocol/access.ts';
import { type ApiKey, mintToken, parseApiKeys } from '../server/auth/tokens.ts';
import type { Config } from '../server/config/Config.ts';
import { ConfigError } from '../server/config/ConfigError.ts';
import { loadSettings } from '../server/config/loadConfig.ts';
import { resolveAnnouncedAddress } from '../server/config/network.ts';
import { parseTokenArgs, TOKEN_USAGE, type TokenRequest, UsageError } from './tokenArgs.ts';

/** What stops the tool: the message is all the user needs. */
class TokenError extends Error {}

async function main(): Promise<number> {
	const request = parseTokenArgs(process.argv.slice(2));
	if (request === 'help') {
		console.log(TOKEN_USAGE);
		return 0;
	}
	const { config, sources } = await loadSettings();
	const apiKey = signingKey(parseApiKeys(config.auth.keys), request.key);
	const token = await mintToken({
		apiKey,
		identity: request.identity,
		name: request.name,
		grants: request.grants,
		ttlSeconds: request.ttlSeconds,
	});
	const address = resolveAnnouncedAddress(config, sources, os.networkInterfaces()).address;
	console.log(token);
	const url = joinUrl(config, address, request, token);
	if (url) console.log(url);
	console.error(summary(request, apiKey, url === undefined));
	return 0;
}

/** The key asked for, else the first configured; none configured means the server ignores tokens. */
function signingKey(keys: readonly ApiKey[], wanted: string | undefined): ApiKey {
	const first = keys[0];
	if (!first) {
		throw new TokenError(
			'token mode is off: set AUTH_KEYS (key:secret,...) or auth.keys in config.ts, and start the server with it; without keys the server runs in open mode and ignores tokens',
		);
	}
	if (wanted === undefined) return first;
	const found = keys.find(({ key }) => key === wanted);
	if (!found) {
		throw new TokenError(`unknown --key "${wanted}": the configured keys are ${keys.map(({ key }) => key).join(', ')}`);
	}
	return found;
}

/**
 * The page to open, as the server prints its own address at start. None for a
 * token that cannot join one room (every room, or no join grant).
 */
function joinUrl(config: Config, address: string, request: TokenRequest, token: string): string | undefined {
	const { room } = request.grants;
	if (room === undefined || room === '*' || !resolveGrants(request.grants).join) return undefined;
	const host = address.includes(':') ? `[${address}]` : address;
	const query = new URLSearchParams({ roomId: room, peerId: request.identity, token });
	return `https://${host}:${config.https.listenPort}/?${query}`;
}

function summary(request: TokenRequest, apiKey: ApiKey, noUrl: boolean): string {
	const until = new Date(Date.now() + request.ttlSeconds * 1000).toISOString();
	const lines = [
		`token for "${request.identity}"${request.name === undefined ? '' : ` (${request.name})`}, signed with key "${apiKey.key}", valid until ${until}`,
		`grants: ${JSON.stringify(resolveGrants(request.grants))}`,
	];
	if (noUrl) lines.push('no join URL: the token does not join one room (room "*" or no join grant)');
	return lines.join('\n');
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		if (error instanceof UsageError || isParseArgsError(error)) {
			console.error(`token: ${(error as Error).message}\nSee: npm run token -- --help`);
			process.exit(2);
		}
		if (error instanceof TokenError || error instanceof ConfigError) {
			console.error(`token: ${error.message}`);
			process.exit(1);
		}
		console.error('token: failed:', error);
		process.exit(1);
	},
);

function isParseArgsError(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
