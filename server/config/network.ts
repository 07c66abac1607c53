// The addresses and ports the server listens on and announces. Each worker's
// WebRtcServer takes webRtcServerPort + workerIndex (UDP and TCP); plain and
// pipe transports take UDP ports from [minPort, maxPort]; HTTPS takes one TCP
// port, and the metrics listener another. Two of them sharing a port would fail at startup with a bare
// EADDRINUSE, or worse, later when a transport happens to pick the port a
// WebRtcServer holds, so the rules are checked here with the settings named.
import type { networkInterfaces } from 'node:os';
import type { types } from 'mediasoup';
import type { Config, ResolvedConfig } from './Config.ts';
import {
	type ConfigProblem,
	describeSetting,
	problemWithFix,
	type SettingSources,
	settingProblem,
	settingTarget,
} from './ConfigError.ts';

export type NetworkInterfaces = ReturnType<typeof networkInterfaces>;

/** The wildcard addresses: listen on every interface, reachable at none of them. */
export function isAnyAddress(ip: string): boolean {
	return ip === '0.0.0.0' || ip === '::' || ip === '0:0:0:0:0:0:0:0';
}

export function checkNetwork(config: Config, sources: SettingSources): ConfigProblem[] {
	return [
		...checkTransportRange(config, sources),
		...checkWebRtcServerRange(config, sources),
		...checkHttpsPort(config, sources),
		...checkMetricsPort(config, sources),
		...checkAnnouncedAddress(config, sources),
	];
}

function checkTransportRange(config: Config, sources: SettingSources): ConfigProblem[] {
	const { minPort, maxPort } = config.mediasoup;
	if (minPort <= maxPort) return [];
	return [
		problemWithFix(
			sources,
			'mediasoup.minPort',
			minPort,
			`is greater than ${describeSetting(sources, 'mediasoup.maxPort', maxPort)}`,
			`Set ${settingTarget(sources, 'mediasoup.minPort')} to at most ${settingTarget(sources, 'mediasoup.maxPort')}.`,
		),
	];
}

function checkWebRtcServerRange(config: Config, sources: SettingSources): ConfigProblem[] {
	const { numWorkers, webRtcServerPort, minPort, maxPort } = config.mediasoup;
	const last = webRtcServerPort + numWorkers - 1;
	const span = `WebRtcServer ports ${webRtcServerPort}..${last} (one per worker)`;
	const portTarget = settingTarget(sources, 'mediasoup.webRtcServerPort');
	const workersTarget = settingTarget(sources, 'mediasoup.numWorkers');
	if (last > 65535) {
		return [
			problemWithFix(
				sources,
				'mediasoup.webRtcServerPort',
				webRtcServerPort,
				`cannot fit ${numWorkers} workers: ${span} go past 65535`,
				`Set ${portTarget} to at most ${65536 - numWorkers}, or lower ${workersTarget}.`,
			),
		];
	}
	if (webRtcServerPort <= maxPort && last >= minPort) {
		return [
			problemWithFix(
				sources,
				'mediasoup.webRtcServerPort',
				webRtcServerPort,
				`cannot fit ${numWorkers} workers: ${span} overlap the transport port range ${minPort}..${maxPort} ` +
					'(mediasoup.minPort..mediasoup.maxPort)',
				`Move ${portTarget} outside that range, or change ${settingTarget(sources, 'mediasoup.minPort')} ` +
					`and ${settingTarget(sources, 'mediasoup.maxPort')}.`,
			),
		];
	}
	return [];
}

/** Both the HTTPS server and the WebRtcServers listen on TCP. */
function checkHttpsPort(config: Config, sources: SettingSources): ConfigProblem[] {
	const { listenPort, listenIp } = config.https;
	const { webRtcServerPort, numWorkers } = config.mediasoup;
	const clashes = listenPort >= webRtcServerPort && listenPort < webRtcServerPort + numWorkers;
	if (!clashes || !addressesMayOverlap(listenIp, config.mediasoup.listenIp)) return [];
	return [
		problemWithFix(
			sources,
			'https.listenPort',
			listenPort,
			`is also the TCP port of worker ${listenPort - webRtcServerPort}'s WebRtcServer ` +
				`(ports ${webRtcServerPort}..${webRtcServerPort + numWorkers - 1})`,
			`Set ${settingTarget(sources, 'https.listenPort')} to a port outside that range, ` +
				`or move ${settingTarget(sources, 'mediasoup.webRtcServerPort')}.`,
		),
	];
}

/** The metrics listener takes a TCP port of its own: not the HTTPS one, nor a WebRtcServer's. */
function checkMetricsPort(config: Config, sources: SettingSources): ConfigProblem[] {
	const { enabled, port, listenIp } = config.metrics;
	if (!enabled) return [];
	const { webRtcServerPort, numWorkers } = config.mediasoup;
	const target = settingTarget(sources, 'metrics.port');
	if (port === config.https.listenPort && addressesMayOverlap(listenIp, config.https.listenIp)) {
		return [
			problemWithFix(
				sources,
				'metrics.port',
				port,
				'is also the HTTPS port (https.listenPort): the metrics have a listener of their own',
				`Set ${target} to another port.`,
			),
		];
	}
	const inRange = port >= webRtcServerPort && port < webRtcServerPort + numWorkers;
	if (inRange && addressesMayOverlap(listenIp, config.mediasoup.listenIp)) {
		return [
			problemWithFix(
				sources,
				'metrics.port',
				port,
				`is also the TCP port of worker ${port - webRtcServerPort}'s WebRtcServer ` +
					`(ports ${webRtcServerPort}..${webRtcServerPort + numWorkers - 1})`,
				`Set ${target} to a port outside that range.`,
			),
		];
	}
	return [];
}

function addressesMayOverlap(a: string, b: string): boolean {
	return a === b || isAnyAddress(a) || isAnyAddress(b);
}

function checkAnnouncedAddress(config: Config, sources: SettingSources): ConfigProblem[] {
	const { announcedAddress } = config.mediasoup;
	if (announcedAddress === undefined || !isAnyAddress(announcedAddress)) return [];
	return [
		settingProblem(
			sources,
			'mediasoup.announcedAddress',
			announcedAddress,
			'is not reachable by clients',
			"this machine's IP address or hostname as clients reach it",
		),
	];
}

export interface AnnouncedAddress {
	address: string;
	/** Set when the address was guessed: the operator should check it. */
	notice: string | undefined;
}

/**
 * What clients are told to send media to (ICE candidates, plain transport
 * tuples). A wildcard listen address is not one: when nothing is announced we
 * pick the machine's address ourselves and say so, because a wrong guess (NAT,
 * cloud VM) shows up as calls that connect without media.
 */
export function resolveAnnouncedAddress(
	config: Config,
	sources: SettingSources,
	interfaces: NetworkInterfaces,
): AnnouncedAddress {
	const { announcedAddress, listenIp } = config.mediasoup;
	if (announcedAddress !== undefined) return { address: announcedAddress, notice: undefined };
	if (!isAnyAddress(listenIp)) return { address: listenIp, notice: undefined };

	const listening = describeSetting(sources, 'mediasoup.listenIp', listenIp);
	const setIt = `set ${settingTarget(sources, 'mediasoup.announcedAddress')}`;
	const found = firstExternalIPv4(interfaces);
	if (found) {
		return {
			address: found.address,
			notice:
				`${listening} and no announced address is set: announcing ${found.address} ` +
				`(${found.interfaceName}) to clients. If clients reach this machine at another address ` +
				`(NAT, cloud VM), ${setIt}.`,
		};
	}
	return {
		address: '127.0.0.1',
		notice:
			`${listening}, no announced address is set and this machine has no non-internal IPv4 address: ` +
			`announcing 127.0.0.1, so only clients on this machine can send media. To serve others, ${setIt}.`,
	};
}

/** The first IPv4 address not on a loopback interface, in the order the OS lists them. */
function firstExternalIPv4(interfaces: NetworkInterfaces): { interfaceName: string; address: string } | undefined {
	for (const [interfaceName, infos] of Object.entries(interfaces)) {
		const info = infos?.find((i) => i.family === 'IPv4' && !i.internal);
		if (info) return { interfaceName, address: info.address };
	}
	return undefined;
}

// The listen infos are built here, from the resolved addresses and ports, so
// the worker pool and the transport factories cannot disagree about them.

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
