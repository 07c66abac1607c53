// The one entry point to configuration: file, then environment overrides,
// then every check, then the decisions that need the machine (which address
// to announce, which certificate to serve). Nothing starts listening before
// this has succeeded, so a bad setting never surfaces as a half-started server.
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { checkTerminalSocketPath, resolveTerminalSocketPath } from '../terminal/socketPath.ts';
import { type CertificateLog, ensureCertificate } from '../tls/certificates.ts';
import { absoluteTlsFiles, checkTlsFiles } from '../tls/configuredCertificate.ts';
import type { NetworkInterfaces } from './addresses.ts';
import { isAnyAddress } from './addresses.ts';
import { checkAnnouncedAddress, resolveAnnouncedAddress } from './announcedAddress.ts';
import { type Config, configSchema, type ResolvedConfig, type TlsFiles } from './Config.ts';
import { ConfigError, type ConfigProblem } from './ConfigError.ts';
import { checkPorts } from './checkPorts.ts';
import { applyEnvOverrides } from './envOverrides.ts';
import { getPath } from './objectPath.ts';
import { type ConfigFile, readConfigFile } from './readConfigFile.ts';
import { problemWithFix, type SettingSources, settingProblem } from './settingSources.ts';

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
}

const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../..');

export interface Settings {
	config: Config;
	/** Absolute project root that relative paths start from. */
	rootDir: string;
	file: ConfigFile;
	sources: SettingSources;
}

/**
 * The settings of the file with environment overrides, type-checked, without
 * touching the machine (no certificate generated, no address chosen): what
 * tools such as `npm run connect` need to find the running server.
 */
export async function loadSettings(options: Pick<LoadConfigOptions, 'env' | 'rootDir'> = {}): Promise<Settings> {
	const rootDir = path.resolve(options.rootDir ?? REPOSITORY_ROOT);
	const file = await readConfigFile(rootDir);
	const overridden = applyEnvOverrides(file.settings, options.env ?? process.env);
	const sources: SettingSources = { file: file.name, env: overridden.env };
	return { config: parse(overridden.settings, sources), rootDir, file, sources };
}

/** The validated configuration; throws ConfigError naming every setting to fix. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
	const { config, rootDir, file, sources } = await loadSettings(options);
	const interfaces = options.networkInterfaces ?? os.networkInterfaces();
	checkConsistency(config, rootDir, sources);

	const notices: string[] = [];
	if (file.name === 'config.example.ts') {
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
		https: { ...config.https, tls, certDir },
		mediasoup: { ...config.mediasoup, announcedAddress: announced.address },
		recording: { directory: path.resolve(rootDir, config.recording.directory) },
		terminal: { socketPath: resolveTerminalSocketPath(config, rootDir) },
		configFile: file.path,
		notices,
	};
}

/** Rules across settings; all are checked so the operator fixes everything in one go. */
function checkConsistency(config: Config, rootDir: string, sources: SettingSources): void {
	const problems = [
		...checkPorts(config, sources),
		...checkAnnouncedAddress(config, sources),
		...(config.https.tls ? checkTlsFiles(config.https.tls, rootDir, sources) : []),
		...checkTerminalSocketPath(config, rootDir, sources),
	];
	if (problems.length > 0) throw new ConfigError(problems);
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
	const value = getPath(input, issue.path);
	const problem = value === undefined && !sources.env.has(setting) ? 'is missing' : 'is not valid';
	return [settingProblem(sources, setting, value, problem, issue.message)];
}
