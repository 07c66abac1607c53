// How the browser app is bundled: esbuild turns app/main.tsx (and the CSS it
// imports) into dist/app/, next to a copy of index.html and the static assets.
// The gulpfile, `npm start`'s set-up (tools/ensureApp.ts) and the end-to-end
// tests share this module, so the tests always run against a bundle made
// exactly the way `gulp build` makes it.
//
// Every build leaves a stamp in dist/app: the mode and a hash of everything
// the bundle is made from. ensureApp.ts compares it with the sources to decide
// whether `npm start` must rebuild, so a stale bundle, or the development
// bundle the tests leave, is never served as the production one.
import { createHash } from 'node:crypto';
import { access, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

/** The build stamp's name in dist/app (a dotfile, so the server does not serve it). */
const STAMP_NAME = '.build-stamp';

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
		stamp: path.join(rootDir, 'dist', 'app', STAMP_NAME),
	};
}

/** What a build's stamp records. */
export interface AppStamp {
	mode: 'production' | 'development';
	/** appSourceHash() when the build started. */
	sources: string;
}

/**
 * Folders and files the bundle is made from, relative to the root: the app
 * (which imports only protocol/, lifecycle/ and packages), this build recipe, the pinned
 * package versions, and tsconfig.json (esbuild reads some of its options).
 */
const SOURCES = ['app', 'protocol', 'lifecycle', 'tools/appBuild.ts', 'package-lock.json', 'tsconfig.json'];

/** A hash of every file in SOURCES, names and contents, in a stable order. */
export async function appSourceHash(rootDir: string): Promise<string> {
	const files: string[] = [];
	for (const source of SOURCES) {
		const info = await stat(path.join(rootDir, source)).catch(() => undefined);
		if (info?.isFile()) files.push(source);
		if (!info?.isDirectory()) continue;
		for (const entry of await readdir(path.join(rootDir, source), { recursive: true, withFileTypes: true })) {
			if (entry.isFile()) files.push(path.relative(rootDir, path.join(entry.parentPath, entry.name)));
		}
	}
	files.sort();
	const hash = createHash('sha256');
	for (const file of files) {
		hash.update(`${file}\0`);
		hash.update(await readFile(path.join(rootDir, file)));
		hash.update('\0');
	}
	return hash.digest('hex');
}

/** The stamp of the bundle in dist/app, or undefined when there is none (or no app). */
export async function readAppStamp(rootDir: string): Promise<AppStamp | undefined> {
	const { stamp, outDir } = appPaths(rootDir);
	try {
		await access(path.join(outDir, 'index.html'));
		const parsed: unknown = JSON.parse(await readFile(stamp, 'utf8'));
		if (typeof parsed !== 'object' || parsed === null) return undefined;
		const { mode, sources } = parsed as Record<string, unknown>;
		if ((mode !== 'production' && mode !== 'development') || typeof sources !== 'string') return undefined;
		return { mode, sources };
	} catch {
		return undefined;
	}
}

/** Whether dist/app holds a bundle of this mode built from the current sources. */
export async function appIsUpToDate({ rootDir, production }: AppBuildOptions): Promise<boolean> {
	const stamp = await readAppStamp(rootDir);
	if (stamp === undefined || stamp.mode !== modeName(production)) return false;
	return stamp.sources === (await appSourceHash(rootDir));
}

/**
 * Builds the app only when dist/app has none at all, whatever the mode of one
 * that is there: for what starts server/main.ts (which refuses to start
 * without an app) but serves no pages itself, such as the bench.
 */
export async function buildAppIfMissing(options: AppBuildOptions): Promise<void> {
	const index = path.join(appPaths(options.rootDir).outDir, 'index.html');
	const present = await access(index).then(
		() => true,
		() => false,
	);
	if (!present) await buildApp(options);
}

function modeName(production: boolean): AppStamp['mode'] {
	return production ? 'production' : 'development';
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
		// Hashed before esbuild reads the sources: a file changed during the
		// build makes the stamp stale, and the next check rebuilds.
		const stamp: AppStamp = { mode: modeName(production), sources: await appSourceHash(rootDir) };
		await mkdir(stagingDir, { recursive: true });
		await esbuild.build({ ...esbuildOptions({ production }, stagingDir), entryPoints: [entry, styles, e2eeWorker] });
		await copyAssets(rootDir, stagingDir);
		await writeFile(path.join(stagingDir, STAMP_NAME), `${JSON.stringify(stamp)}\n`);
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
