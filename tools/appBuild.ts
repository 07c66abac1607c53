// How the browser app is bundled: esbuild turns app/main.tsx (and the CSS it
// imports) into dist/app/, next to a copy of index.html and the static assets.
// The gulpfile and the end-to-end tests share this module, so the tests always
// run against a bundle made exactly the way `gulp build` makes it.
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

export interface AppBuildOptions {
	/** Repository root (the folder holding app/ and dist/). */
	rootDir: string;
	/** Minified, no sourcemaps, NODE_ENV=production for React. */
	production: boolean;
}

export function appPaths(rootDir: string) {
	return {
		sourceDir: path.join(rootDir, 'app'),
		entry: path.join(rootDir, 'app', 'main.tsx'),
		// Its own entry point (not imported by main.tsx), so TypeScript never sees CSS.
		styles: path.join(rootDir, 'app', 'styles', 'main.css'),
		// The end-to-end encryption worker, loaded by the page as e2eeWorker.js.
		e2eeWorker: path.join(rootDir, 'app', 'e2ee', 'e2eeWorker.ts'),
		html: path.join(rootDir, 'app', 'index.html'),
		staticDir: path.join(rootDir, 'app', 'static'),
		outDir: path.join(rootDir, 'dist', 'app'),
	};
}

/** The esbuild options for the app; `outdir` is where the bundle goes. */
export function esbuildOptions({ production }: { production: boolean }, outdir: string): esbuild.BuildOptions {
	return {
		bundle: true,
		outdir,
		entryNames: '[name]',
		// platform browser makes esbuild honour package.json "browser" fields:
		// protoo-client's `websocket` dependency becomes the native WebSocket.
		platform: 'browser',
		format: 'esm',
		target: ['chrome120', 'firefox120', 'safari17'],
		jsx: 'automatic',
		minify: production,
		sourcemap: production ? false : 'linked',
		define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
		logLevel: 'silent',
		metafile: false,
	};
}

/** Copies index.html and app/static/* into the output folder. */
async function copyAssets(rootDir: string, outDir: string): Promise<void> {
	const { html, staticDir } = appPaths(rootDir);
	await cp(html, path.join(outDir, 'index.html'));
	await cp(staticDir, outDir, { recursive: true });
}

/**
 * Builds into a fresh sibling folder and swaps it in only when everything
 * succeeded: a failed build throws and never leaves a half-written or stale
 * bundle that looks like a good one, and a server serving dist/app never sees
 * a partly written folder.
 */
export async function buildApp({ rootDir, production }: AppBuildOptions): Promise<void> {
	const { entry, styles, e2eeWorker, outDir } = appPaths(rootDir);
	const stagingDir = `${outDir}.staging-${process.pid}-${Date.now()}`;
	try {
		await mkdir(stagingDir, { recursive: true });
		await esbuild.build({ ...esbuildOptions({ production }, stagingDir), entryPoints: [entry, styles, e2eeWorker] });
		await copyAssets(rootDir, stagingDir);
	} catch (error) {
		await rm(stagingDir, { recursive: true, force: true });
		// A failed build also removes the previous bundle, so nothing stale is served.
		await rm(outDir, { recursive: true, force: true });
		throw error;
	}
	await swapIn(stagingDir, outDir);
}

/**
 * Replaces outDir by the staged build. Two builds finishing together (test
 * files run in parallel) may race between the removal and the rename; the
 * loser retries, and either complete build is a good one.
 */
async function swapIn(stagingDir: string, outDir: string): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		await rm(outDir, { recursive: true, force: true });
		try {
			await rename(stagingDir, outDir);
			return;
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (attempt >= 5 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) {
				await rm(stagingDir, { recursive: true, force: true });
				throw error;
			}
		}
	}
}

export async function cleanApp(rootDir: string): Promise<void> {
	await rm(path.join(rootDir, 'dist'), { recursive: true, force: true });
}
