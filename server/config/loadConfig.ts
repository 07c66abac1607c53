// The one entry point to configuration: the file, then environment overrides,
// then the schema and every rule across settings, then the decisions that
// need the machine (which address to announce, which certificate to serve).
// Nothing starts listening before this has succeeded, so a bad setting never
// surfaces as a half-started server.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { errorMessage } from '../errorMessage.ts';
import { checkTerminalSocketPath, resolveTerminalSocketPath } from '../terminal/socketPath.ts';
import { type CertificateLog, ensureCertificate } from '../tls/certificates.ts';
import { absoluteTlsFiles, checkTlsFiles } from '../tls/configuredCertificate.ts';
import {
	type Config,
	configSchema,
	ENV_SETTINGS,
	type EnvSetting,
	type ResolvedConfig,
	type TlsFiles,
} from './Config.ts';
import {
	ConfigError,
	type ConfigProblem,
	type EnvValue,
	problemWithFix,
	type SettingSources,
	settingProblem,
} from './ConfigError.ts';
import { checkCluster, resolveCluster } from './cluster.ts';
import { checkNetwork, isAnyAddress, type NetworkInterfaces, resolveAnnouncedAddress } from './network.ts';
import { checkTurn, resolveTurn } from './turn.ts';

export interface LoadConfigOptions {
	/** Environment overrides; default process.env. */
	env?: NodeJS.ProcessEnv;
	/** Where config.ts / config.example.ts live and relative paths start; default the repository root. */
	rootDir?: string;
	/** Receives certificate details at debug level; the root logger does not exist yet here. */
	log?: CertificateLog;
	/** The machine's addresses and name; tests pass their own. */
	networkInterfaces?: NetworkInterfaces;
	hostname?: string;
	/** The process id in the default cluster node id; tests pass their own. */
	pid?: number;
}

const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../..');

export interface Settings {
	config: Config;
	/** Absolute project root that relative paths start from. */
	rootDir: string;
	/** Absolute path of the file the settings were read from (its name is in sources). */
	configFile: string;
	sources: SettingSources;
}

/** The validated configuration; throws ConfigError naming every setting to fix. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
	const { config, rootDir, configFile, sources } = await loadSettings(options);
	const interfaces = options.networkInterfaces ?? os.networkInterfaces();
	// Rules across settings; all are checked so the operator fixes everything in one go.
	const problems = [
		...checkNetwork(config, sources),
		...(config.https.tls ? checkTlsFiles(config.https.tls, rootDir, sources) : []),
		...checkTerminalSocketPath(config, rootDir, sources),
		...checkTurn(config, sources),
		...checkCluster(config, sources),
	];
	if (problems.length > 0) throw new ConfigError(problems);

	const notices: string[] = [];
	if (sources.file === 'config.example.ts') {
		notices.push('no config.ts: running with the defaults of config.example.ts (copy it to config.ts to change them)');
	}
	const announced = resolveAnnouncedAddress(config, sources, interfaces);
	if (announced.notice) notices.push(announced.notice);

	const certDir = path.resolve(rootDir, config.https.certDir);
	let tls: TlsFiles;
	if (config.https.tls) {
		tls = absoluteTlsFiles(config.https.tls, rootDir);
	} else {
		const certificate = await ensureCertificate({
			certDir,
			log: options.log ?? { debug: () => {} },
			extraNames: [announced.address, config.https.listenIp].filter((name) => !isAnyAddress(name)),
			httpsPort: config.https.listenPort,
			hostname: options.hostname ?? os.hostname(),
			networkInterfaces: interfaces,
		});
		tls = { cert: certificate.cert, key: certificate.key };
		if (certificate.message) notices.push(certificate.message);
	}

	return {
		...config,
		https: { ...config.https, tls, certDir, certificate: config.https.tls ? 'configured' : 'generated' },
		mediasoup: { ...config.mediasoup, announcedAddress: announced.address },
		recording: { directory: path.resolve(rootDir, config.recording.directory) },
		hls: { ...config.hls, directory: path.resolve(rootDir, config.hls.directory) },
		terminal: { socketPath: resolveTerminalSocketPath(config, rootDir) },
		turn: resolveTurn(config.turn),
		cluster: resolveCluster(config, announced.address, {
			hostname: options.hostname ?? os.hostname(),
			pid: options.pid ?? process.pid,
		}),
		configFile,
		notices,
	};
}

/**
 * The settings of the file with environment overrides, type-checked, without
 * touching the machine (no certificate generated, no address chosen): what
 * tools such as `npm run connect` need to find the running server.
 */
export async function loadSettings(options: Pick<LoadConfigOptions, 'env' | 'rootDir'> = {}): Promise<Settings> {
	const rootDir = path.resolve(options.rootDir ?? REPOSITORY_ROOT);
	const file = await readConfigFile(rootDir);
	const overridden = applyEnv(file.settings, options.env ?? process.env);
	const sources: SettingSources = { file: file.name, env: overridden.env };
	return { config: parse(overridden.settings, sources), rootDir, configFile: file.path, sources };
}

/**
 * The operator's config.ts when there is one (gitignored, copied from
 * config.example.ts), else the documented defaults in config.example.ts.
 * Node runs both directly (type stripping).
 */
async function readConfigFile(rootDir: string): Promise<{ name: string; path: string; settings: unknown }> {
	const name = ['config.ts', 'config.example.ts'].find((candidate) => existsSync(path.join(rootDir, candidate)));
	if (name === undefined) {
		throw fileError(
			`neither config.ts nor config.example.ts exists in ${rootDir}. Restore config.example.ts from git.`,
		);
	}
	const file = path.join(rootDir, name);
	let module: Record<string, unknown>;
	try {
		module = await import(pathToFileURL(file).href);
	} catch (error) {
		throw fileError(
			`${name} could not be loaded: ${errorMessage(error)}. Fix it (compare with config.example.ts)` +
				(name === 'config.ts' ? ', or delete it to run with the defaults of config.example.ts.' : '.'),
		);
	}
	if (typeof module.config !== 'object' || module.config === null) {
		throw fileError(`${name} does not export its settings. It must contain \`export const config: Config = { ... }\`.`);
	}
	return { name, path: file, settings: module.config };
}

function fileError(message: string): ConfigError {
	return new ConfigError([{ setting: 'config', envVar: undefined, message }]);
}

/**
 * The file's settings with the variables of ENV_SETTINGS applied, and which
 * settings they replaced. Applied before validation, to the still-unchecked
 * contents, so a bad value from either source is reported the same way. The
 * imported module is not modified: a second load starts from the file again.
 */
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };

function envValue(kind: EnvSetting['kind'], raw: string): string | number | boolean | string[] {
	if (kind === 'text') return raw.trim();
	// Anything else stays text, which the schema then refuses as not true or false.
	if (kind === 'boolean') return BOOLEAN_WORDS[raw.trim().toLowerCase()] ?? raw;
	if (kind === 'list') return raw.split(',').map((item) => item.trim());
	// Strict on purpose: Number() would accept '0x10', '1e3' and ' '.
	return /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
}

function applyEnv(settings: unknown, env: NodeJS.ProcessEnv): { settings: unknown; env: Map<string, EnvValue> } {
	const applied = new Map<string, EnvValue>();
	let result = settings;
	for (const { name, setting, kind } of ENV_SETTINGS) {
		const raw = env[name];
		// An empty variable counts as unset: compose files and shells produce
		// them for "not configured" (HTTPS_LISTEN_PORT=${PORT} with PORT unset).
		if (raw === undefined || raw.trim() === '') continue;
		applied.set(setting, { name, raw });
		result = withValue(result, setting.split('.'), envValue(kind, raw));
	}
	checkCertificatePair(settings, applied);
	return { settings: result, env: applied };
}

/** Only the objects along the path are copied. */
function withValue(target: unknown, path: readonly string[], value: unknown): unknown {
	const [head, ...rest] = path;
	if (head === undefined) return value;
	const base = isRecord(target) ? target : {};
	return { ...base, [head]: withValue(base[head], rest, value) };
}

/**
 * One of the two TLS variables without the other, while the file configures
 * no certificate, would leave a certificate without its key (or the reverse).
 */
function checkCertificatePair(settings: unknown, applied: ReadonlyMap<string, EnvValue>): void {
	const cert = applied.get('https.tls.cert');
	const key = applied.get('https.tls.key');
	if ((cert && key) || (!cert && !key)) return;
	if (isRecord(valueAt(settings, ['https', 'tls']))) return;
	const [set, missing] = cert ? [cert.name, 'HTTPS_CERT_PRIVKEY'] : [key?.name, 'HTTPS_CERT_FULLCHAIN'];
	const setting = cert ? 'https.tls.key' : 'https.tls.cert';
	throw new ConfigError([
		{
			setting,
			envVar: missing,
			message:
				`${set} is set but ${missing} (${setting}) is not, and the config file sets https.tls to null. ` +
				`Set both HTTPS_CERT_FULLCHAIN (certificate chain) and HTTPS_CERT_PRIVKEY (private key), ` +
				`or neither to use a generated self-signed certificate.`,
		},
	]);
}

/** The settings, checked and typed; throws a ConfigError listing every problem found. */
function parse(input: unknown, sources: SettingSources): Config {
	const result = configSchema.safeParse(input, {
		// Only issues the schema has no message for reach here (deep inside codecs).
		error: (issue) => (issue.code === 'invalid_type' ? `a value of type ${issue.expected}` : 'a valid value'),
	});
	if (result.success) return result.data;
	throw new ConfigError(result.error.issues.flatMap((issue) => toProblems(issue, input, sources)));
}

function toProblems(issue: z.core.$ZodIssue, input: unknown, sources: SettingSources): ConfigProblem[] {
	const path = issue.path.map(String);
	if (issue.code === 'unrecognized_keys') {
		return issue.keys.map((key) =>
			problemWithFix(
				sources,
				[...path, key].join('.'),
				undefined,
				'is not a setting',
				'Remove it or correct its spelling (config.example.ts lists every setting).',
			),
		);
	}
	const setting = path.join('.');
	const value = valueAt(input, issue.path);
	const problem = value === undefined && !sources.env.has(setting) ? 'is missing' : 'is not valid';
	return [settingProblem(sources, setting, value, problem, issue.message)];
}

/** The value at `path` in settings not yet validated. */
function valueAt(target: unknown, path: readonly PropertyKey[]): unknown {
	let current = target;
	for (const key of path) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = Reflect.get(current, key) as unknown;
	}
	return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
