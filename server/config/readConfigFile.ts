// Finds and imports the settings file: the operator's config.ts when there is
// one (gitignored, copied from config.example.ts), else the documented
// defaults in config.example.ts. Node runs both directly (type stripping).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../errorMessage.ts';
import { ConfigError } from './ConfigError.ts';

export interface ConfigFile {
	/** Absolute path. */
	path: string;
	/** 'config.ts' or 'config.example.ts', as error messages call it. */
	name: string;
	/** The exported `config`, not yet validated. */
	settings: unknown;
}

export async function readConfigFile(rootDir: string): Promise<ConfigFile> {
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
		const reason = errorMessage(error);
		throw fileError(
			`${name} could not be loaded: ${reason}. Fix it (compare with config.example.ts)` +
				(name === 'config.ts' ? ', or delete it to run with the defaults of config.example.ts.' : '.'),
		);
	}
	if (typeof module.config !== 'object' || module.config === null) {
		throw fileError(`${name} does not export its settings. It must contain \`export const config: Config = { ... }\`.`);
	}
	return { path: file, name, settings: module.config };
}

function fileError(message: string): ConfigError {
	return new ConfigError([{ setting: 'config', envVar: undefined, message }]);
}
