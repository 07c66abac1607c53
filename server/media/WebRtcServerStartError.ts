// Why a WebRtcServer could not listen, in words an operator can act on.
// mediasoup reports a busy port as "uv_udp_bind() failed [protocol:udp,
// ip:'127.0.0.1', port:44444]: address already in use"; the port comes from
// MEDIASOUP_WEBRTC_SERVER_PORT (+ worker index), so the message says so.
import type { types } from 'mediasoup';
import { errorMessage } from '../errorMessage.ts';

export class WebRtcServerStartError extends Error {
	readonly workerIndex: number;
	/** The port that failed, or the first configured one when mediasoup did not say. */
	readonly port: number | undefined;
	/** A busy port is worth retrying when it was held by a process that is going away. */
	readonly portInUse: boolean;

	constructor(workerIndex: number, listenInfos: readonly types.WebRtcServerListenInfo[], cause: unknown) {
		const reason = errorMessage(cause);
		const portInUse = /address already in use|EADDRINUSE/i.test(reason);
		const port = portFromMediasoupMessage(reason) ?? listenInfos.find((info) => info.port !== undefined)?.port;
		const protocol = /protocol:(\w+)/.exec(reason)?.[1];
		const where = `${protocol ?? 'udp/tcp'} port ${port ?? '(unknown)'}`;
		super(
			portInUse
				? `mediasoup worker ${workerIndex}: cannot start its WebRtcServer, ${where} is already in use. ` +
						'Stop whatever holds it or change MEDIASOUP_WEBRTC_SERVER_PORT ' +
						`(worker N listens on MEDIASOUP_WEBRTC_SERVER_PORT + N). (${reason})`
				: `mediasoup worker ${workerIndex}: cannot start its WebRtcServer on ${where}: ${reason}`,
			{ cause },
		);
		this.name = 'WebRtcServerStartError';
		this.workerIndex = workerIndex;
		this.port = port;
		this.portInUse = portInUse;
	}
}

function portFromMediasoupMessage(message: string): number | undefined {
	const match = /port:(\d+)/.exec(message);
	return match?.[1] === undefined ? undefined : Number(match[1]);
}
