// Everything the page's address can ask for (PROTOCOL.md section 3):
// `?roomId=R&peerId=P` plus flags, and `token=T` on a server in token mode.
// Parsing is pure (a URL in, options out); writing a generated roomId back
// into the address bar is main.tsx's job.
import type { types } from 'mediasoup-client';
import { type Grants, resolveGrants, type TokenClaims } from '../../protocol/access.ts';
import { MAX_CONSUMER_REPLICAS } from '../../protocol/limits.ts';
import type { WebcamResolution } from '../store/slices/me.ts';
import { randomId } from './randomId.ts';
import { readTokenClaims } from './tokenClaims.ts';

type BuiltinHandlerName = types.BuiltinHandlerName;

export type ForcedVideoCodec = 'VP8' | 'VP9' | 'H264' | null;

export interface UrlOptions {
	roomId: string;
	/** True when the address had no roomId and one was made up. */
	roomIdGenerated: boolean;
	peerId: string;
	displayName: string | null;
	handlerName: BuiltinHandlerName | null;
	forceTcp: boolean;
	/** Ours: media only through the server's TURN relay (iceTransportPolicy 'relay'). */
	forceRelay: boolean;
	produce: boolean;
	consume: boolean;
	datachannel: boolean;
	forcedVideoCodec: ForcedVideoCodec;
	enableWebcamLayers: boolean;
	enableSharingLayers: boolean;
	webcamScalabilityMode: string | null;
	sharingScalabilityMode: string | null;
	numSimulcastStreams: number;
	info: boolean;
	/** A video file to send instead of the camera. */
	externalVideo: string | null;
	throttleSecret: string | null;
	e2eKey: string | null;
	consumerReplicas: number;
	stats: boolean;
	mic: boolean;
	webcam: boolean;
	/** Not in the classic demo: start the camera at this resolution. */
	resolution: WebcamResolution;
	/** The access token (ours); null when the server runs in open mode. Never goes into an invitation. */
	token: string | null;
	/** What the token claims it allows, until the server says (null without a readable token). */
	tokenGrants: Grants | null;
}

const HANDLER_NAMES: readonly BuiltinHandlerName[] = [
	'Chrome111',
	'Chrome74',
	'Firefox120',
	'Safari12',
	'ReactNative106',
];
const RESOLUTIONS: readonly WebcamResolution[] = ['qvga', 'vga', 'hd'];

/** `?flag`, `?flag=true` and `?flag=1` are on; `false`/`0` off; absent: the default. */
function flag(params: URLSearchParams, name: string, fallback: boolean): boolean {
	const value = params.get(name);
	if (value === null) return fallback;
	return value === '' || value === 'true' || value === '1';
}

function text(params: URLSearchParams, name: string): string | null {
	const value = params.get(name);
	return value === null || value === '' ? null : value;
}

function integer(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
	const value = Number.parseInt(params.get(name) ?? '', 10);
	return Number.isInteger(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
	return values.find((candidate) => candidate === value) ?? null;
}

/** forceVP8 / forceVP9 / forceH264, in the classic demo's order of precedence. */
function forcedVideoCodec(params: URLSearchParams): ForcedVideoCodec {
	if (flag(params, 'forceVP8', false)) return 'VP8';
	if (flag(params, 'forceH264', false)) return 'H264';
	if (flag(params, 'forceVP9', false)) return 'VP9';
	return null;
}

/** The token's own room, when it names one ("*" names none). */
function tokenRoom(claims: TokenClaims | null): string | null {
	const room = claims?.grants.room;
	return room === undefined || room === '*' ? null : room;
}

export function parseUrlOptions(url: URL): UrlOptions {
	const params = url.searchParams;
	const token = text(params, 'token');
	// The server requires peerId = the token's sub, so a token link needs no peerId (nor roomId or name).
	const claims = token === null ? null : readTokenClaims(token);
	const roomId = text(params, 'roomId') ?? tokenRoom(claims);
	// externalVideo=true means "a sample video"; we ship none, so only a URL counts.
	const externalVideo = text(params, 'externalVideo');
	return {
		roomId: roomId ?? randomId(),
		roomIdGenerated: roomId === null,
		peerId: text(params, 'peerId') ?? claims?.sub ?? randomId(),
		displayName: text(params, 'displayName') ?? (claims?.name || null),
		handlerName: oneOf(HANDLER_NAMES, params.get('handlerName')),
		forceTcp: flag(params, 'forceTcp', false),
		forceRelay: flag(params, 'forceRelay', false),
		produce: flag(params, 'produce', true),
		consume: flag(params, 'consume', true),
		datachannel: flag(params, 'datachannel', true),
		// End-to-end encryption keeps VP8's payload header clear, a layout only VP8 has here.
		forcedVideoCodec: text(params, 'e2eKey') ? 'VP8' : forcedVideoCodec(params),
		enableWebcamLayers: flag(params, 'enableWebcamLayers', true),
		enableSharingLayers: flag(params, 'enableSharingLayers', true),
		webcamScalabilityMode: text(params, 'webcamScalabilityMode'),
		sharingScalabilityMode: text(params, 'sharingScalabilityMode'),
		numSimulcastStreams: integer(params, 'numSimulcastStreams', 3, 1, 3),
		info: flag(params, 'info', false),
		externalVideo: externalVideo === 'true' || externalVideo === 'false' ? null : externalVideo,
		throttleSecret: text(params, 'throttleSecret'),
		e2eKey: text(params, 'e2eKey'),
		consumerReplicas: integer(params, 'consumerReplicas', 0, 0, MAX_CONSUMER_REPLICAS),
		stats: flag(params, 'stats', false),
		mic: flag(params, 'mic', true),
		webcam: flag(params, 'webcam', true),
		resolution: oneOf(RESOLUTIONS, params.get('resolution')) ?? 'hd',
		token,
		tokenGrants: claims === null ? null : resolveGrants(claims.grants),
	};
}

/** The address with roomId filled in: what the address bar should show. */
export function withRoomId(url: URL, roomId: string): URL {
	const next = new URL(url);
	next.searchParams.set('roomId', roomId);
	return next;
}

/**
 * The invitation: this room, without this page's peerId and personal flags,
 * and never with its token (a token is one person's: invitees need their own).
 */
export function invitationUrl(url: URL, roomId: string): string {
	const invite = new URL(url.origin + url.pathname);
	invite.searchParams.set('roomId', roomId);
	return invite.toString();
}
