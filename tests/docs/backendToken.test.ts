// The README's "Minting a token in an application backend" code, exactly as
// the reader sees it: the code block after its marker comment is run as a
// module of its own (plain JavaScript with jose, no code of ours), and the
// token it mints must pass the server's own verification with the grants the
// example promises.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveGrants } from '../../protocol/access.ts';
import { TokenVerifier } from '../../server/auth/tokens.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');
const MARKER = '<!-- backend token example:';
/** Where the section lives: its draft, or the README once merged there. */
const DOCUMENTS = ['README.md', 'docs/ACCESS.md'];

const dir = mkdtempSync(path.join(os.tmpdir(), 'backend-token-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The ```js block right after the marker, in the one document that has it. */
function exampleCode(): string {
	const holders = DOCUMENTS.filter(
		(file) => existsSync(path.join(rootDir, file)) && readFileSync(path.join(rootDir, file), 'utf8').includes(MARKER),
	);
	assert.equal(holders.length, 1, `exactly one of ${DOCUMENTS.join(', ')} holds the example (found: ${holders})`);
	const text = readFileSync(path.join(rootDir, holders[0] ?? ''), 'utf8');
	const match = /```js\n([\s\S]*?)```/.exec(text.slice(text.indexOf(MARKER)));
	assert.ok(match?.[1], 'a ```js block follows the marker');
	return match[1];
}

test("the documented backend code mints a token the server accepts, with the example's grants", async () => {
	const apiKey = { key: 'backend-key', secret: 'a-backend-secret-of-at-least-32-chars' };
	process.env.API_KEY = apiKey.key;
	process.env.API_SECRET = apiKey.secret;
	// A module outside the repository that still finds jose, as in a backend that installed it.
	symlinkSync(path.join(rootDir, 'node_modules'), path.join(dir, 'node_modules'));
	const file = path.join(dir, 'roomToken.mjs');
	writeFileSync(file, exampleCode());
	const { roomToken } = (await import(pathToFileURL(file).href)) as {
		roomToken: (identity: string, name: string, room: string, grants?: object) => Promise<string>;
	};

	const now = Math.floor(Date.now() / 1000);
	const token = await roomToken('alice', 'Alice', 'standup', { publish: ['microphone'] });
	const verified = await new TokenVerifier([apiKey]).verify(token);
	assert.equal(verified.identity, 'alice');
	assert.equal(verified.name, 'Alice');
	assert.deepEqual(verified.grants, resolveGrants({ room: 'standup', publish: ['microphone'] }));
	assert.ok(Math.abs(verified.expiresAt - now - 2 * 3600) <= 2, 'valid for 2 hours');
	await assert.rejects(
		new TokenVerifier([{ ...apiKey, secret: 'another-secret-of-at-least-32-chars' }]).verify(token),
		{
			status: 401,
			message: 'token signature is invalid',
		},
	);
});
