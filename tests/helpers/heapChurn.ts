// A child process for tests/server/nodeHeap.test.ts: allocates like a burst of
// joins does (objects that live for a while, then die, beside a live set that
// keeps growing) and prints the largest young and old generations V8 had.
// With `tuned` it first applies config.example.ts's nodeHeap settings, as
// server/main.ts does.
import { getHeapSpaceStatistics } from 'node:v8';
import { config } from '../../config.example.ts';
import { applyNodeHeapSettings } from '../../server/nodeHeap.ts';

if (process.argv[2] === 'tuned') applyNodeHeapSettings(config.nodeHeap);

const MB = 2 ** 20;
// Each object lives while 800,000 others are allocated: long enough to be
// promoted to the old generation, where only a full collection frees it.
const recent: unknown[] = new Array(800_000);
const kept: unknown[] = [];
let youngMb = 0;
let oldMb = 0;
for (let i = 0; i < 8_000_000; i++) {
	recent[i % recent.length] = { i, name: `x${i & 1023}`, pair: [i, i + 1] };
	if (i % 40 === 0) kept.push({ i, pair: [i] });
	if (i % 20_000 === 0) {
		for (const space of getHeapSpaceStatistics()) {
			if (space.space_name === 'new_space') youngMb = Math.max(youngMb, space.space_size / MB);
			if (space.space_name === 'old_space') oldMb = Math.max(oldMb, space.space_size / MB);
		}
	}
}
console.log(JSON.stringify({ youngMb, oldMb, kept: kept.length }));
