// A configuration the server cannot start with. Each problem names the
// setting, the environment variable that overrides it, and what to change, in
// the terms the operator used (the variable they set, or the line they wrote
// in config.ts), so the operator can fix it from the message alone.
import { envVarFor, isSecretSetting } from './Config.ts';

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

export interface EnvValue {
	name: string;
	/** The string exactly as found in the environment. */
	raw: string;
}

/** Where each setting's value came from. */
export interface SettingSources {
	/** File name as the operator knows it: 'config.ts' or 'config.example.ts'. */
	file: string;
	/** Settings overridden from the environment, by dotted path. */
	env: ReadonlyMap<string, EnvValue>;
}

/** "MEDIASOUP_MIN_PORT=abc (mediasoup.minPort)" or "mediasoup.minPort = 70000 in config.ts". */
export function describeSetting(sources: SettingSources, setting: string, value: unknown): string {
	const env = sources.env.get(setting);
	const secret = isSecretSetting(setting);
	if (env) return `${env.name}=${secret ? '(hidden)' : env.raw} (${setting})`;
	if (value === undefined) return `${setting} in ${sources.file}`;
	return `${setting} = ${secret ? '(hidden)' : formatValue(value)} in ${sources.file}`;
}

/**
 * What the operator should edit: the variable they set, else config.ts
 * (mentioning the variable). Always config.ts, even when the value came from
 * config.example.ts: that file holds the defaults and is not to be edited.
 */
export function settingTarget(sources: SettingSources, setting: string): string {
	const env = sources.env.get(setting);
	if (env) return env.name;
	const envVar = envVarFor(setting);
	return envVar ? `${setting} in config.ts (or ${envVar})` : `${setting} in config.ts`;
}

/** A problem with one setting, phrased "<setting> <problem>. Set <target> to <want>." */
export function settingProblem(
	sources: SettingSources,
	setting: string,
	value: unknown,
	problem: string,
	want: string,
): ConfigProblem {
	return problemWithFix(sources, setting, value, problem, `Set ${settingTarget(sources, setting)} to ${want}.`);
}

/** A problem with one setting whose remedy does not fit "Set X to Y". */
export function problemWithFix(
	sources: SettingSources,
	setting: string,
	value: unknown,
	problem: string,
	fix: string,
): ConfigProblem {
	return {
		setting,
		envVar: envVarFor(setting),
		message: `${describeSetting(sources, setting, value)} ${problem}. ${fix}`,
	};
}

function formatValue(value: unknown): string {
	const text = typeof value === 'string' ? JSON.stringify(value) : safeStringify(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function safeStringify(value: unknown): string {
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}
