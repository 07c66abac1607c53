// The app under its own security headers (server/http/securityHeaders.ts):
// the page is served with the Content-Security-Policy and works under it (a
// violation fails any browser test, see browserSession.ts), and what the
// policy exists for is blocked: a script injected into the page does not run,
// and the violation is noticed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

describe('security headers in the browser', { timeout: 120_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('the app runs under its CSP, which blocks an injected script', async (t) => {
		await env.run(t, async () => {
			const peer = await env.openPeer({ roomId: uniqueRoomId('csp'), peerId: 'alice', displayName: 'Alice' });
			const headers = await peer.page.evaluate(async () => {
				const response = await fetch(location.href);
				return {
					csp: response.headers.get('content-security-policy'),
					referrer: response.headers.get('referrer-policy'),
				};
			});
			assert.match(headers.csp ?? '', /default-src 'self'/);
			assert.equal(headers.referrer, 'no-referrer');
			// Its own camera shows: getUserMedia, the producer and the video element all went through.
			await peer.page.getByTestId('me-video').waitFor();
			assert.deepEqual(peer.cspViolations, [], 'the app itself breaks no rule');

			const ran = await peer.page.evaluate(() => {
				const script = document.createElement('script');
				script.textContent = 'window.injectedScriptRan = true';
				document.body.append(script);
				return (window as unknown as { injectedScriptRan?: boolean }).injectedScriptRan === true;
			});
			assert.equal(ran, false, 'an injected inline script does not run');
			const violation = await waitFor('the violation reported', () => peer.cspViolations[0]);
			assert.match(violation, /^script-src-elem blocked inline/);
			// Seen and expected: the test's own check after the body must not fail on it.
			peer.cspViolations.splice(0);
		});
	});
});
