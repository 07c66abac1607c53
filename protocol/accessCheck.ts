// GET /access (ours): asks whether a peer may enter a room, before opening the
// WebSocket. A browser cannot read the status or the reason of a refused
// WebSocket handshake (the WebSocket just fails, and protoo-client retries),
// so the app asks here first and shows the refusal as the server words it.
// Query: roomId, peerId, consumerReplicas as in the WebSocket URL
// (connectionQuery.ts); the token as `Authorization: Bearer T`, never in the
// address (addresses end up in logs). Errors are `{ error: reason }` with the
// WebSocket's status: 400, 401, 403.
import { z } from 'zod';
import { grantsSchema } from './access.ts';

export const ACCESS_CHECK_PATH = '/access';

/** 200: the peer would be let in, with these grants. */
export const accessCheckResponseSchema = z.object({ grants: grantsSchema });
export type AccessCheckResponse = z.infer<typeof accessCheckResponseSchema>;

/** 4xx: why not. */
export const accessCheckErrorSchema = z.object({ error: z.string() });
