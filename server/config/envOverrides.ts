// Applies the environment variables of envSettings.ts on top of the file's
// settings. Runs before validation, on the still-unchecked file contents, so
// a bad value from either source is reported the same way.
import { ConfigError } from './ConfigError.ts';
import { ENV_SETTINGS, type EnvSetting } from './envSettings.ts';
import { getPath, isRecord, withValue } from './objectPath.ts';
import type { EnvValue } from './settingSources.ts';

export interface Overridden {
	/** The file's settings with the overrides applied (the input is not modified). */
	settings: unknown;
	/** Which settings the environment replaced, by dotted path. */
	env: Map<string, EnvValue>;
}

export function applyEnvOverrides(settings: unknown, env: NodeJS.ProcessEnv): Overridden {
	const applied = new Map<string, EnvValue>();
	let result = settings;
	for (const envSetting of ENV_SETTINGS) {
		const raw = env[envSetting.name];
		// An empty variable counts as unset: compose files and shells produce
		// them for "not configured" (HTTPS_LISTEN_PORT=${PORT} with PORT unset).
		if (raw === undefined || raw.trim() === '') continue;
		applied.set(envSetting.setting, { name: envSetting.name, raw });
		result = withValue(result, envSetting.setting.split('.'), convert(envSetting, raw));
	}
	checkCertificatePair(settings, applied);
	return { settings: result, env: applied };
}

function convert(envSetting: EnvSetting, raw: string): string | number | string[] {
	if (envSetting.kind === 'string') return raw.trim();
	if (envSetting.kind === 'list') return raw.split(',').map((item) => item.trim());
	// Strict on purpose: Number() would accept '0x10', '1e3' and ' '.
	return /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
}

/**
 * One of the two TLS variables without the other, while the file configures
 * no certificate, would leave a certificate without its key (or the reverse).
 */
function checkCertificatePair(settings: unknown, applied: Map<string, EnvValue>): void {
	const cert = applied.get('https.tls.cert');
	const key = applied.get('https.tls.key');
	if ((cert && key) || (!cert && !key)) return;
	if (isRecord(getPath(settings, ['https', 'tls']))) return;
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
