// Field schemas shared by several messages: ids, names, labels and appData.
// Each one carries its limit from limits.ts, so every method that takes a
// producerId or a displayName checks it the same way.
import { z } from 'zod';
import {
	MAX_APP_DATA_BYTES,
	MAX_DISPLAY_NAME_LENGTH,
	MAX_ID_LENGTH,
	MAX_LABEL_LENGTH,
	MAX_SECRET_LENGTH,
} from './limits.ts';

/** A peer, broadcaster, transport, producer, consumer or data producer/consumer id. */
export const idSchema = z.string().min(1).max(MAX_ID_LENGTH);

/** May be empty: the server substitutes a default name where it needs one. */
export const displayNameSchema = z.string().max(MAX_DISPLAY_NAME_LENGTH);

/** A DataChannel label or subprotocol; the classic demo sends '' when unset. */
export const labelSchema = z.string().max(MAX_LABEL_LENGTH).default('');

export const secretSchema = z.string().max(MAX_SECRET_LENGTH);

/** Any JSON object (not an array, not null): the shape of appData. */
export const jsonObjectSchema = z.record(z.string(), z.unknown());
export type AppData = z.infer<typeof jsonObjectSchema>;

/** UTF-8 size of the value's JSON; Infinity when it cannot be serialized. */
export function jsonByteLength(value: unknown): number {
	try {
		const json = JSON.stringify(value);
		return json === undefined ? 0 : new TextEncoder().encode(json).length;
	} catch {
		// Cycles or BigInts cannot come from a JSON message; treat them as too big.
		return Number.POSITIVE_INFINITY;
	}
}

/**
 * appData sent by a client: stored by the server and relayed to other peers,
 * hence the size cap. Missing appData becomes a fresh {} per message.
 */
export const appDataSchema = jsonObjectSchema
	.refine((value) => jsonByteLength(value) <= MAX_APP_DATA_BYTES, {
		error: `must be at most ${MAX_APP_DATA_BYTES} bytes as JSON`,
	})
	.default(() => ({}));

/**
 * appData sent by the server: the server is trusted and may add its own
 * fields to what a client sent, so only the shape is checked.
 */
export const serverAppDataSchema = jsonObjectSchema.default(() => ({}));
