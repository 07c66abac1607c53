// docs/PROTOCOL.md is checked against the typed definitions and the shared
// contract: add, never rename. A method defined in protocol/ but not
// documented, documented but not defined, marked `classic` but absent from
// the contract, or in the contract but not defined, fails here.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { clientRequests, serverNotifications, serverRequests } from '../../protocol/signaling.ts';

const root = path.resolve(import.meta.dirname, '../..');
const ourDoc = readFileSync(path.join(root, 'docs', 'PROTOCOL.md'), 'utf8');
const contractPath = path.resolve(root, '..', 'shared', 'PROTOCOL.md');

/** The text of a markdown section, from its heading to the next heading of the same or higher level. */
function section(markdown: string, heading: string): string {
	const start = markdown.indexOf(heading);
	assert.notEqual(start, -1, `section "${heading}" exists`);
	const level = heading.match(/^#+/)?.[0] ?? '#';
	const rest = markdown.slice(start + heading.length);
	const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
	return next === -1 ? rest : rest.slice(0, next);
}

/** Rows `| \`name\` | origin | ...` of our tables. */
function documented(heading: string): Map<string, string> {
	const rows = section(ourDoc, heading).matchAll(/^\| `([^`]+)` \| (classic|ours) \|/gm);
	return new Map([...rows].map((row) => [row[1] ?? '', row[2] ?? '']));
}

const tables = [
	{ heading: '### Client -> server requests', defined: Object.keys(clientRequests) },
	{ heading: '### Server -> client requests', defined: Object.keys(serverRequests) },
	{ heading: '### Server -> client notifications', defined: Object.keys(serverNotifications) },
];

describe('docs/PROTOCOL.md matches protocol/', () => {
	for (const { heading, defined } of tables) {
		test(`${heading.replace(/^#+ /, '')}: documented = defined`, () => {
			assert.deepEqual([...documented(heading).keys()].sort(), [...defined].sort());
		});
	}
});

describe('the shared contract', { skip: existsSync(contractPath) ? false : `no ${contractPath}` }, () => {
	const contract = existsSync(contractPath) ? readFileSync(contractPath, 'utf8') : '';
	const contractRequests = (heading: string) =>
		[...section(contract, heading).matchAll(/^\| ([A-Za-z][\w /]*?) \|/gm)]
			.flatMap((row) => (row[1] ?? '').split('/'))
			.map((name) => name.trim())
			.filter((name) => name !== 'method');
	const contractNotifications = [
		...section(contract, '### Server -> client notifications').matchAll(/`([\w-]+) \{/g),
	].map((match) => match[1] ?? '');
	const contractMethods = {
		'### Client -> server requests': contractRequests('### Client -> server requests'),
		'### Server -> client requests': contractRequests('### Server -> client requests'),
		'### Server -> client notifications': contractNotifications,
	};

	for (const { heading, defined } of tables) {
		const inContract = contractMethods[heading as keyof typeof contractMethods];
		test(`${heading.replace(/^#+ /, '')}: every contract method is defined (never renamed)`, () => {
			assert.ok(inContract.length > 0, 'the contract lists methods');
			for (const method of inContract) assert.ok(defined.includes(method), `${method} is defined`);
		});
		test(`${heading.replace(/^#+ /, '')}: "classic" means in the contract, "ours" means not`, () => {
			for (const [method, origin] of documented(heading)) {
				assert.equal(inContract.includes(method), origin === 'classic', `${method} is marked ${origin}`);
			}
		});
	}
});
