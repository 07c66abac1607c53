// The self-signed certificate used when the operator configures none, so a
// fresh checkout serves HTTPS (browsers only allow camera and microphone in
// secure contexts). Generated once into certDir and reused afterwards: a new
// certificate would make every browser ask the user to accept it again.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { describeNames, type MachineNames, machineNames } from './machineNames.ts';

/** Where progress details go; pino loggers fit. */
export interface CertificateLog {
	debug(message: string): void;
}

export interface EnsureCertificateOptions {
	/** Absolute directory for cert.pem and key.pem; created if missing. */
	certDir: string;
	log: CertificateLog;
	/** Names clients may use besides this machine's own, e.g. the announced address. */
	extraNames?: readonly string[];
	/** Only for the instructions in the message. */
	httpsPort?: number;
	/** The machine's identity; tests pass their own. */
	hostname?: string;
	networkInterfaces?: ReturnType<typeof os.networkInterfaces>;
}

export interface EnsuredCertificate {
	/** Absolute path of the PEM certificate. */
	cert: string;
	/** Absolute path of the PEM private key (mode 0600). */
	key: string;
	/** True when this call wrote a new certificate. */
	generated: boolean;
	/** For the operator: where the certificate is and how to trust it, or why it was replaced. */
	message: string | undefined;
}

const VALIDITY_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;
// Replace a certificate this close to expiry rather than let it lapse while the server runs.
const RENEW_BEFORE_MS = DAY_MS;

export async function ensureCertificate(options: EnsureCertificateOptions): Promise<EnsuredCertificate> {
	const certFile = path.join(options.certDir, 'cert.pem');
	const keyFile = path.join(options.certDir, 'key.pem');
	const names = machineNames(
		options.hostname ?? os.hostname(),
		options.networkInterfaces ?? os.networkInterfaces(),
		options.extraNames ?? [],
	);

	const existing = await inspectExisting(certFile, keyFile);
	if (existing.usable) {
		options.log.debug(`reusing ${certFile} (valid until ${existing.validTo.toISOString()})`);
		const message = missingNamesMessage(existing.certificate, names, certFile);
		return { cert: certFile, key: keyFile, generated: false, message };
	}

	const validTo = await generateInto(options.certDir, certFile, keyFile, names);
	options.log.debug(`generated ${certFile} for ${describeNames(names)}`);
	const why = existing.reason ? `${certFile} ${existing.reason}, so ` : '';
	return {
		cert: certFile,
		key: keyFile,
		generated: true,
		message: why + generatedMessage(certFile, names, validTo, options.httpsPort ?? 4443),
	};
}

type Existing =
	| { usable: true; validTo: Date; certificate: X509Certificate }
	| { usable: false; reason: string | undefined };

/** Whether the stored pair can be served as is; `reason` is unset when there simply is none yet. */
async function inspectExisting(certFile: string, keyFile: string): Promise<Existing> {
	let certPem: string;
	let keyPem: string;
	try {
		[certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		return { usable: false, reason: code === 'ENOENT' ? undefined : `could not be read (${code})` };
	}
	try {
		const certificate = new X509Certificate(certPem);
		if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) {
			return { usable: false, reason: 'did not match key.pem' };
		}
		const validTo = certificate.validToDate;
		if (validTo.getTime() - Date.now() < RENEW_BEFORE_MS) {
			return { usable: false, reason: `expired on ${validTo.toISOString()}` };
		}
		return { usable: true, validTo, certificate };
	} catch {
		return { usable: false, reason: 'was not a valid PEM certificate and key' };
	}
}

async function generateInto(certDir: string, certFile: string, keyFile: string, names: MachineNames): Promise<Date> {
	// Backdated an hour: a client whose clock runs a little behind must not see "not yet valid".
	const notBefore = new Date(Date.now() - 60 * 60 * 1000);
	const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * DAY_MS);
	const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
		// P-256 keys generate in milliseconds and every browser accepts them.
		keyType: 'ec',
		curve: 'P-256',
		// selfsigned defaults to SHA-1, which browsers reject.
		algorithm: 'sha256',
		notBeforeDate: notBefore,
		notAfterDate: notAfter,
		extensions: [
			{ name: 'basicConstraints', cA: false, critical: true },
			{ name: 'keyUsage', digitalSignature: true, critical: true },
			{ name: 'extKeyUsage', serverAuth: true },
			{
				name: 'subjectAltName',
				altNames: [
					...names.dns.map((value) => ({ type: 2 as const, value })),
					...names.ips.map((ip) => ({ type: 7 as const, ip })),
				],
			},
		],
	});
	// Only the server's user needs the private key.
	await mkdir(certDir, { recursive: true, mode: 0o700 });
	await writeAtomically(keyFile, pems.private, 0o600);
	await writeAtomically(certFile, pems.cert, 0o644);
	return notAfter;
}

/**
 * Write then rename, so a crash or a second server starting at the same time
 * never leaves a half-written file (which would be regenerated, breaking the
 * trust a user already gave the previous certificate).
 */
async function writeAtomically(file: string, contents: string, mode: number): Promise<void> {
	const temporary = `${file}.${process.pid}.tmp`;
	await writeFile(temporary, contents, { mode });
	await rename(temporary, file);
}

function generatedMessage(certFile: string, names: MachineNames, validTo: Date, port: number): string {
	return (
		`generated a self-signed TLS certificate for ${describeNames(names)}, valid until ` +
		`${validTo.toISOString().slice(0, 10)}: ${certFile} (key: key.pem next to it). ` +
		'Browsers will warn about it until you trust it: open ' +
		`https://localhost:${port} (and each other address you use) and accept the warning, or add cert.pem ` +
		'to the operating system or browser trust store. Node clients: ' +
		`NODE_EXTRA_CA_CERTS=${certFile}. For a public server, configure a real certificate ` +
		'(https.tls, or HTTPS_CERT_FULLCHAIN and HTTPS_CERT_PRIVKEY).'
	);
}

/**
 * Kept certificates are not regenerated when the machine gets a new address
 * (that would undo the user's trust), but the operator should know why a
 * browser on the new address complains.
 */
function missingNamesMessage(certificate: X509Certificate, names: MachineNames, certFile: string): string | undefined {
	const missing = [
		...names.dns.filter((name) => certificate.checkHost(name) === undefined),
		...names.ips.filter((ip) => certificate.checkIP(ip) === undefined),
	];
	if (missing.length === 0) return undefined;
	return (
		`${certFile} does not cover ${missing.join(', ')}: browsers using ` +
		`${missing.length === 1 ? 'that name' : 'those names'} will reject it. Delete ${certFile} ` +
		'to generate a new one on the next start (browsers will ask to accept it again).'
	);
}
