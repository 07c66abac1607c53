// A bare mediasoup worker with one router that offers Opus and VP8: where tests
// of mediasoup itself (no server) start.
import type { types as ms } from 'mediasoup';
import * as mediasoup from 'mediasoup';

export async function opusVp8Router(): Promise<{ worker: ms.Worker; router: ms.Router }> {
	const worker = await mediasoup.createWorker({ logLevel: 'warn' });
	const router = await worker.createRouter({
		mediaCodecs: [
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
		],
	});
	return { worker, router };
}
