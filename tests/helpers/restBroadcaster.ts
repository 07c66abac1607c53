// A sending broadcaster made over the REST API (PROTOCOL.md section 2), as
// ffmpeg.sh makes one: the broadcaster, then for each producer a comedia plain
// transport and the producer on it. For the tests that send RTP into a room
// from a UDP socket or from ffmpeg; the broadcaster API's own test takes the
// steps one by one.
import assert from 'node:assert/strict';
import type { z } from 'zod';
import {
	type createBroadcasterProducerBodySchema,
	type PlainTransportInfo,
	plainTransportInfoSchema,
} from '../../protocol/broadcasterApi.ts';
import type { TestServer } from './testServer.ts';

/** A producer and its transport: where to send its RTP (the server learns the sender's address from the first packet). */
export interface PlainProducer {
	producerId: string;
	transport: PlainTransportInfo;
}

export async function createBroadcaster(
	server: TestServer,
	roomId: string,
	id: string,
	device = { name: 'test' },
): Promise<void> {
	const created = await server.rest('POST', `/rooms/${roomId}/broadcasters`, { id, displayName: id, device });
	assert.equal(created.status, 200, `broadcaster ${id}: ${JSON.stringify(created.body)}`);
}

export async function producePlain(
	server: TestServer,
	roomId: string,
	broadcasterId: string,
	producer: z.input<typeof createBroadcasterProducerBodySchema>,
	{ rtcpMux }: { rtcpMux?: boolean } = {},
): Promise<PlainProducer> {
	const api = `/rooms/${roomId}/broadcasters/${broadcasterId}/transports`;
	const created = await server.rest('POST', api, { type: 'plain', comedia: true, rtcpMux });
	assert.equal(created.status, 200, `plain transport: ${JSON.stringify(created.body)}`);
	const transport = plainTransportInfoSchema.parse(created.body);
	const produced = await server.rest('POST', `${api}/${transport.id}/producers`, producer);
	assert.equal(produced.status, 200, `producer: ${JSON.stringify(produced.body)}`);
	return { producerId: (produced.body as { id: string }).id, transport };
}
