// The certificate and key the operator configured. Checked at startup so a
// typo in a path or a renewed certificate paired with the old key is reported
// here, by setting name, rather than as an opaque TLS error on the first
// connection.
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TlsFiles } from '../config/Config.ts';
import { type ConfigProblem, problemWithFix, type SettingSources, settingTarget } from '../config/ConfigError.ts';

/** Relative paths are relative to the project root, whatever the working directory. */
export function absoluteTlsFiles(tls: TlsFiles, rootDir: string): TlsFiles {
	return { cert: path.resolve(rootDir, tls.cert), key: path.resolve(rootDir, tls.key) };
}

export function checkTlsFiles(tls: TlsFiles, rootDir: string, sources: SettingSources): ConfigProblem[] {
	const files = absoluteTlsFiles(tls, rootDir);
	const cert = readPem(files.cert, 'https.tls.cert', tls.cert, sources);
	const key = readPem(files.key, 'https.tls.key', tls.key, sources);
	if (typeof cert !== 'string' || typeof key !== 'string') {
		return [cert, key].filter((p): p is ConfigProblem => typeof p !== 'string');
	}

	const certificate = parse(() => new X509Certificate(cert));
	if (!certificate) return [fileProblem(sources, 'https.tls.cert', tls.cert, 'is not a PEM certificate')];
	const privateKey = parse(() => createPrivateKey(key));
	if (!privateKey) {
		return [
			fileProblem(sources, 'https.tls.key', tls.key, 'is not a PEM private key (or is protected by a passphrase)'),
		];
	}
	if (!matches(certificate, privateKey)) {
		return [fileProblem(sources, 'https.tls.key', tls.key, `is not the private key of ${files.cert}`)];
	}
	return [];
}

function readPem(file: string, setting: string, configured: string, sources: SettingSources): string | ConfigProblem {
	try {
		return readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const reason = code === 'ENOENT' ? `does not exist (${file})` : `cannot be read (${file}: ${code ?? error})`;
		return fileProblem(sources, setting, configured, reason);
	}
}

function fileProblem(sources: SettingSources, setting: string, value: string, problem: string): ConfigProblem {
	const what =
		setting === 'https.tls.cert' ? 'your certificate chain (fullchain.pem)' : 'its private key (privkey.pem)';
	return problemWithFix(
		sources,
		setting,
		value,
		problem,
		`Set ${settingTarget(sources, setting)} to the path of ${what}, or set https.tls to null ` +
			'(and unset HTTPS_CERT_FULLCHAIN / HTTPS_CERT_PRIVKEY) to use a generated self-signed certificate.',
	);
}

function parse<T>(read: () => T): T | undefined {
	try {
		return read();
	} catch {
		return undefined;
	}
}

function matches(certificate: X509Certificate, privateKey: KeyObject): boolean {
	try {
		return certificate.checkPrivateKey(privateKey);
	} catch {
		return false;
	}
}
