// Totals of counters that mediasoup keeps per object (a consumer's packets
// sent, a producer's NACKs, a transport's bytes), summed over objects that
// come and go, so that they can be Prometheus counters: they never go down.
// Each object's latest reading is kept; the total of a group is the sum of
// the live objects' latest readings plus the last readings of those that
// closed. An object that closes between two readings loses what it counted
// since the last one (mediasoup has no stats of a closed object).
//
// The readings live in one Float64Array, a row per object, and a Map from the
// object's id to its row: a 200-peer room has 80,000 consumers, and an
// object per reading would cost several times the 56 bytes of a row.

const HEADER = 2; // group index, generation of the last reading

export class CumulativeTotals<Group extends string> {
	readonly #groups: readonly Group[];
	readonly #width: number;
	readonly #rowOf = new Map<string, number>();
	readonly #free: number[] = [];
	readonly #totals: Float64Array[];
	#rows: Float64Array;
	#used = 0;

	/** `width`: how many counters each object has. */
	constructor(groups: readonly Group[], width: number) {
		this.#groups = groups;
		this.#width = width;
		this.#totals = groups.map(() => new Float64Array(width));
		this.#rows = new Float64Array(64 * (HEADER + width));
	}

	/** Objects with a reading kept (live at the last reading). */
	get size(): number {
		return this.#rowOf.size;
	}

	/**
	 * The object's counters now. A counter that reads lower than before (it
	 * should not) keeps its earlier value: the total must not go down.
	 */
	record(id: string, group: Group, generation: number, values: ArrayLike<number>): void {
		const groupIndex = this.#groups.indexOf(group);
		if (groupIndex < 0) throw new Error(`unknown group "${group}"`);
		let row = this.#rowOf.get(id);
		if (row === undefined) {
			row = this.#allocate();
			this.#rowOf.set(id, row);
			this.#rows.fill(0, row, row + HEADER + this.#width);
		}
		const rows = this.#rows;
		rows[row] = groupIndex;
		rows[row + 1] = generation;
		const total = this.#totals[groupIndex] as Float64Array;
		for (let k = 0; k < this.#width; k++) {
			const value = values[k] ?? 0;
			const at = row + HEADER + k;
			const before = rows[at] as number;
			if (value > before) {
				total[k] = (total[k] as number) + (value - before);
				rows[at] = value;
			}
		}
	}

	/** Forgets the objects not read in `generation` (they closed): their last readings stay in the totals. */
	retireOthers(generation: number): void {
		for (const [id, row] of this.#rowOf) {
			if (this.#rows[row + 1] !== generation) {
				this.#rowOf.delete(id);
				this.#free.push(row);
			}
		}
	}

	/** The group's totals, one per counter. */
	totals(group: Group): readonly number[] {
		const index = this.#groups.indexOf(group);
		return index < 0 ? [] : [...(this.#totals[index] as Float64Array)];
	}

	#allocate(): number {
		const free = this.#free.pop();
		if (free !== undefined) return free;
		const stride = HEADER + this.#width;
		if ((this.#used + 1) * stride > this.#rows.length) {
			const grown = new Float64Array(this.#rows.length * 2);
			grown.set(this.#rows);
			this.#rows = grown;
		}
		return this.#used++ * stride;
	}
}
