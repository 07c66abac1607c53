// protoo messages are `{ method, data }`. Each direction of the protocol is
// described by a map from method name to the zod schema of its data; this
// file turns such a map into a typed union and a validating parser, so the
// client requests, server requests and server notifications share one
// implementation.
import type { z } from 'zod';
import { invalidReason, quoteName } from './validationReason.ts';

export type SchemaMap = Record<string, z.ZodType>;

/** `{ method: M; data: parsed data of M }` for every method M of the map. */
export type MessageOf<S extends SchemaMap> = {
	[M in keyof S & string]: { method: M; data: z.output<S[M]> };
}[keyof S & string];

/** Why a message was refused; 400 is the protoo error code to answer with. */
export type ParseFailure = { ok: false; code: 400; reason: string };

/** Own keys only: "toString" or "__proto__" are not methods. */
export function isMethodOf<S extends SchemaMap>(schemas: S, method: unknown): method is keyof S & string {
	return typeof method === 'string' && Object.hasOwn(schemas, method);
}

/**
 * Validates `data` against the schema of `method`. `kind` names the message
 * kind in the reason ("request", "notification"). Missing data counts as {},
 * as protoo itself sends `data: {}` for a message without data.
 */
export function parseMessage<S extends SchemaMap>(
	schemas: S,
	kind: string,
	method: unknown,
	data: unknown,
): { ok: true; message: MessageOf<S> } | ParseFailure {
	const schema = isMethodOf(schemas, method) ? schemas[method] : undefined;
	if (schema === undefined) {
		return { ok: false, code: 400, reason: `unknown method ${quoteName(String(method))}` };
	}
	const result = schema.safeParse(data ?? {}, { reportInput: true });
	if (!result.success) {
		return { ok: false, code: 400, reason: invalidReason(`${quoteName(String(method))} ${kind}`, result.error) };
	}
	// The schema was looked up by this very method, so the pair is consistent;
	// TypeScript cannot correlate a generic key with its lookup, hence the cast.
	return { ok: true, message: { method, data: result.data } as MessageOf<S> };
}
