// How the server's own Node process (not the workers) keeps its memory: V8's
// garbage collector settings. By itself, V8 sizes its heap for throughput on a
// machine with much memory: on a 24 GB machine the young generation grows to
// 128 MB, and the old generation may grow to four times what was live at its
// last full collection before it is collected again. A burst of joins then
// leaves hundreds of MB of garbage in the process until the room goes quiet
// (bench/HISTORY.md, Join, item 11). These settings bound that peak; how tight
// is a trade: each full collection makes the joins of that moment wait, so
// the growth allowed is set for the slowest joins first (bench/RESULTS.md, Join).
import { setFlagsFromString } from 'node:v8';

/**
 * Node's command-line flags for the server. The young generation's size is
 * fixed when V8 starts, so it cannot be a setting the server applies itself:
 * `npm start` (package.json) and the bench pass these, and a test checks both.
 * 16 MB semi-spaces make a young generation of at most 32 MB instead of 128.
 */
export const SERVER_NODE_ARGS: readonly string[] = ['--max-semi-space-size=16'];

export interface NodeHeapSettings {
	/** Full collection once the old generation grew this many percent over what was live; 0: V8 decides. */
	growingPercent: number;
	/** V8's allocation-site pretenuring (allocating straight into the old generation). */
	pretenuring: boolean;
}

/**
 * Applies the settings V8 reads at each collection, so they may change after
 * it started: the growth allowed before the next full collection, and
 * whether allocation sites may be pretenured.
 */
export function applyNodeHeapSettings(settings: NodeHeapSettings): void {
	// 0 is V8's own "no fixed factor": it then picks one between 1.1 and 4.
	setFlagsFromString(`--heap-growing-percent=${settings.growingPercent}`);
	setFlagsFromString(settings.pretenuring ? '--allocation-site-pretenuring' : '--no-allocation-site-pretenuring');
}

/**
 * The flags of SERVER_NODE_ARGS this process did not start with (from the
 * command line or NODE_OPTIONS): someone ran `node server/main.ts` by hand.
 */
export function missingNodeArgs(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
	const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)]);
	return SERVER_NODE_ARGS.filter((arg) => !given.has(arg));
}
