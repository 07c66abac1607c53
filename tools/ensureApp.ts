// `npm start`'s last set-up step (scripts/setup.sh): makes sure dist/app holds
// the production build of the current sources, and builds it (esbuild, about
// half a second) when it does not: no app yet, sources changed since, or the
// development bundle that `gulp build` or the end-to-end tests leave. The
// build's stamp (tools/appBuild.ts) is what tells. Prints one line either way.
//
//   node tools/ensureApp.ts
import path from 'node:path';
import { appIsUpToDate, buildApp } from './appBuild.ts';

const rootDir = path.resolve(import.meta.dirname, '..');
const production = true;

if (process.argv.length > 2) {
	console.error('usage: node tools/ensureApp.ts');
	process.exit(2);
}

try {
	if (await appIsUpToDate({ rootDir, production })) {
		console.error('[setup] app: up to date');
	} else {
		const started = Date.now();
		await buildApp({ rootDir, production });
		console.error(`[setup] app: built into dist/app (production) in ${Date.now() - started} ms`);
	}
} catch (error) {
	console.error(
		`[setup] error: the browser app does not build: ${error instanceof Error ? error.message : String(error)}`,
	);
	process.exit(1);
}
