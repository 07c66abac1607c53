// Build tasks of the browser app (gulp 5 loads this file through
// esbuild-register). Run them as `node_modules/.bin/gulp <task>`:
//
//   build      bundle app/ into dist/app/ (development, with sourcemaps;
//              `--production` or NODE_ENV=production: minified, no maps),
//              with the stamp `npm start` checks (tools/ensureApp.ts)
//   clean      remove dist/
//   typecheck  tsc over the whole project
//   lint       biome check
//   watch      build, then rebuild on every change under app/, protocol/ or lifecycle/;
//              the running server serves dist/app/, so a reload shows it
//   default    build
import { spawn } from 'node:child_process';
import path from 'node:path';
import gulp from 'gulp';
import { buildApp, cleanApp } from './tools/appBuild.ts';

// gulp runs tasks with the gulpfile's folder as the working directory.
const rootDir = process.cwd();
const bin = (name: string) => path.join(rootDir, 'node_modules', '.bin', name);

function isProduction(): boolean {
	return process.argv.includes('--production') || process.env.NODE_ENV === 'production';
}

/** Runs a project tool, failing the task with its exit code. */
function run(command: string, args: string[]): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: rootDir, stdio: 'inherit' });
		child.on('error', reject);
		child.on('exit', (code) =>
			code === 0 ? resolve() : reject(new Error(`${path.basename(command)} exited with code ${code}`)),
		);
	});
}

export async function build(): Promise<void> {
	const production = isProduction();
	const started = Date.now();
	await buildApp({ rootDir, production });
	console.log(`app built into dist/app (${production ? 'production' : 'development'}) in ${Date.now() - started} ms`);
}

export function clean(): Promise<void> {
	return cleanApp(rootDir);
}

export function typecheck(): Promise<void> {
	return run(bin('tsc'), ['-p', 'tsconfig.json']);
}

export function lint(): Promise<void> {
	return run(bin('biome'), ['check', '.']);
}

/**
 * Runs until interrupted (its promise never settles, which tells gulp the
 * task is still running); a failed rebuild is reported and the next change
 * retries.
 */
export async function watch(): Promise<void> {
	const rebuild = () =>
		build().catch((error: unknown) => {
			console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
		});
	await rebuild();
	gulp.watch(['app/**/*', 'protocol/**/*.ts', 'lifecycle/**/*.ts'], { ignoreInitial: true }, rebuild);
	await new Promise<never>(() => {});
}

export default build;
