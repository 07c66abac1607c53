// When did a page decode a new video frame from a peer? The bench polls the
// page's own WebRTC stats (inbound-rtp framesDecoded of the consumer of that
// peer's camera) every POLL_INTERVAL_MS and times each poll on its own clock
// (performance.now in the bench process): the page's stats have timestamps of
// their own, but on another clock, and a poll answered tells the bench when
// the frame had been decoded at the latest. A frame first seen by one poll was
// decoded after the previous poll started (the earliest it can have been) and
// before this one answered (the latest): both are kept, so the resolution of
// every figure is in the report.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

/** How often a page's stats are read while waiting for a frame. */
export const POLL_INTERVAL_MS = 50;

/** The consumer of a peer's camera on a page and the frames it decoded so far. */
export interface VideoFrames {
	consumerId: string;
	framesDecoded: number;
}

/** When a frame was seen, on the bench's clock (performance.now). */
export interface FrameSeen {
	/** The poll that saw it answered: the frame was decoded by then. */
	latest: number;
	/** The poll before it started: the frame was not decoded before then. */
	earliest: number;
}

/**
 * The camera consumer of `peerId` on `page` (one not in `exclude`: a rejoin
 * gives new consumers), with its frame count; undefined while there is none
 * or the browser has no stats for it yet. One evaluate, so one poll is one
 * round trip to the page.
 */
export function videoFramesFrom(
	page: Page,
	peerId: string,
	exclude: readonly string[] = [],
): Promise<VideoFrames | undefined> {
	return page.evaluate(
		async ({ peer, old }) => {
			const consumers = Object.values(window.store?.getState().consumers.entities ?? {});
			const consumer = consumers.find(
				(entry) =>
					entry !== undefined &&
					entry.peerId === peer &&
					entry.kind === 'video' &&
					entry.source !== 'share' &&
					!old.includes(String(entry.id)),
			);
			if (!consumer) return undefined;
			const report = await window.roomClient?.stats.browser('consumer', String(consumer.id));
			let framesDecoded: number | undefined;
			report?.forEach((stats: { type: string; framesDecoded?: number }) => {
				if (stats.type === 'inbound-rtp') framesDecoded = stats.framesDecoded;
			});
			return framesDecoded === undefined ? undefined : { consumerId: String(consumer.id), framesDecoded };
		},
		{ peer: peerId, old: [...exclude] },
	);
}

/**
 * Polls until `grown` says the page decoded a new frame; throws after
 * `timeoutMs`. A poll that fails (a page in the middle of a rejoin) counts as
 * no frame.
 */
export async function waitForFrame(
	read: () => Promise<VideoFrames | undefined>,
	grown: (frames: VideoFrames) => boolean,
	{ what, timeoutMs }: { what: string; timeoutMs: number },
): Promise<FrameSeen> {
	const deadline = performance.now() + timeoutMs;
	let previousStart = performance.now();
	let last: VideoFrames | undefined;
	while (performance.now() < deadline) {
		const start = performance.now();
		last = await read().catch(() => undefined);
		const answered = performance.now();
		if (last !== undefined && grown(last)) return { latest: answered, earliest: previousStart };
		previousStart = start;
		await sleep(Math.max(0, start + POLL_INTERVAL_MS - performance.now()));
	}
	throw new Error(`${what}: no new frame in ${timeoutMs} ms (last read: ${JSON.stringify(last)})`);
}
