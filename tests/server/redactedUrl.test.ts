// What the log shows of a connection URL: the access token and the resume
// secret are credentials, so they never reach a log file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactedUrl } from '../../server/signaling/redactedUrl.ts';

test('token and resume are replaced; the rest stays for whoever reads the log', () => {
	assert.equal(
		redactedUrl('/?roomId=r&peerId=p&token=eyJhbGciOi.x.y&resume=s3cr3t'),
		'/?roomId=r&peerId=p&token=%28redacted%29&resume=%28redacted%29',
	);
	assert.equal(redactedUrl('/?roomId=r&peerId=p'), '/?roomId=r&peerId=p');
	assert.equal(redactedUrl(undefined), '');
});
