// The query of the protoo WebSocket URL, as the server reads it: the resume
// secret (ours) is one value of bounded length, or absent for a new session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConnectionQuery } from '../../protocol/connectionQuery.ts';
import { MAX_RESUME_SECRET_LENGTH } from '../../protocol/limits.ts';

const parse = (query: string) => parseConnectionQuery(new URLSearchParams(query));

test('without resume the connection starts a new session', () => {
	const parsed = parse('roomId=r&peerId=p');
	assert.ok(parsed.ok);
	assert.equal(parsed.query.resume, undefined);
});

test('resume carries the secret of the session to take up', () => {
	const parsed = parse('roomId=r&peerId=p&resume=abc_DEF-123');
	assert.ok(parsed.ok);
	assert.equal(parsed.query.resume, 'abc_DEF-123');
});

test('a resume given twice, empty or too long is refused naming it', () => {
	assert.deepEqual(parse('roomId=r&peerId=p&resume=a&resume=b'), {
		ok: false,
		reason: 'resume: given 2 times, expected once',
	});
	const empty = parse('roomId=r&peerId=p&resume=');
	assert.ok(!empty.ok);
	assert.match(empty.reason, /^invalid connection query: resume: /);
	const long = parse(`roomId=r&peerId=p&resume=${'x'.repeat(MAX_RESUME_SECRET_LENGTH + 1)}`);
	assert.ok(!long.ok);
	assert.match(long.reason, /^invalid connection query: resume: /);
});
