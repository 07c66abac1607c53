// End-to-end tests in a real browser: Debian's Chromium driven by
// playwright-core, with fake camera and microphone, against the real server
// started in-process (testServer.ts) serving a freshly built app
// (E2eEnvironment), or against any running server (BrowserSession).
//
// A test opens peers (one browser context each, like separate people), reads
// what a person would see from the page, and reads the browser's own
// RTCPeerConnection stats through `window.roomClient` (app/debugHooks.ts).
// When a test fails, each peer's screenshot and console go to
// test-results/<test name>/. A Content-Security-Policy violation on any page
// fails the test: the server's CSP (server/http/securityHeaders.ts) must let
// the app do everything it does.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../tools/appBuild.ts';
import { startTestServer, type TestServer } from './testServer.ts';
import { waitFor } from './waitFor.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');
const resultsDir = path.join(rootDir, 'test-results');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
	'--use-fake-ui-for-media-stream',
	'--use-fake-device-for-media-stream',
	// Without it, a machine whose only interface is loopback gathers no candidates.
	'--allow-loopback-in-peer-connection',
	// getDisplayMedia picks the (fake) screen by itself.
	'--auto-select-desktop-capture-source=Entire screen',
	'--autoplay-policy=no-user-gesture-required',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	// Background tabs would throttle timers and rendering of the other peers.
	'--disable-background-timer-throttling',
	'--disable-renderer-backgrounding',
	'--disable-backgrounding-occluded-windows',
];

let appBuilt: Promise<void> | undefined;

/**
 * Builds the app once per test process, the way `gulp build` does
 * (development; E2E_PRODUCTION=1 tests the minified production bundle). A
 * failed build throws (and removes dist/app), so a stale bundle never passes
 * for a good one.
 */
export function buildAppOnce(): Promise<void> {
	appBuilt ??= buildApp({ rootDir, production: process.env.E2E_PRODUCTION === '1' });
	return appBuilt;
}

/** The browser's stats objects are plain dictionaries; these are the fields tests read. */
export interface RtpStats {
	type: string;
	id: string;
	kind?: string;
	mid?: string;
	rid?: string;
	packetsReceived?: number;
	packetsSent?: number;
	bytesReceived?: number;
	framesDecoded?: number;
	framesEncoded?: number;
	frameWidth?: number;
	frameHeight?: number;
	totalSamplesReceived?: number;
	[field: string]: unknown;
}

export interface PeerOptions {
	roomId: string;
	peerId: string;
	displayName?: string;
	/** More query flags, e.g. { forceTcp: 'true' }. */
	flags?: Record<string, string>;
	/** Wait until the page says "Connected" (default true). */
	waitConnected?: boolean;
	/** Another browser than the session's, e.g. one in a network namespace (launchChromium). */
	browser?: Browser;
}

/** Both pages show the other's video tile, decode its video and receive its audio. */
export async function expectSeeAndHearEachOther(a: BrowserPeer, b: BrowserPeer): Promise<void> {
	await a.tile(b.peerId).getByTestId('peer-video').waitFor();
	await b.tile(a.peerId).getByTestId('peer-video').waitFor();
	await Promise.all([
		a.expectVideoFrom(b.peerId),
		b.expectVideoFrom(a.peerId),
		a.expectAudioFrom(b.peerId),
		b.expectAudioFrom(a.peerId),
	]);
}

export class BrowserPeer {
	readonly peerId: string;
	readonly context: BrowserContext;
	readonly page: Page;
	readonly console: string[] = [];
	/** What the page's Content-Security-Policy blocked (securitypolicyviolation events), in order. */
	readonly cspViolations: string[];

	constructor(peerId: string, context: BrowserContext, page: Page, cspViolations: string[] = []) {
		this.cspViolations = cspViolations;
		this.peerId = peerId;
		this.context = context;
		this.page = page;
		page.on('console', (message) => this.console.push(`[${message.type()}] ${message.text()}`));
		page.on('pageerror', (error) => this.console.push(`[pageerror] ${error.stack ?? error.message}`));
	}

	/** The remote tile of another peer, as the page shows it. */
	tile(peerId: string) {
		return this.page.getByTestId(`peer-${peerId}`);
	}

	/** All stats of one of my transports (the browser's RTCPeerConnection). */
	async transportStats(direction: 'send' | 'recv'): Promise<RtpStats[]> {
		return this.page.evaluate(async (which) => {
			const report = await window.roomClient?.stats.browser('transport', which);
			const all: RtpStats[] = [];
			report?.forEach((stats: RtpStats) => {
				all.push({ ...stats });
			});
			return all;
		}, direction);
	}

	/**
	 * What I receive, per inbound RTP stream. The receiver mediasoup-client
	 * adds for bandwidth probing (mid "probator") never decodes: left out.
	 */
	async inbound(kind: 'audio' | 'video'): Promise<RtpStats[]> {
		const stats = await this.transportStats('recv');
		return stats.filter((entry) => entry.type === 'inbound-rtp' && entry.kind === kind && entry.mid !== 'probator');
	}

	async outbound(kind: 'audio' | 'video'): Promise<RtpStats[]> {
		const stats = await this.transportStats('send');
		return stats.filter((entry) => entry.type === 'outbound-rtp' && entry.kind === kind);
	}

	/** The local candidate of the pair ICE selected on a transport. */
	async selectedCandidate(direction: 'send' | 'recv'): Promise<RtpStats | undefined> {
		const stats = await this.transportStats(direction);
		const transport = stats.find((entry) => entry.type === 'transport');
		const pair = stats.find((entry) => entry.id === transport?.selectedCandidatePairId);
		return stats.find((entry) => entry.id === pair?.localCandidateId);
	}

	/** The inbound stats of the consumer of one remote peer's media. */
	async inboundFrom(peerId: string, kind: 'audio' | 'video', source?: string): Promise<RtpStats | undefined> {
		const consumerId = await this.page.evaluate(
			({ peer, mediaKind, mediaSource }) => {
				const consumers = Object.values(window.store?.getState().consumers.entities ?? {});
				return consumers.find(
					(consumer) =>
						consumer.peerId === peer &&
						consumer.kind === mediaKind &&
						(mediaSource === undefined ? consumer.source !== 'share' : consumer.source === mediaSource),
				)?.id;
			},
			{ peer: peerId, mediaKind: kind, mediaSource: source },
		);
		if (!consumerId) return undefined;
		return this.page.evaluate(async (id) => {
			const report = await window.roomClient?.stats.browser('consumer', id);
			let inbound: RtpStats | undefined;
			report?.forEach((stats: RtpStats) => {
				if (stats.type === 'inbound-rtp') inbound = { ...stats };
			});
			return inbound;
		}, consumerId);
	}

	/** Waits until a counter of the stream received from a peer grows by `by`. */
	async waitForGrowth(
		what: string,
		read: () => Promise<number | undefined>,
		{ by = 1, timeoutMs = 15_000 }: { by?: number; timeoutMs?: number } = {},
	): Promise<void> {
		const start = await waitFor(`${what} on ${this.peerId} (first value)`, async () => (await read()) ?? false, {
			timeoutMs,
			intervalMs: 200,
		});
		await waitFor(
			`${what} on ${this.peerId} to grow by ${by} from ${start}`,
			async () => ((await read()) ?? 0) >= start + by,
			{ timeoutMs, intervalMs: 200 },
		);
	}

	/** Video frames decoded from a peer keep increasing. */
	async expectVideoFrom(peerId: string, { frames = 10, timeoutMs = 15_000 } = {}): Promise<void> {
		await this.waitForGrowth(
			`frames decoded from ${peerId}`,
			async () => (await this.inboundFrom(peerId, 'video'))?.framesDecoded,
			{
				by: frames,
				timeoutMs,
			},
		);
	}

	/** Audio packets from a peer keep arriving. */
	async expectAudioFrom(peerId: string, { packets = 20, timeoutMs = 15_000 } = {}): Promise<void> {
		await this.waitForGrowth(
			`audio packets from ${peerId}`,
			async () => (await this.inboundFrom(peerId, 'audio'))?.packetsReceived,
			{ by: packets, timeoutMs },
		);
	}

	/** Closes the page's signaling WebSocket under it, as a network drop would. */
	async dropSignaling(): Promise<void> {
		await this.page.evaluate(() => {
			const sockets = (window as unknown as { __sockets?: WebSocket[] }).__sockets ?? [];
			for (const socket of sockets) socket.close();
		});
	}

	/**
	 * No video is decoded any more: the frame counters of every inbound video
	 * stream stand still. (A closed stream's stats may linger for a while, so
	 * "no stats" would be the wrong question.)
	 */
	async expectNoVideo({ settleMs = 500, watchMs = 1500 } = {}): Promise<void> {
		const total = async () =>
			(await this.inbound('video')).reduce((sum, stream) => sum + (stream.framesDecoded ?? 0), 0);
		await sleep(settleMs);
		const before = await total();
		await sleep(watchMs);
		const after = await total();
		if (after !== before) throw new Error(`${this.peerId} still decodes video (${before} -> ${after} frames)`);
	}

	async close(): Promise<void> {
		await this.context.close().catch(() => {});
	}
}

/** One browser for a test file, the server at `baseUrl`, and the peers of the running test. */
export class BrowserSession {
	readonly browser: Browser;
	readonly baseUrl: string;
	#peers: BrowserPeer[] = [];

	/** Launches Chromium for a server already running at `baseUrl` (e.g. https://127.0.0.1:4443). */
	static async launch(baseUrl: string): Promise<BrowserSession> {
		checkChromium();
		return new BrowserSession(await launchChromium(), baseUrl);
	}

	protected constructor(browser: Browser, baseUrl: string) {
		this.browser = browser;
		this.baseUrl = baseUrl;
	}

	/**
	 * The address a person would open to join. Cameras default to 640x480
	 * (resolution=vga) rather than the app's 1280x720: three or four browsers
	 * must fit on a 2-core CI machine.
	 */
	url({ roomId, peerId, displayName, flags = {} }: PeerOptions): string {
		const query = new URLSearchParams({
			roomId,
			peerId,
			displayName: displayName ?? peerId,
			resolution: 'vga',
			...flags,
		});
		return `${this.baseUrl}/?${query.toString()}`;
	}

	/** Opens a new person in their own browser context and waits until they are in the room. */
	async openPeer(options: PeerOptions): Promise<BrowserPeer> {
		const browser = options.browser ?? this.browser;
		const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
		// Keeps the page's WebSockets reachable, so a test can cut the signaling
		// connection the way a network drop would (BrowserPeer.dropSignaling).
		await context.addInitScript(() => {
			const sockets: WebSocket[] = [];
			const Native = window.WebSocket;
			window.WebSocket = class extends Native {
				constructor(url: string | URL, protocols?: string | string[]) {
					super(url, protocols);
					sockets.push(this);
				}
			};
			Object.assign(window, { __sockets: sockets });
		});
		const cspViolations = await reportCspViolations(context);
		const page = await context.newPage();
		const peer = new BrowserPeer(options.peerId, context, page, cspViolations);
		this.#peers.push(peer);
		await gotoOnce(page, this.url(options));
		if (options.waitConnected ?? true) {
			await page.getByTestId('room-state').and(page.locator('[data-state="connected"]')).waitFor({ timeout: 15_000 });
		}
		return peer;
	}

	/**
	 * Runs a test body; on failure keeps every open peer's screenshot and
	 * console under test-results/, then closes the peers either way.
	 */
	async run(t: TestContext, body: () => Promise<void>): Promise<void> {
		try {
			await body();
			expectNoCspViolations(this.#peers);
		} catch (error) {
			await this.#saveArtifacts(t.name).catch((saveError: unknown) => {
				console.error('could not save test artifacts:', saveError);
			});
			throw error;
		} finally {
			const peers = this.#peers;
			this.#peers = [];
			await Promise.all(peers.map((peer) => peer.close()));
		}
	}

	async #saveArtifacts(testName: string): Promise<void> {
		const dir = path.join(resultsDir, testName.replace(/[^\w.-]+/g, '_').slice(0, 120));
		await mkdir(dir, { recursive: true });
		for (const peer of this.#peers) {
			await peer.page
				.screenshot({ path: path.join(dir, `${peer.peerId}.png`), fullPage: true, timeout: 5000 })
				.catch(() => {});
			await writeFile(path.join(dir, `${peer.peerId}.console.log`), `${peer.console.join('\n')}\n`);
		}
		console.error(`artifacts of the failed test "${testName}" in ${path.relative(rootDir, dir)}/`);
	}

	async close(): Promise<void> {
		await this.browser.close().catch(() => {});
	}
}

/** One browser and one in-process server (with a freshly built app) for a test file. */
export class E2eEnvironment extends BrowserSession {
	readonly server: TestServer;

	/**
	 * `env`: settings for the server, as environment variables would give them
	 * (e.g. { RECORDINGS_DIR: dir }), on top of the test server's own.
	 * `numWorkers`: mediasoup workers of the server (default 1).
	 * `host`: the address pages open the server at (default 127.0.0.1; the
	 * server must listen there, see `env`).
	 * `chromiumArgs`: more command-line switches for Chromium.
	 */
	static async start({
		env = {},
		numWorkers = 1,
		host = '127.0.0.1',
		chromiumArgs = [],
	}: {
		env?: Record<string, string>;
		numWorkers?: number;
		host?: string;
		chromiumArgs?: readonly string[];
	} = {}): Promise<E2eEnvironment> {
		checkChromium();
		await buildAppOnce();
		const server = await startTestServer({ env, numWorkers });
		try {
			return new E2eEnvironment(await launchChromium(CHROMIUM_PATH, chromiumArgs), server, host);
		} catch (error) {
			await server.close();
			throw error;
		}
	}

	private constructor(browser: Browser, server: TestServer, host: string) {
		super(browser, `https://${host}:${server.port}`);
		this.server = server;
	}

	override async close(): Promise<void> {
		await super.close();
		await this.server.close();
	}
}

/**
 * Collects the context's CSP violations: every page reports its
 * securitypolicyviolation events (what was blocked, by which directive,
 * where) through a binding into the returned list.
 */
async function reportCspViolations(context: BrowserContext): Promise<string[]> {
	const violations: string[] = [];
	await context.exposeBinding('__reportCspViolation', (_source, violation: string) => {
		violations.push(violation);
	});
	await context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (event) => {
			const where = event.sourceFile ? ` at ${event.sourceFile}:${event.lineNumber}` : '';
			const page = window as unknown as { __reportCspViolation(violation: string): Promise<void> };
			void page.__reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'}${where}`);
		});
	});
	return violations;
}

function expectNoCspViolations(peers: readonly BrowserPeer[]): void {
	const found = peers.flatMap((peer) => peer.cspViolations.map((violation) => `${peer.peerId}: ${violation}`));
	if (found.length > 0) throw new Error(`the Content-Security-Policy blocked something:\n${found.join('\n')}`);
}

function checkChromium(): void {
	if (!existsSync(CHROMIUM_PATH)) {
		throw new Error(
			`no Chromium at ${CHROMIUM_PATH}: install the Debian package chromium (scripts/setup.sh --for-tests) or set CHROMIUM_PATH`,
		);
	}
}

/**
 * Debian's Chromium with a fake camera and microphone, as the tests run it;
 * `executablePath` e.g. one that runs in a network namespace, `extraArgs`
 * more switches.
 */
export function launchChromium(executablePath = CHROMIUM_PATH, extraArgs: readonly string[] = []): Promise<Browser> {
	return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * Opens `url`, once more if the browser aborted it with ERR_NETWORK_CHANGED:
 * a Chromium whose link just came back announces the change again 1-3 s
 * later (it debounces address changes) and aborts what was loading then
 * (seen in the reconnect bench, a page opened right after a link outage).
 */
async function gotoOnce(page: Page, url: string): Promise<void> {
	try {
		await page.goto(url);
	} catch (error) {
		if (!(error instanceof Error) || !error.message.includes('ERR_NETWORK_CHANGED')) throw error;
		await page.goto(url);
	}
}

/** A room id of its own per test, so tests never see each other's peers. */
export function uniqueRoomId(prefix: string): string {
	return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
