// The gauges of what the server holds now, from one census per scrape
// (MediaCensus.ts): rooms, peers by state, broadcasters, transports by type,
// producers and consumers by kind (and by the type of transport they are on:
// "pipe" ones are a spread room's copies between workers), data producers and
// consumers, recordings.
import { Gauge, type Registry } from 'prom-client';
import { MEDIA_KINDS, type MediaCensus, PEER_STATES } from './MediaCensus.ts';
import { TRANSPORT_TYPES } from './TrafficSampler.ts';

export function registerMediaGauges(registry: Registry, census: () => MediaCensus): void {
	const registers = [registry];
	const single = (name: string, help: string, read: (now: MediaCensus) => number) =>
		new Gauge({
			name,
			help,
			registers,
			collect() {
				this.set(read(census()));
			},
		});
	single('msconf_rooms', 'Rooms', (now) => now.rooms);
	single('msconf_rooms_spread', 'Rooms whose members are on more than one worker', (now) => now.spreadRooms);
	single('msconf_broadcasters', 'Broadcasters (REST API members) in rooms', (now) => now.broadcasters);
	single('msconf_recordings', 'Rooms being recorded', (now) => now.recordings);
	new Gauge({
		name: 'msconf_peers',
		help: 'Peers (protoo connections) by state: connecting (not joined yet), lobby (waiting for a moderator), joined, reconnecting (joined, connection lost, in its grace period)',
		labelNames: ['state'],
		registers,
		collect() {
			const { peers } = census();
			for (const state of PEER_STATES) this.set({ state }, peers[state]);
		},
	});
	new Gauge({
		name: 'msconf_transports',
		help: 'mediasoup transports by type (webrtc: browsers; plain: broadcasters and recording; pipe: between the workers of a spread room)',
		labelNames: ['type'],
		registers,
		collect() {
			const { transports } = census();
			for (const type of TRANSPORT_TYPES) this.set({ type }, transports[type]);
		},
	});
	for (const [name, help, pick] of [
		['msconf_producers', 'mediasoup producers by kind and by the type of their transport', 'producers'],
		['msconf_consumers', 'mediasoup consumers by kind and by the type of their transport', 'consumers'],
	] as const) {
		new Gauge({
			name,
			help,
			labelNames: ['kind', 'transport'],
			registers,
			collect() {
				const counts = census()[pick];
				for (const kind of MEDIA_KINDS) {
					for (const transport of TRANSPORT_TYPES) this.set({ kind, transport }, counts[kind][transport]);
				}
			},
		});
	}
	for (const [name, help, pick] of [
		[
			'msconf_data_producers',
			'mediasoup data producers (DataChannels in) by the type of their transport',
			'dataProducers',
		],
		[
			'msconf_data_consumers',
			'mediasoup data consumers (DataChannels out) by the type of their transport',
			'dataConsumers',
		],
	] as const) {
		new Gauge({
			name,
			help,
			labelNames: ['transport'],
			registers,
			collect() {
				const counts = census()[pick];
				for (const transport of TRANSPORT_TYPES) this.set({ transport }, counts[transport]);
			},
		});
	}
}
