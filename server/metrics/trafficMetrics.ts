// The traffic counters, read from the TrafficSampler's totals (why they come
// from there, and how late: TrafficSampler.ts). Directions are the server's:
// "in" is what senders sent it, "out" what it sent receivers. NACK, PLI and
// FIR "sent" are the server's requests to senders (producers' stats),
// "received" its receivers' requests to it (consumers' stats). Every family
// has a `transport` label (webrtc, plain, pipe): pipe traffic is a spread
// room's copies between the server's own workers, counted twice if summed
// with the rest.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { RTP_COUNTERS, TRANSPORT_TYPES, type TrafficSampler } from './TrafficSampler.ts';

export function registerTrafficMetrics(registry: Registry, sampler: TrafficSampler): void {
	const registers = [registry];
	new Counter({
		name: 'msconf_transport_bytes_total',
		help: 'Bytes through mediasoup transports (RTP, RTCP, SCTP, STUN, DTLS), by direction and transport type; read from the workers every METRICS_STATS_INTERVAL_MS at most',
		labelNames: ['direction', 'transport'],
		registers,
		collect() {
			sampler.poke();
			this.reset();
			for (const transport of TRANSPORT_TYPES) {
				const [bytesIn = 0, bytesOut = 0] = sampler.transports.totals(transport);
				this.inc({ direction: 'in', transport }, bytesIn);
				this.inc({ direction: 'out', transport }, bytesOut);
			}
		},
	});
	const rtp = (name: string, help: string, column: (typeof RTP_COUNTERS)[number]) =>
		new Counter({
			name,
			help,
			labelNames: ['direction', 'transport'],
			registers,
			collect() {
				sampler.poke();
				this.reset();
				const at = RTP_COUNTERS.indexOf(column);
				for (const transport of TRANSPORT_TYPES) {
					this.inc({ direction: 'in', transport }, sampler.producers.totals(transport)[at] ?? 0);
					this.inc({ direction: 'out', transport }, sampler.consumers.totals(transport)[at] ?? 0);
				}
			},
		});
	rtp('msconf_rtp_packets_total', 'RTP packets received from senders (in) and sent to receivers (out)', 'packets');
	rtp(
		'msconf_rtp_packets_lost_total',
		'RTP packets lost: from senders to the server (in), and from the server to receivers as their reports say (out)',
		'packetsLost',
	);
	new Counter({
		name: 'msconf_rtcp_feedback_total',
		help: 'RTCP feedback (type nack, pli, fir): sent by the server to senders, and received from receivers',
		labelNames: ['type', 'direction', 'transport'],
		registers,
		collect() {
			sampler.poke();
			this.reset();
			for (const type of ['nack', 'pli', 'fir'] as const) {
				const at = RTP_COUNTERS.indexOf(type);
				for (const transport of TRANSPORT_TYPES) {
					this.inc({ type, direction: 'sent', transport }, sampler.producers.totals(transport)[at] ?? 0);
					this.inc({ type, direction: 'received', transport }, sampler.consumers.totals(transport)[at] ?? 0);
				}
			}
		},
	});
	new Gauge({
		name: 'msconf_stats_reading_duration_seconds',
		help: "How long the last reading of the workers' stats took (every transport, producer and consumer), wall clock, spread over half of metrics.statsIntervalMs",
		registers,
		collect() {
			const last = sampler.last;
			if (last) this.set(last.durationMs / 1000);
		},
	});
	new Gauge({
		name: 'msconf_stats_reading_objects',
		help: "Objects the last reading of the workers' stats read",
		registers,
		collect() {
			const last = sampler.last;
			if (last) this.set(last.objects);
		},
	});
}

/** Consumer scores (0..10, what a receiver gets), one observation per consumer per stats reading. */
export function consumerScoreHistogram(registry: Registry): Histogram {
	return new Histogram({
		name: 'msconf_consumer_score',
		help: "Consumers' scores (0..10) as each stats reading finds them: rate() gives consumer-time by quality",
		buckets: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
		registers: [registry],
	});
}
