// The part of gulp 5's API the gulpfile uses (gulp ships no types and
// @types/gulp is not installed): tasks are exported functions, and watch.
declare module 'gulp' {
	interface WatchOptions {
		ignoreInitial?: boolean;
		delay?: number;
	}
	interface Gulp {
		watch(globs: string | string[], options: WatchOptions, task: () => Promise<void>): unknown;
	}
	const gulp: Gulp;
	export default gulp;
}
