// The TURN settings: both host and secret or neither, the URLs clients get
// (UDP, TCP and TLS), and a secret that never shows in a message, not even
// when it is the setting that is wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../server/config/ConfigError.ts';
import { configTsFrom, load, projectRoot } from './fixtures.ts';

const SECRET = 'b7f3c1d9e2a84f6b9c0d1e2f3a4b5c6d7e8f9a0b';

test('TURN_HOST and TURN_SECRET: clients are told of TURN over UDP, TCP and TLS', async () => {
	const config = await load(projectRoot(), { TURN_HOST: 'turn.example.com', TURN_SECRET: SECRET });
	assert.deepEqual(config.turn, {
		urls: [
			'turn:turn.example.com:3478?transport=udp',
			'turn:turn.example.com:3478?transport=tcp',
			'turns:turn.example.com:5349?transport=tcp',
		],
		secret: SECRET,
		credentialTtlSeconds: 3600,
	});
});

test('the ports and the lifetime of credentials follow their variables; an IPv6 address is bracketed', async () => {
	const config = await load(projectRoot(), {
		TURN_HOST: '2001:db8::7',
		TURN_PORT: '3479',
		TURN_TLS_PORT: '443',
		TURN_SECRET: SECRET,
		TURN_CREDENTIAL_TTL_S: '600',
	});
	assert.deepEqual(config.turn?.urls, [
		'turn:[2001:db8::7]:3479?transport=udp',
		'turn:[2001:db8::7]:3479?transport=tcp',
		'turns:[2001:db8::7]:443?transport=tcp',
	]);
	assert.equal(config.turn?.credentialTtlSeconds, 600);
});

test('the turn section may be set in config.ts', async () => {
	const root = projectRoot(
		configTsFrom(`{ ...base, turn: { ...base.turn, host: "203.0.113.5", secret: "${SECRET}" } }`),
	);
	assert.equal((await load(root)).turn?.urls[0], 'turn:203.0.113.5:3478?transport=udp');
});

interface Refusal {
	name: string;
	env?: Record<string, string>;
	configTs?: string;
	setting: string;
	says: string[];
}

const refusals: Refusal[] = [
	{
		name: 'a host without the secret',
		env: { TURN_HOST: 'turn.example.com' },
		setting: 'turn.secret',
		says: ['is missing', 'turn.example.com', 'coturn refuses', 'TURN_SECRET', 'static-auth-secret', 'unset TURN_HOST'],
	},
	{
		name: 'a secret without the host',
		env: { TURN_SECRET: SECRET },
		setting: 'turn.host',
		says: ['is missing', 'TURN_HOST', 'unset TURN_SECRET'],
	},
	{
		name: 'a URL where the host goes',
		env: { TURN_HOST: 'turn:turn.example.com:3478', TURN_SECRET: SECRET },
		setting: 'turn.host',
		says: ['TURN_HOST=turn:turn.example.com:3478', 'hostname', 'leave it unset for no TURN'],
	},
	{
		name: 'a lifetime of credentials below 10 s',
		env: { TURN_HOST: 'turn.example.com', TURN_SECRET: SECRET, TURN_CREDENTIAL_TTL_S: '5' },
		setting: 'turn.credentialTtlSeconds',
		says: ['TURN_CREDENTIAL_TTL_S=5', 'from 10 to 86400'],
	},
	{
		name: 'a TLS port that is not a port',
		env: { TURN_HOST: 'turn.example.com', TURN_SECRET: SECRET, TURN_TLS_PORT: '70000' },
		setting: 'turn.tlsPort',
		says: ['TURN_TLS_PORT=70000', 'an integer from 1 to 65535'],
	},
];

for (const c of refusals) {
	test(`refused: ${c.name}`, async () => {
		await assert.rejects(load(projectRoot(c.configTs), c.env), (error: unknown) => {
			assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
			assert.equal(error.setting, c.setting, error.message);
			for (const text of [c.setting, ...c.says])
				assert.ok(error.message.includes(text), `"${text}" not in: ${error.message}`);
			assert.ok(!error.message.includes(SECRET), `the secret is in: ${error.message}`);
			return true;
		});
	});
}

test('a secret that is too short is refused without showing it, from the environment or config.ts', async () => {
	const short = 'hunter2-is-my-turn-secret';
	await assert.rejects(load(projectRoot(), { TURN_HOST: 'turn.example.com', TURN_SECRET: short }), (error) => {
		assert.ok(error instanceof ConfigError);
		assert.equal(error.setting, 'turn.secret');
		assert.match(error.message, /TURN_SECRET=\(hidden\) \(turn\.secret\) is not valid/);
		assert.match(error.message, /at least 32 characters/);
		assert.ok(!error.message.includes(short), error.message);
		return true;
	});
	const configTs = configTsFrom(`{ ...base, turn: { ...base.turn, host: "turn.example.com", secret: "${short}" } }`);
	await assert.rejects(load(projectRoot(configTs)), (error) => {
		assert.ok(error instanceof ConfigError);
		assert.match(error.message, /turn\.secret = \(hidden\) in config\.ts is not valid/);
		assert.ok(!error.message.includes(short), error.message);
		return true;
	});
});
