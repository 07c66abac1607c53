// The setting the ffmpeg.sh and gstreamer.sh tests share: one test server, the
// test media, a folder and environment that point the scripts at the server,
// and a viewer already in the room. Registers the suite's before/after hooks.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Ingest } from './broadcasterIngest.ts';
import { killScripts, scriptFixture, testMedia } from './broadcasterScripts.ts';
import type { TestPeer } from './TestPeer.ts';
import { startTestServer, type TestServer } from './testServer.ts';

interface Parts {
	server: TestServer;
	fixture: ReturnType<typeof scriptFixture>;
	media: string;
	viewer: TestPeer;
}

export class IngestRoom {
	readonly roomId: string;
	/** The ingest the suite's first test starts and later tests use. */
	ingest: Ingest | undefined;
	#parts: Parts | undefined;

	constructor(roomId: string) {
		this.roomId = roomId;
		before(async () => {
			const [server, media] = await Promise.all([startTestServer(), testMedia()]);
			const viewer = await server.connect(roomId, 'viewer');
			this.#parts = { server, fixture: scriptFixture(server), media, viewer };
			await viewer.join({ displayName: 'Viewer' });
		});
		after(async () => {
			await killScripts();
			const parts = this.#parts;
			if (!parts) return;
			parts.viewer.close();
			await parts.server.close();
			parts.fixture.cleanup();
		});
	}

	get server(): TestServer {
		return this.#get().server;
	}

	/** SERVER_URL and CA_FILE for the scripts. */
	get env(): Record<string, string> {
		return this.#get().fixture.env;
	}

	/** A temporary folder for the test's files. */
	get dir(): string {
		return this.#get().fixture.dir;
	}

	get media(): string {
		return this.#get().media;
	}

	get viewer(): TestPeer {
		return this.#get().viewer;
	}

	/** The first test's ingest: later tests fail with a clear message without it. */
	running(scriptName: string): Ingest {
		assert.ok(this.ingest, `${scriptName} did not start (see the first test)`);
		return this.ingest;
	}

	#get(): Parts {
		assert.ok(this.#parts, 'the suite set-up (before) did not finish');
		return this.#parts;
	}
}
