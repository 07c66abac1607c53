// The logger: JSON lines at the configured level, components named.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { childLogger, createLogger } from '../../server/logging/logger.ts';

function memory(): { lines: Record<string, unknown>[]; write(line: string): void } {
	const lines: Record<string, unknown>[] = [];
	return { lines, write: (line) => lines.push(JSON.parse(line)) };
}

test('JSON lines at the configured level; childLogger names the component', async () => {
	const out = memory();
	const root = await createLogger('info', { pretty: false, destination: out });
	root.debug('hidden');
	childLogger('Room').info({ roomId: 'r1' }, 'created');
	childLogger('Room').warn('slow');

	assert.deepEqual(
		out.lines.map(({ name, level, msg, roomId }) => ({ name, level, msg, roomId })),
		[
			{ name: 'Room', level: 30, msg: 'created', roomId: 'r1' },
			{ name: 'Room', level: 40, msg: 'slow', roomId: undefined },
		],
	);
});

test('an error logged as { error } keeps its type, message and stack', async () => {
	const out = memory();
	const root = await createLogger('info', { pretty: false, destination: out });
	root.error({ error: new TypeError('bad thing') }, 'failed');
	childLogger('Room').warn({ error: 'just a string' }, 'odd');
	const [first, second] = out.lines as { error: { type?: string; message?: string; stack?: string } | string }[];
	assert.ok(typeof first?.error === 'object');
	assert.equal(first.error.type, 'TypeError');
	assert.equal(first.error.message, 'bad thing');
	assert.match(first.error.stack ?? '', /logger\.test\.ts/);
	assert.equal(second?.error, 'just a string');
});

test('a new root logger replaces the parent of later children', async () => {
	const first = memory();
	const second = memory();
	await createLogger('info', { pretty: false, destination: first });
	await createLogger('debug', { pretty: false, destination: second });
	childLogger('Worker').debug('visible now');
	assert.equal(first.lines.length, 0);
	assert.equal(second.lines[0]?.msg, 'visible now');
});

test('pretty output when asked: one readable line per entry (pino-pretty is installed in development)', async () => {
	const chunks: string[] = [];
	const destination = new Writable({
		write(chunk: Buffer, _encoding, done) {
			chunks.push(chunk.toString());
			done();
		},
	});
	await createLogger('info', { pretty: true, destination });
	childLogger('Room').info('created');
	await new Promise((resolve) => setImmediate(resolve));
	const text = chunks.join('');
	assert.match(text, /INFO \(Room\): created/);
	assert.doesNotMatch(text, /^\{/, 'not JSON');
});
