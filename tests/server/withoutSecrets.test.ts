// What the server logs of a request URL: an access token (the WebSocket's
// ?token=), a resume secret (?resume=) or a download link's signature
// (?access=) opens a door, so none reaches a log; the rest of the URL does, to
// say what was asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutSecrets } from '../../server/logging/withoutSecrets.ts';

test('tokens and link signatures are hidden, the rest of the URL is kept', () => {
	assert.equal(
		withoutSecrets('/?roomId=r&peerId=alice&token=eyJhbGciOi.eyJzdWIi.c2ln&consumerReplicas=0'),
		'/?roomId=r&peerId=alice&token=(hidden)&consumerReplicas=0',
	);
	assert.equal(withoutSecrets('/?token=a&token=b'), '/?token=(hidden)&token=(hidden)');
	assert.equal(
		withoutSecrets('/?roomId=r&peerId=alice&resume=Qm9yaW5nIHNlY3JldA&token=t'),
		'/?roomId=r&peerId=alice&resume=(hidden)&token=(hidden)',
	);
	assert.equal(withoutSecrets('/recordings/f/a.webm?access=sig'), '/recordings/f/a.webm?access=(hidden)');
	assert.equal(withoutSecrets('/?roomId=token&peerId=access'), '/?roomId=token&peerId=access');
});
