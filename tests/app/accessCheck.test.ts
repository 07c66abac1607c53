// What the app makes of GET /access: let in with grants, refused with the
// server's reason (shown on the page), or no answer it understands (a server
// of the classic dialect, a proxy's error page), when the WebSocket decides.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { refusalText } from '../../app/room/closedReasons.ts';
import { verdictOf } from '../../app/signaling/accessCheck.ts';
import { OPEN_GRANTS } from '../../protocol/access.ts';

describe('the access check before connecting', () => {
	test('200 with grants: let in, with them', () => {
		assert.deepEqual(verdictOf(200, { grants: OPEN_GRANTS }), { kind: 'allowed', grants: OPEN_GRANTS });
	});

	test('400, 401 and 403 with a reason: refused, in the server words', () => {
		assert.deepEqual(verdictOf(401, { error: 'token expired' }), {
			kind: 'refused',
			status: 401,
			reason: 'token expired',
		});
		assert.deepEqual(verdictOf(403, { error: 'joining a room needs the join grant' }), {
			kind: 'refused',
			status: 403,
			reason: 'joining a room needs the join grant',
		});
	});

	test('410 to a resume: the session is gone, the page joins anew', () => {
		const reason =
			'session of peer "bob" in room "r" expired (its grace period ended, or the server restarted): join again';
		assert.deepEqual(verdictOf(410, { error: reason }), { kind: 'expired', reason });
	});

	test('503: the server drains; the page asks again later, opening no WebSocket', () => {
		const reason = 'server is draining (shutting down): it takes no new rooms; try again on another server or later';
		assert.deepEqual(verdictOf(503, { error: reason }), { kind: 'unavailable', reason });
	});

	test('anything else is not an answer: the WebSocket will tell', () => {
		assert.deepEqual(verdictOf(404, '<!DOCTYPE html><title>Not Found</title>'), { kind: 'unknown' });
		assert.deepEqual(verdictOf(502, undefined), { kind: 'unknown' });
		assert.deepEqual(verdictOf(200, { grants: { room: 'r' } }), { kind: 'unknown' });
		assert.deepEqual(verdictOf(429, { error: 'too many' }), { kind: 'unknown' });
	});

	test('the page says "token expired" plainly, and "not allowed" with the reason otherwise', () => {
		assert.equal(refusalText(401, 'token expired'), 'Token expired: ask for a new link to join');
		assert.equal(refusalText(401, 'token signature is invalid'), 'Not allowed: token signature is invalid');
		assert.equal(refusalText(403, 'token is for room "a", not "b"'), 'Not allowed: token is for room "a", not "b"');
	});
});
