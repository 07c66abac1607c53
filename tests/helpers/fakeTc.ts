// A `tc` of our own first on PATH, so tests of the network throttle requests
// never touch the machine's loopback (no netem is ever applied): it logs its
// arguments and succeeds, or fails like a real tc. The test server runs in the
// test's own process, so the server's execFile('tc') finds this one.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** PATH as the test process started with it: what restorePath() puts back. */
const realPath = process.env.PATH;

/** Installs the fake tc in `dir` (first on PATH) until restorePath(); `failure`: its stderr, exit 2. */
export function fakeTc(dir: string, failure?: string): { calls: () => string[] } {
	const log = path.join(dir, 'tc.log');
	writeFileSync(log, '');
	const body = failure ? `echo '${failure}' >&2\nexit 2` : 'exit 0';
	writeFileSync(path.join(dir, 'tc'), `#!/bin/sh\necho "$*" >> ${log}\n${body}\n`, { mode: 0o755 });
	process.env.PATH = `${dir}${path.delimiter}${realPath}`;
	return { calls: () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

export function restorePath(): void {
	process.env.PATH = realPath;
}
