// TURN for clients whose network blocks UDP and the media server's ports
// (ours, not in the classic dialect). A client asks `getIceServers` and hands
// the answer to its transports (mediasoup-client: `iceServers` of
// createSendTransport / createRecvTransport, and `transport.updateIceServers`
// later). The credentials are short-lived (coturn's shared-secret scheme, the
// "TURN REST API": username `<expiry unix seconds>:<peerId>`, credential
// base64(HMAC-SHA1(secret, username))), so a client asks again before they
// run out and before every ICE restart: a request of its own, rather than a
// field of the createWebRtcTransport or join answer, because a session keeps
// its transports for hours and a resumed one never joins again.
import { z } from 'zod';

/** One entry of RTCConfiguration.iceServers, as the server hands it out. */
export const iceServerSchema = z.object({
	/** turn: and turns: URIs (RFC 7065), e.g. `turn:turn.example.com:3478?transport=udp`. */
	urls: z.array(z.string().min(1)).min(1),
	username: z.string().min(1),
	credential: z.string().min(1),
});
export type IceServer = z.infer<typeof iceServerSchema>;

/** Answer of getIceServers. */
export const iceServersResponseSchema = z.object({
	/** Empty when the server has no TURN configured: nothing changes for the client. */
	iceServers: z.array(iceServerSchema),
	/**
	 * Seconds the credentials stay valid from this answer (relative, so a
	 * client's wrong clock does not matter); absent when iceServers is empty.
	 */
	ttl: z.int().positive().optional(),
});
export type IceServersResponse = z.infer<typeof iceServersResponseSchema>;
