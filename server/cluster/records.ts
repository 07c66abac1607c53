// What nodes write into Redis for each other, as zod schemas: what one node
// reads was written by another (maybe another version of the server), so it
// is validated like any input, and a record that does not parse is skipped
// rather than trusted.
import { z } from 'zod';

export const nodeLoadSchema = z.object({
	/** Peers and broadcasters in this node's rooms. */
	peers: z.number().int().nonnegative(),
	consumers: z.number().int().nonnegative(),
	/** The workers' mean CPU share since the last heartbeat, 0..1 per worker. */
	workerCpu: z.number().nonnegative(),
});
export type NodeLoad = z.infer<typeof nodeLoadSchema>;

export const nodeRecordSchema = z.object({
	id: z.string(),
	/** Where clients reach the node: its HTTPS port and the address its media is announced at. */
	announcedAddress: z.string(),
	httpsPort: z.number().int(),
	/** Where other nodes reach its pipe transports. */
	pipe: z.object({ listenIp: z.string(), announcedAddress: z.string() }),
	workers: z.array(z.object({ index: z.number().int(), pid: z.number().int() })),
	load: nodeLoadSchema,
	draining: z.boolean(),
	/** Epoch ms on the node's own clock: for operators, never for liveness. */
	startedAt: z.number(),
});
export type NodeRecord = z.infer<typeof nodeRecordSchema>;

/** A live node as listed: its record and how long its lease still runs. */
export interface LiveNode {
	record: NodeRecord;
	leaseMsLeft: number;
}

export const producerAnnouncementSchema = z.object({
	producerId: z.string(),
	nodeId: z.string(),
	peerId: z.string(),
	kind: z.enum(['audio', 'video']),
	paused: z.boolean(),
	appData: z.record(z.string(), z.unknown()).optional(),
});
export type ProducerAnnouncement = z.infer<typeof producerAnnouncementSchema>;

/** Parses JSON written by another node; undefined when it is not a valid record. */
export function parseRecord<T>(schema: z.ZodType<T>, text: unknown): T | undefined {
	if (typeof text !== 'string') return undefined;
	try {
		const parsed = schema.safeParse(JSON.parse(text));
		return parsed.success ? parsed.data : undefined;
	} catch {
		return undefined;
	}
}

/** ["a", "1200", "b", "800"] (a script's id, ms-left pairs) as [["a", 1200], ["b", 800]]. */
export function pairs(reply: unknown): [string, number][] {
	if (!Array.isArray(reply)) return [];
	const result: [string, number][] = [];
	for (let i = 0; i + 1 < reply.length; i += 2) result.push([String(reply[i]), Number(reply[i + 1])]);
	return result;
}
