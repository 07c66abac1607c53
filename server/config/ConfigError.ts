// A configuration the server cannot start with. Each problem names the
// setting, the environment variable that overrides it, and what to change,
// so the operator can fix it from the message alone.

export interface ConfigProblem {
	/** Dotted path in config.ts, e.g. 'mediasoup.minPort'. */
	setting: string;
	/** The environment variable that overrides the setting, if there is one. */
	envVar: string | undefined;
	/** What is wrong and what to change. */
	message: string;
}

export class ConfigError extends Error {
	readonly problems: ConfigProblem[];

	constructor(problems: ConfigProblem[]) {
		super(formatProblems(problems));
		this.name = 'ConfigError';
		this.problems = problems;
	}

	/** The first problem's setting: enough for callers that only handle one. */
	get setting(): string {
		return this.problems[0]?.setting ?? '';
	}
}

function formatProblems(problems: ConfigProblem[]): string {
	if (problems.length === 1) return problems[0]?.message ?? '';
	return [`${problems.length} configuration problems:`, ...problems.map((p) => `- ${p.message}`)].join('\n');
}
