// The garbage collections of the server under test, as Node's --trace-gc
// prints them, each stamped with the bench's clock when its line arrives, so
// a slow join can be matched with the pauses that happened during it. A full
// collection (Mark-Compact) stops the server's one thread for tens to hundreds
// of milliseconds in a big room; young-generation ones (Scavenge) for a few.

/**
 * One collection: when its line arrived (Date.now()), what kind, how long its
 * final pause stopped the thread, and, for a full one, how long the thread
 * spent in the incremental marking steps before it (V8 spreads marking over
 * many small steps between tasks; they cost the thread as much as a pause).
 */
export interface GcEvent {
	at: number;
	kind: 'scavenge' | 'full';
	pauseMs: number;
	markingMs: number;
}

// `[pid:0x..]    1234 ms: Mark-Compact 12.1 (14.0) -> 8.2 (13.5) MB, pooled: 0 MB, 3.45 / 0.00 ms  (...)`
const TRACE_LINE =
	/\d+ ms: (Scavenge|Minor Mark-Sweep|Mark-Compact|Mark-Sweep)\b.*? MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;
// `(+ 45.6 ms in 120 steps since start of marking, ...)`
const MARKING_STEPS = /\(\+ ([\d.]+) ms in \d+ steps since start of marking/;

/** A --trace-gc line as an event, or undefined for any other line. */
export function parseGcLine(line: string, at: number): GcEvent | undefined {
	const match = TRACE_LINE.exec(line);
	if (!match) return undefined;
	const kind = match[1] === 'Scavenge' || match[1] === 'Minor Mark-Sweep' ? 'scavenge' : 'full';
	const steps = MARKING_STEPS.exec(line);
	return { at, kind, pauseMs: Number(match[2]), markingMs: steps ? Number(steps[1]) : 0 };
}

export class GcTrace {
	readonly #events: GcEvent[] = [];

	/** Feed it every line the server prints. */
	readonly onLine = (line: string): void => {
		const event = parseGcLine(line, Date.now());
		if (event) this.#events.push(event);
	};

	/**
	 * What the server's collections cost between two moments of the bench's
	 * clock: every pause, and of the full collections their pauses and marking.
	 */
	between(
		from: number,
		to: number,
	): { gcPauseMs: number; fullGcs: number; fullGcPauseMs: number; fullGcMarkingMs: number } {
		let gcPauseMs = 0;
		let fullGcs = 0;
		let fullGcPauseMs = 0;
		let fullGcMarkingMs = 0;
		for (const event of this.#events) {
			if (event.at < from || event.at > to) continue;
			gcPauseMs += event.pauseMs;
			if (event.kind === 'full') {
				fullGcs++;
				fullGcPauseMs += event.pauseMs;
				fullGcMarkingMs += event.markingMs;
			}
		}
		return {
			gcPauseMs: round(gcPauseMs),
			fullGcs,
			fullGcPauseMs: round(fullGcPauseMs),
			fullGcMarkingMs: round(fullGcMarkingMs),
		};
	}
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}
