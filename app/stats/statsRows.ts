// Turns stats into rows a person can read in the stats panel: the browser's
// RTCStatsReport (local) and mediasoup's getStats arrays (server), each
// reduced to the fields that say whether media flows and how well.
export type StatValue = string | number | boolean;

export interface StatsRow {
	/** The stats object's type: outbound-rtp, inbound-rtp, webrtc-transport, ... */
	type: string;
	/** Distinguishes several objects of one type (simulcast streams). */
	label: string;
	values: [name: string, value: StatValue][];
}

const LOCAL_FIELDS: Record<string, string[]> = {
	'outbound-rtp': [
		'kind',
		'rid',
		'bytesSent',
		'packetsSent',
		'framesEncoded',
		'framesPerSecond',
		'frameWidth',
		'frameHeight',
		'qualityLimitationReason',
		'targetBitrate',
		'active',
	],
	'inbound-rtp': [
		'kind',
		'bytesReceived',
		'packetsReceived',
		'packetsLost',
		'jitter',
		'framesDecoded',
		'framesPerSecond',
		'frameWidth',
		'frameHeight',
		'totalSamplesReceived',
		'concealedSamples',
	],
	'remote-inbound-rtp': ['kind', 'packetsLost', 'fractionLost', 'roundTripTime'],
	transport: ['iceState', 'dtlsState', 'srtpCipher', 'bytesSent', 'bytesReceived', 'selectedCandidatePairChanges'],
};

const PAIR_FIELDS = ['state', 'currentRoundTripTime', 'availableOutgoingBitrate', 'bytesSent', 'bytesReceived'];

/** What mediasoup reports of every RTP stream, received or sent. */
const SERVER_RTP_STREAM_FIELDS = ['ssrc', 'score', 'bitrate', 'packetCount', 'byteCount', 'packetsLost'];

const SERVER_FIELDS: Record<string, string[]> = {
	'webrtc-transport': [
		'iceState',
		'iceRole',
		'dtlsState',
		'sctpState',
		'bytesReceived',
		'bytesSent',
		'recvBitrate',
		'sendBitrate',
		'availableOutgoingBitrate',
		'availableIncomingBitrate',
		'maxIncomingBitrate',
	],
	'inbound-rtp': ['kind', 'mimeType', 'rid', ...SERVER_RTP_STREAM_FIELDS, 'jitter'],
	'outbound-rtp': ['kind', 'mimeType', ...SERVER_RTP_STREAM_FIELDS, 'roundTripTime'],
	'data-producer': ['label', 'protocol', 'messagesReceived', 'bytesReceived'],
	'data-consumer': ['label', 'protocol', 'messagesSent', 'bytesSent', 'bufferedAmount'],
};

type StatsObject = Record<string, unknown>;

function isStatValue(value: unknown): value is StatValue {
	return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function pick(stats: StatsObject, fields: readonly string[]): [string, StatValue][] {
	const values: [string, StatValue][] = [];
	for (const field of fields) {
		const value = stats[field];
		if (isStatValue(value)) values.push([field, typeof value === 'number' ? round(value) : value]);
	}
	return values;
}

function round(value: number): number {
	return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
}

function asObject(value: unknown): StatsObject | undefined {
	return typeof value === 'object' && value !== null ? (value as StatsObject) : undefined;
}

/** The candidate pair ICE selected, described by its local candidate ("udp host 127.0.0.1"). */
function selectedPairRow(report: Map<string, StatsObject>, transport: StatsObject): StatsRow | undefined {
	const pair = report.get(String(transport.selectedCandidatePairId ?? ''));
	if (!pair) return undefined;
	const local = report.get(String(pair.localCandidateId ?? ''));
	const remote = report.get(String(pair.remoteCandidateId ?? ''));
	const values = pick(pair, PAIR_FIELDS);
	if (local)
		values.unshift(['protocol', String(local.protocol ?? '')], ['localCandidate', String(local.candidateType)]);
	if (remote)
		values.push(['remoteAddress', `${String(remote.address ?? remote.ip ?? '')}:${String(remote.port ?? '')}`]);
	return { type: 'candidate-pair', label: 'selected', values };
}

/**
 * Rows of a browser RTCStatsReport. The receiver mediasoup-client adds for
 * bandwidth probing (mid "probator") never carries media and is left out.
 */
export function localStatsRows(report: RTCStatsReport): StatsRow[] {
	const byId = new Map<string, StatsObject>();
	report.forEach((stats: StatsObject, id: string) => {
		byId.set(id, stats);
	});
	const rows: StatsRow[] = [];
	for (const stats of byId.values()) {
		const type = String(stats.type);
		const fields = LOCAL_FIELDS[type];
		if (!fields || stats.mid === 'probator') continue;
		rows.push({ type, label: String(stats.rid ?? stats.kind ?? ''), values: pick(stats, fields) });
		if (type === 'transport') {
			const pair = selectedPairRow(byId, stats);
			if (pair) rows.push(pair);
		}
	}
	return rows.sort((a, b) => a.type.localeCompare(b.type) || a.label.localeCompare(b.label));
}

/** mediasoup's tuple object, e.g. "udp 127.0.0.1:44444 ↔ 127.0.0.1:51234". */
function tupleText(tuple: StatsObject): string {
	const local = `${String(tuple.localAddress ?? tuple.localIp ?? '')}:${String(tuple.localPort ?? '')}`;
	const remote = `${String(tuple.remoteIp ?? '')}:${String(tuple.remotePort ?? '')}`;
	return `${String(tuple.protocol ?? '')} ${local} ↔ ${remote}`;
}

/** Rows of a mediasoup getStats() answer. */
export function serverStatsRows(stats: unknown[]): StatsRow[] {
	const rows: StatsRow[] = [];
	for (const entry of stats) {
		const object = asObject(entry);
		if (!object) continue;
		const type = String(object.type);
		const values = pick(object, SERVER_FIELDS[type] ?? []);
		const tuple = asObject(object.iceSelectedTuple);
		if (tuple) values.push(['iceSelectedTuple', tupleText(tuple)]);
		rows.push({ type, label: String(object.rid ?? object.kind ?? object.label ?? ''), values });
	}
	return rows;
}
