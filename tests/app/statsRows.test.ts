// The stats panel's rows from a browser RTCStatsReport and a mediasoup stats array.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { localStatsRows, serverStatsRows } from '../../app/stats/statsRows.ts';

describe('stats rows', () => {
	test('browser stats: RTP streams without the probator, and the selected candidate pair', () => {
		const report = new Map<string, Record<string, unknown>>([
			['T', { type: 'transport', id: 'T', dtlsState: 'connected', selectedCandidatePairId: 'CP', bytesSent: 10 }],
			['CP', { type: 'candidate-pair', id: 'CP', state: 'succeeded', localCandidateId: 'L', remoteCandidateId: 'R' }],
			['L', { type: 'local-candidate', id: 'L', protocol: 'tcp', candidateType: 'host' }],
			['R', { type: 'remote-candidate', id: 'R', address: '127.0.0.1', port: 44444 }],
			['I1', { type: 'inbound-rtp', id: 'I1', kind: 'video', mid: '0', framesDecoded: 42, jitter: 0.0123456 }],
			['I2', { type: 'inbound-rtp', id: 'I2', kind: 'video', mid: 'probator', framesDecoded: 0 }],
			['C', { type: 'codec', id: 'C', mimeType: 'video/VP8' }],
		]);
		const rows = localStatsRows(report as unknown as RTCStatsReport);
		assert.deepEqual(
			rows.map((row) => row.type),
			['candidate-pair', 'inbound-rtp', 'transport'],
		);
		const pair = Object.fromEntries(rows[0]?.values ?? []);
		assert.equal(pair.protocol, 'tcp');
		assert.equal(pair.remoteAddress, '127.0.0.1:44444');
		const inbound = Object.fromEntries(rows[1]?.values ?? []);
		assert.equal(inbound.framesDecoded, 42);
		assert.equal(inbound.jitter, 0.012);
	});

	test('server stats: the chosen fields, and the ICE tuple as text', () => {
		const rows = serverStatsRows([
			{
				type: 'webrtc-transport',
				bytesReceived: 1000,
				iceState: 'completed',
				iceSelectedTuple: {
					protocol: 'udp',
					localAddress: '127.0.0.1',
					localPort: 44444,
					remoteIp: '127.0.0.1',
					remotePort: 5000,
				},
				transportId: 'ignored',
			},
			'not an object',
		]);
		assert.equal(rows.length, 1);
		const values = Object.fromEntries(rows[0]?.values ?? []);
		assert.equal(values.bytesReceived, 1000);
		assert.equal(values.iceSelectedTuple, 'udp 127.0.0.1:44444 ↔ 127.0.0.1:5000');
		assert.equal(values.transportId, undefined);
	});
});
