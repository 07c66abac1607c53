// One producer's recording when GStreamer never says it plays (hung, or a
// version that prints something else): media is sent anyway after the ready
// timeout, with a warning, and stop() still ends the process and closes the
// recording's transport and consumer.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { pino } from 'pino';
import { ProducerRecording } from '../../server/recording/ProducerRecording.ts';
import { plainVp8Producer } from '../helpers/plainVp8Producer.ts';
import { processExists } from '../media/poolFixtures.ts';

let worker: ms.Worker;
let router: ms.Router;
let dir: string;

before(async () => {
	worker = await mediasoup.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({
		mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
	});
	dir = mkdtempSync(path.join(os.tmpdir(), 'conference-producer-recording-'));
});

after(() => {
	worker?.close();
	rmSync(dir, { recursive: true, force: true });
});

test('a GStreamer that never plays: media after the ready timeout, with a warning; stop() cleans up', {
	timeout: 20_000,
}, async () => {
	// Prints nothing and waits, as a hung pipeline does; SIGINT ends it.
	const fakeDir = path.join(dir, 'bin');
	const pidFile = path.join(dir, 'gst.pid');
	mkdirSync(fakeDir);
	writeFileSync(path.join(fakeDir, 'gst-launch-1.0'), `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`, {
		mode: 0o755,
	});
	const lines: string[] = [];
	const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
	const { transport: ingest, producer } = await plainVp8Producer(router);
	const realPath = process.env.PATH;
	process.env.PATH = `${fakeDir}:${realPath}`;
	let recording: ProducerRecording;
	try {
		recording = await ProducerRecording.start({
			router,
			producer,
			ownerId: 'cam',
			directory: dir,
			log,
			readyTimeoutMs: 300,
		});
	} finally {
		process.env.PATH = realPath;
	}
	assert.ok(
		lines.some((line) => line.includes('GStreamer not playing after 300 ms, sending media anyway')),
		lines.join(''),
	);
	const running = await router.dump();
	assert.equal(running.transportIds.length, 2, 'the ingest and the recording transport');
	assert.equal(running.mapProducerIdConsumerIds[0]?.values.length, 1, 'the recording consumes the producer');
	const pid = Number(readFileSync(pidFile, 'utf8'));

	const file = await recording.stop();
	assert.equal(file.bytes, 0, 'nothing was written');
	assert.equal(processExists(pid), false, 'the GStreamer process ended');
	const stopped = await router.dump();
	assert.deepEqual(stopped.transportIds, [ingest.id]);
	assert.deepEqual(stopped.mapProducerIdConsumerIds[0]?.values, []);
});
