// The page's address: every flag of PROTOCOL.md section 3, defaults, and the
// invitation link.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { invitationUrl, parseUrlOptions, withRoomId } from '../../app/config/urlOptions.ts';
import { resolveGrants } from '../../protocol/access.ts';
import { mintToken } from '../../server/auth/tokens.ts';

const parse = (query: string) => parseUrlOptions(new URL(`https://conf.example:4443/${query}`));

describe('URL options', () => {
	test('defaults: send and receive everything, simulcast with 3 streams, chat on', () => {
		const options = parse('?roomId=r1&peerId=p1');
		assert.equal(options.roomId, 'r1');
		assert.equal(options.roomIdGenerated, false);
		assert.equal(options.peerId, 'p1');
		assert.equal(options.produce, true);
		assert.equal(options.consume, true);
		assert.equal(options.datachannel, true);
		assert.equal(options.forceTcp, false);
		assert.equal(options.forceRelay, false);
		assert.equal(options.forcedVideoCodec, null);
		assert.equal(options.enableWebcamLayers, true);
		assert.equal(options.enableSharingLayers, true);
		assert.equal(options.numSimulcastStreams, 3);
		assert.equal(options.mic, true);
		assert.equal(options.webcam, true);
		assert.equal(options.stats, false);
		assert.equal(options.info, false);
		assert.equal(options.consumerReplicas, 0);
		assert.equal(options.resolution, 'hd');
	});

	test('a missing roomId or peerId is made up', () => {
		const options = parse('');
		assert.equal(options.roomIdGenerated, true);
		assert.match(options.roomId, /^[a-z0-9]{8}$/);
		assert.match(options.peerId, /^[a-z0-9]{8}$/);
		assert.notEqual(parse('').roomId, options.roomId);
	});

	test('every flag of the contract is read', () => {
		const options = parse(
			'?roomId=r&peerId=p&displayName=Ann%20Lee&handlerName=Chrome111&forceTcp=true&produce=false&consume=false' +
				'&datachannel=false&forceH264=true&enableWebcamLayers=false&enableSharingLayers=false' +
				'&webcamScalabilityMode=L1T2&sharingScalabilityMode=L1T1&numSimulcastStreams=2&info=true' +
				'&externalVideo=https%3A%2F%2Fcdn.example%2Fv.webm&throttleSecret=s3&consumerReplicas=2&stats=true' +
				'&mic=false&webcam=false&resolution=qvga&forceRelay=true',
		);
		assert.deepEqual(
			{ ...options, roomIdGenerated: undefined },
			{
				roomId: 'r',
				roomIdGenerated: undefined,
				peerId: 'p',
				displayName: 'Ann Lee',
				handlerName: 'Chrome111',
				forceTcp: true,
				forceRelay: true,
				produce: false,
				consume: false,
				datachannel: false,
				forcedVideoCodec: 'H264',
				enableWebcamLayers: false,
				enableSharingLayers: false,
				webcamScalabilityMode: 'L1T2',
				sharingScalabilityMode: 'L1T1',
				numSimulcastStreams: 2,
				info: true,
				externalVideo: 'https://cdn.example/v.webm',
				throttleSecret: 's3',
				e2eKey: null,
				consumerReplicas: 2,
				stats: true,
				mic: false,
				webcam: false,
				resolution: 'qvga',
				token: null,
				tokenGrants: null,
			},
		);
	});

	test('flags: bare, true and 1 are on; false and 0 are off', () => {
		assert.equal(parse('?forceTcp').forceTcp, true);
		assert.equal(parse('?forceTcp=1').forceTcp, true);
		assert.equal(parse('?produce=0').produce, false);
		assert.equal(parse('?produce=false').produce, false);
	});

	test('codec flags: VP8 wins over H264 over VP9, and e2eKey forces VP8', () => {
		assert.equal(parse('?forceVP9=true').forcedVideoCodec, 'VP9');
		assert.equal(parse('?forceVP9=true&forceH264=true').forcedVideoCodec, 'H264');
		assert.equal(parse('?forceVP8=true&forceH264=true').forcedVideoCodec, 'VP8');
		assert.equal(parse('?forceVP9=true&e2eKey=k').forcedVideoCodec, 'VP8');
	});

	test('out-of-range or unknown values fall back to something sane', () => {
		assert.equal(parse('?numSimulcastStreams=9').numSimulcastStreams, 3);
		assert.equal(parse('?numSimulcastStreams=0').numSimulcastStreams, 1);
		assert.equal(parse('?numSimulcastStreams=x').numSimulcastStreams, 3);
		assert.equal(parse('?handlerName=Netscape4').handlerName, null);
		assert.equal(parse('?resolution=8k').resolution, 'hd');
		assert.equal(parse('?externalVideo=true').externalVideo, null);
	});

	test('the roomId goes into the address bar; the invitation carries only the room', () => {
		const url = new URL('https://conf.example:4443/?peerId=me&forceTcp=true');
		assert.equal(withRoomId(url, 'abc').toString(), 'https://conf.example:4443/?peerId=me&forceTcp=true&roomId=abc');
		assert.equal(invitationUrl(url, 'abc'), 'https://conf.example:4443/?roomId=abc');
	});

	test('a token link needs nothing else: peerId is its sub, the name and the room come from it too', async () => {
		const apiKey = { key: 'k', secret: 'a-secret-for-url-option-tests-32-chars' };
		const token = await mintToken({
			apiKey,
			identity: 'alice-7',
			name: 'Alice Émile',
			grants: { room: 'standup', publish: ['microphone'] },
		});
		const options = parse(`?token=${token}`);
		assert.equal(options.token, token);
		assert.equal(options.peerId, 'alice-7');
		assert.equal(options.displayName, 'Alice Émile');
		assert.equal(options.roomId, 'standup');
		assert.equal(options.roomIdGenerated, false);
		assert.deepEqual(options.tokenGrants, resolveGrants({ room: 'standup', publish: ['microphone'] }));

		// What the address says wins; a token for every room names none.
		const explicit = parse(`?token=${token}&roomId=other&peerId=p&displayName=Al`);
		assert.deepEqual([explicit.roomId, explicit.peerId, explicit.displayName], ['other', 'p', 'Al']);
		const anyRoom = await mintToken({ apiKey, identity: 'bob', grants: { room: '*' } });
		assert.equal(parse(`?token=${anyRoom}`).roomIdGenerated, true);
	});

	test('a token the app cannot read is still sent: the server says what is wrong with it', () => {
		const options = parse('?roomId=r&token=not.a-jwt');
		assert.equal(options.token, 'not.a-jwt');
		assert.equal(options.tokenGrants, null);
		assert.match(options.peerId, /^[a-z0-9]{8}$/);
	});

	test('the invitation never carries the token', async () => {
		const url = new URL('https://conf.example:4443/?roomId=abc&token=eyJ.secret.sig&peerId=me');
		assert.equal(invitationUrl(url, 'abc'), 'https://conf.example:4443/?roomId=abc');
	});
});
