// Turns zod issues into the one-line reason of a 400 error, e.g.
//   invalid "produce" request: rtpParameters.codecs[0].payloadType: expected number, received string
// The reason goes to the client (and into logs), so it names the field and
// what was expected, lists only the first few problems and never echoes the
// offending input itself.
import type { z } from 'zod';
import { MAX_REASON_LENGTH, MAX_REPORTED_ISSUES } from './limits.ts';

type Issue = z.core.$ZodIssue;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `a.b[0]["odd key"]`, the way one would write the access in TypeScript. */
export function formatPath(path: readonly PropertyKey[]): string {
	let text = '';
	for (const key of path) {
		if (typeof key === 'number') text += `[${key}]`;
		else if (typeof key === 'string' && IDENTIFIER.test(key)) text += text === '' ? key : `.${key}`;
		else text += `[${JSON.stringify(String(key))}]`;
	}
	return text;
}

// zod prefixes its messages with a category ("Invalid input: expected
// number, received string"); the field path already says where, so the
// category only adds noise.
const ZOD_CATEGORY_PREFIX = /^[A-Z][a-z]+(?: [a-z]+)?: /;

function describeIssue(issue: Issue): string {
	// With reportInput, a missing field is an invalid_type whose input is undefined.
	if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) {
		return `missing, expected ${issue.expected}`;
	}
	if (issue.code === 'invalid_union' && issue.discriminator !== undefined && 'options' in issue && issue.options) {
		return `expected one of ${issue.options.map((option) => JSON.stringify(option)).join('|')}`;
	}
	// zod calls a safe integer "int" (`expected int, received number`).
	return issue.message.replace(ZOD_CATEGORY_PREFIX, '').replace(/\bexpected int\b/, 'expected integer');
}

/**
 * A failed plain union reports every branch's issues. The branch with the
 * fewest issues is the shape the sender most likely meant, so report that
 * one, with the union's own path in front of its paths.
 */
function unionBranchIssues(issue: Issue): Issue[] | undefined {
	if (issue.code !== 'invalid_union' || issue.errors.length === 0) return undefined;
	let best: Issue[] | undefined;
	for (const branch of issue.errors) {
		if (branch.length > 0 && (best === undefined || branch.length < best.length)) best = branch;
	}
	return best?.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

function leafIssues(issues: readonly Issue[]): Issue[] {
	return issues.flatMap((issue) => {
		const branch = unionBranchIssues(issue);
		return branch ? leafIssues(branch) : [issue];
	});
}

function formatIssue(issue: Issue): string {
	const path = formatPath(issue.path);
	const text = describeIssue(issue);
	return path === '' ? text : `${path}: ${text}`;
}

/** `issue; issue; issue (and 2 more)` */
export function formatIssues(issues: readonly Issue[]): string {
	const leaves = leafIssues(issues);
	const shown = leaves.slice(0, MAX_REPORTED_ISSUES).map(formatIssue).join('; ');
	const hidden = leaves.length - MAX_REPORTED_ISSUES;
	return hidden > 0 ? `${shown} (and ${hidden} more)` : shown;
}

/** Keeps a reason on one line and within MAX_REASON_LENGTH. */
export function oneLine(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length <= MAX_REASON_LENGTH ? flat : `${flat.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** `invalid "join" request: displayName: expected string, received number` */
export function invalidReason(subject: string, error: z.ZodError): string {
	return oneLine(`invalid ${subject}: ${formatIssues(error.issues)}`);
}

/** Quotes a name that came from the network, short enough to log. */
export function quoteName(name: string): string {
	const shortened = name.length > 100 ? `${name.slice(0, 100)}…` : name;
	return JSON.stringify(shortened);
}
