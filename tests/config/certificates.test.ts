// The self-signed certificate: generated once with every name of the machine,
// kept private, reused, replaced when it cannot be used, and accepted by a
// TLS client that trusts it.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { iface, tempDir } from './fixtures.ts';

const quiet = { debug: () => {} };
const machine = {
	hostname: 'testhost',
	networkInterfaces: {
		lo: [iface('127.0.0.1', true), iface('::1', true)],
		eth0: [iface('192.168.1.7'), iface('fd00::7')],
	},
};

function fingerprint(certFile: string): string {
	return new X509Certificate(readFileSync(certFile)).fingerprint256;
}

test('first start: writes cert.pem and a private key.pem covering every name of the machine', async () => {
	const certDir = path.join(tempDir(), 'certs');
	const result = await ensureCertificate({ certDir, log: quiet, extraNames: ['media.example.com'], ...machine });

	assert.equal(result.generated, true);
	assert.equal(result.cert, path.join(certDir, 'cert.pem'));
	assert.equal(result.key, path.join(certDir, 'key.pem'));
	assert.equal(statSync(result.key).mode & 0o777, 0o600);

	const certificate = new X509Certificate(readFileSync(result.cert));
	const san = certificate.subjectAltName ?? '';
	for (const entry of [
		'DNS:localhost',
		'DNS:testhost',
		'DNS:media.example.com',
		'IP Address:127.0.0.1',
		'IP Address:0:0:0:0:0:0:0:1',
		'IP Address:192.168.1.7',
		'IP Address:FD00:0:0:0:0:0:0:7',
	]) {
		assert.ok(san.split(', ').includes(entry), `${entry} not in ${san}`);
	}
	const days = (certificate.validToDate.getTime() - Date.now()) / 86_400_000;
	assert.ok(days > 360 && days <= 366, `valid for ${days} days`);
	assert.ok(certificate.checkPrivateKey(createPrivateKey(readFileSync(result.key))));
});

test('the first-start message says where the certificate is and how to trust it', async () => {
	const certDir = tempDir();
	const { message } = await ensureCertificate({ certDir, log: quiet, httpsPort: 8443, ...machine });
	assert.ok(message);
	assert.ok(message.includes(path.join(certDir, 'cert.pem')), message);
	assert.ok(message.includes('https://localhost:8443'), message);
	assert.ok(message.includes('trust store'), message);
	assert.ok(message.includes(`NODE_EXTRA_CA_CERTS=${path.join(certDir, 'cert.pem')}`), message);
});

test('next start: the same certificate is reused', async () => {
	const certDir = tempDir();
	const first = await ensureCertificate({ certDir, log: quiet, ...machine });
	const second = await ensureCertificate({ certDir, log: quiet, ...machine });
	assert.equal(second.generated, false);
	assert.equal(second.message, undefined);
	assert.equal(fingerprint(second.cert), fingerprint(first.cert));
});

test('a reused certificate that misses a new address is kept, with a message saying how to replace it', async () => {
	const certDir = tempDir();
	await ensureCertificate({ certDir, log: quiet, ...machine });
	const moved = { ...machine, networkInterfaces: { eth0: [iface('10.9.9.9')] } };
	const result = await ensureCertificate({ certDir, log: quiet, ...moved });
	assert.equal(result.generated, false);
	assert.match(result.message ?? '', /does not cover 10\.9\.9\.9/);
	assert.match(result.message ?? '', /Delete .*cert\.pem/);
});

test('an expired certificate is replaced', async () => {
	const certDir = tempDir();
	const old = await generate([{ name: 'commonName', value: 'localhost' }], {
		algorithm: 'sha256',
		notBeforeDate: new Date('2020-01-01'),
		notAfterDate: new Date('2021-01-01'),
	});
	writeFileSync(path.join(certDir, 'cert.pem'), old.cert);
	writeFileSync(path.join(certDir, 'key.pem'), old.private);

	const result = await ensureCertificate({ certDir, log: quiet, ...machine });
	assert.equal(result.generated, true);
	assert.notEqual(fingerprint(result.cert), new X509Certificate(old.cert).fingerprint256);
	assert.match(result.message ?? '', /expired on 2021-01-01/);
});

test('unreadable or mismatched files are replaced', async () => {
	const certDir = tempDir();
	writeFileSync(path.join(certDir, 'cert.pem'), 'not a certificate');
	writeFileSync(path.join(certDir, 'key.pem'), 'not a key');
	const garbage = await ensureCertificate({ certDir, log: quiet, ...machine });
	assert.equal(garbage.generated, true);
	assert.match(garbage.message ?? '', /was not a valid PEM certificate and key/);

	const other = await generate(undefined, { keyType: 'ec', algorithm: 'sha256' });
	writeFileSync(path.join(certDir, 'key.pem'), other.private);
	const mismatched = await ensureCertificate({ certDir, log: quiet, ...machine });
	assert.equal(mismatched.generated, true);
	assert.match(mismatched.message ?? '', /did not match key\.pem/);
});

test('a TLS client that trusts cert.pem connects by name and by IP address', async () => {
	const certDir = tempDir();
	const { cert, key } = await ensureCertificate({ certDir, log: quiet, ...machine });
	const server = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (socket) => socket.end('hi'));
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as AddressInfo;
	try {
		for (const servername of ['localhost', undefined]) {
			const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: readFileSync(cert) });
			await once(socket, 'secureConnect');
			assert.equal(socket.authorized, true, String(socket.authorizationError));
			socket.destroy();
		}
	} finally {
		server.close();
	}
});
