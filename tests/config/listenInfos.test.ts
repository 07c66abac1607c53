// The mediasoup listen infos built from the resolved configuration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plainTransportListenInfo, webRtcServerListenInfos } from '../../server/config/network.ts';
import { load, projectRoot } from './fixtures.ts';

test('worker i gets UDP and TCP on webRtcServerPort + i, announcing the resolved address', async () => {
	const config = await load(projectRoot(), { MEDIASOUP_NUM_WORKERS: '4' });
	assert.deepEqual(webRtcServerListenInfos(config, 2), [
		{ protocol: 'udp', ip: '0.0.0.0', announcedAddress: '192.168.1.7', port: 44446 },
		{ protocol: 'tcp', ip: '0.0.0.0', announcedAddress: '192.168.1.7', port: 44446 },
	]);
});

test('plain transports take a UDP port from [minPort, maxPort]', async () => {
	const config = await load(projectRoot(), { MEDIASOUP_ANNOUNCED_ADDRESS: 'media.example.com' });
	assert.deepEqual(plainTransportListenInfo(config), {
		protocol: 'udp',
		ip: '0.0.0.0',
		announcedAddress: 'media.example.com',
		portRange: { min: 45000, max: 49999 },
	});
});
