// Port rules that involve several settings. Each worker's WebRtcServer takes
// webRtcServerPort + workerIndex (UDP and TCP); plain and pipe transports take
// UDP ports from [minPort, maxPort]; HTTPS takes one TCP port. Two of them
// sharing a port would fail at startup with a bare EADDRINUSE, or worse,
// later when a transport happens to pick the port a WebRtcServer holds.
import { isAnyAddress } from './addresses.ts';
import type { Config } from './Config.ts';
import type { ConfigProblem } from './ConfigError.ts';
import { describeSetting, problemWithFix, type SettingSources, settingTarget } from './settingSources.ts';

export function checkPorts(config: Config, sources: SettingSources): ConfigProblem[] {
	return [
		...checkTransportRange(config, sources),
		...checkWebRtcServerRange(config, sources),
		...checkHttpsPort(config, sources),
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

function addressesMayOverlap(a: string, b: string): boolean {
	return a === b || isAnyAddress(a) || isAnyAddress(b);
}
