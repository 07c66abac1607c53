// What a peer's getIceServers is answered with: the configured TURN server's
// URLs with credentials of its own, valid for credentialTtlSeconds from now;
// without TURN configured, none (the client behaves as before).
import type { IceServersResponse } from '../../protocol/iceServers.ts';
import type { TurnService } from '../config/Config.ts';
import { turnCredentials } from './turnCredentials.ts';

export function iceServersFor(turn: TurnService | undefined, identity: string, nowMs: number): IceServersResponse {
	if (turn === undefined) return { iceServers: [] };
	const ttl = turn.credentialTtlSeconds;
	const { username, credential } = turnCredentials(turn.secret, identity, Math.floor(nowMs / 1000) + ttl);
	return { iceServers: [{ urls: turn.urls, username, credential }], ttl };
}
