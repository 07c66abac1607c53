// What clients are told to connect to when the workers listen on a wildcard
// address: the machine's first non-internal IPv4, or 127.0.0.1, and a notice
// either way so the operator can check the guess.
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import os from 'node:os';
import { test } from 'node:test';
import { iface, load, projectRoot } from './fixtures.ts';

test('0.0.0.0 without an announced address: the first non-internal IPv4, with a notice', async () => {
	const config = await load(projectRoot());
	assert.equal(config.mediasoup.announcedAddress, '192.168.1.7');
	const notice = config.notices.find((n) => n.includes('announcing'));
	assert.ok(notice, config.notices.join('\n'));
	assert.match(notice, /announcing 192\.168\.1\.7 \(eth0\)/);
	assert.match(notice, /MEDIASOUP_ANNOUNCED_ADDRESS/);
});

test(':: without an announced address also picks the first non-internal IPv4', async () => {
	const config = await load(projectRoot(), { MEDIASOUP_LISTEN_IP: '::' });
	assert.equal(config.mediasoup.announcedAddress, '192.168.1.7');
});

test('no non-internal IPv4 at all: 127.0.0.1, with a notice that only local clients can connect', async () => {
	const loopbackOnly = { lo: [iface('127.0.0.1', true), iface('::1', true)], eth0: [iface('fd00::7')] };
	const config = await load(projectRoot(), {}, { networkInterfaces: loopbackOnly });
	assert.equal(config.mediasoup.announcedAddress, '127.0.0.1');
	const notice = config.notices.find((n) => n.includes('announcing 127.0.0.1'));
	assert.ok(notice, config.notices.join('\n'));
	assert.match(notice, /only clients on this machine/);
	assert.match(notice, /MEDIASOUP_ANNOUNCED_ADDRESS/);
});

test('a specific listen address is announced as is, without a notice', async () => {
	const config = await load(projectRoot(), { MEDIASOUP_LISTEN_IP: '10.0.0.7' });
	assert.equal(config.mediasoup.announcedAddress, '10.0.0.7');
	assert.ok(!config.notices.some((n) => n.includes('announcing')));
});

test('an announced address is used as configured, without a notice', async () => {
	const config = await load(projectRoot(), { MEDIASOUP_ANNOUNCED_ADDRESS: '203.0.113.9' });
	assert.equal(config.mediasoup.announcedAddress, '203.0.113.9');
	assert.ok(!config.notices.some((n) => n.includes('announcing')));
});

test("on this machine's real interfaces: a non-internal IPv4 or 127.0.0.1, with a notice", async () => {
	const config = await load(projectRoot(), {}, { networkInterfaces: os.networkInterfaces() });
	const { announcedAddress } = config.mediasoup;
	assert.equal(isIP(announcedAddress), 4);
	const external = Object.values(os.networkInterfaces())
		.flatMap((infos) => infos ?? [])
		.filter((info) => info.family === 'IPv4' && !info.internal)
		.map((info) => info.address);
	assert.equal(announcedAddress, external[0] ?? '127.0.0.1');
	assert.ok(config.notices.some((n) => n.includes(`announcing ${announcedAddress}`)));
});
