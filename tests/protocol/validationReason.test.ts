// The wording of error reasons, independent of any particular message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { MAX_REASON_LENGTH } from '../../protocol/limits.ts';
import { formatPath, invalidReason, oneLine, quoteName } from '../../protocol/validationReason.ts';

function reasonFor(schema: z.ZodType, value: unknown): string {
	const result = schema.safeParse(value, { reportInput: true });
	assert.ok(!result.success);
	return invalidReason('thing', result.error);
}

test('paths read like TypeScript property accesses', () => {
	assert.equal(formatPath([]), '');
	assert.equal(formatPath(['rtpParameters', 'codecs', 0, 'payloadType']), 'rtpParameters.codecs[0].payloadType');
	assert.equal(formatPath(['parameters', 'profile-level-id']), 'parameters["profile-level-id"]');
	assert.equal(formatPath([0, 'a']), '[0].a');
});

test('a plain union reports the branch the value most resembles', () => {
	const schema = z.object({
		speaker: z.union([z.object({ peerId: z.string(), volume: z.number() }), z.object({ peerId: z.null() })]),
	});
	assert.equal(
		reasonFor(schema, { speaker: { peerId: 'a', volume: 'loud' } }),
		'invalid thing: speaker.volume: expected number, received string',
	);
});

test('a discriminated union lists the accepted discriminator values', () => {
	const schema = z.discriminatedUnion('type', [z.object({ type: z.literal('a') }), z.object({ type: z.literal('b') })]);
	assert.equal(reasonFor(schema, { type: 'c' }), 'invalid thing: type: expected one of "a"|"b"');
});

test('non-integers are reported as such', () => {
	assert.equal(reasonFor(z.object({ n: z.int() }), { n: 0.5 }), 'invalid thing: n: expected integer, received number');
});

test('reasons are one line and bounded', () => {
	assert.equal(oneLine('a\n  b\tc'), 'a b c');
	const long = oneLine('x'.repeat(MAX_REASON_LENGTH * 2));
	assert.equal(long.length, MAX_REASON_LENGTH);
	assert.ok(long.endsWith('…'));
});

test('names from the network are quoted and shortened', () => {
	assert.equal(quoteName('join'), '"join"');
	assert.equal(quoteName('a"b'), '"a\\"b"');
	assert.ok(quoteName('y'.repeat(1000)).length < 110);
});
