// How the configured addresses and ports map to mediasoup listen infos, so
// the worker pool and the transport factories cannot disagree about them.
import type { types } from 'mediasoup';
import type { ResolvedConfig } from './Config.ts';

/**
 * Worker i's WebRtcServer listens on webRtcServerPort + i, UDP and TCP: every
 * WebRTC transport of that worker shares these two sockets.
 */
export function webRtcServerListenInfos(config: ResolvedConfig, workerIndex: number): types.WebRtcServerListenInfo[] {
	const { listenIp, announcedAddress, webRtcServerPort } = config.mediasoup;
	const port = webRtcServerPort + workerIndex;
	return (['udp', 'tcp'] as const).map((protocol) => ({ protocol, ip: listenIp, announcedAddress, port }));
}

/** Plain (and pipe) transports each take one UDP port from [minPort, maxPort]. */
export function plainTransportListenInfo(config: ResolvedConfig): types.TransportListenInfo {
	const { listenIp, announcedAddress, minPort, maxPort } = config.mediasoup;
	return { protocol: 'udp', ip: listenIp, announcedAddress, portRange: { min: minPort, max: maxPort } };
}
