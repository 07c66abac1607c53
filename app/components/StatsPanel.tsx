// Live numbers: for each transport, producer, consumer and data channel, what
// the browser measures (RTCPeerConnection getStats) next to what the server
// measures (mediasoup getStats), refreshed every second.
import { createSelector } from '@reduxjs/toolkit';
import { useEffect, useState } from 'react';
import { useRoomClient } from '../RoomClientContext.ts';
import type { MediaStats, StatsSubject } from '../room/MediaStats.ts';
import { localStatsRows, type StatsRow, serverStatsRows } from '../stats/statsRows.ts';
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import {
	selectConsumers,
	selectDataConsumers,
	selectDataProducers,
	selectPeersById,
	selectProducers,
} from '../store/selectors.ts';
import type { ConsumerState } from '../store/slices/consumers.ts';
import type { DataConsumerState } from '../store/slices/dataConsumers.ts';
import type { DataProducerState } from '../store/slices/dataProducers.ts';
import type { PeerState } from '../store/slices/peers.ts';
import type { ProducerState } from '../store/slices/producers.ts';
import { roomActions } from '../store/slices/room.ts';
import { SidePanel } from './SidePanel.tsx';
import { StatsTable } from './StatsTable.tsx';

const REFRESH_MS = 1000;

interface SectionSpec {
	kind: StatsSubject;
	id: string;
	title: string;
	/** For consumers: whose media, and which kind (to find them in tests). */
	peerId?: string;
	mediaKind?: string;
}

interface Section extends SectionSpec {
	browser: StatsRow[] | null;
	server: StatsRow[];
}

function sectionSpecs(
	producers: ProducerState[],
	dataProducers: DataProducerState[],
	consumers: ConsumerState[],
	dataConsumers: DataConsumerState[],
	peers: Record<string, PeerState>,
): SectionSpec[] {
	const specs: SectionSpec[] = [
		{ kind: 'transport', id: 'send', title: 'Sending transport' },
		{ kind: 'transport', id: 'recv', title: 'Receiving transport' },
	];
	for (const producer of producers) {
		specs.push({
			kind: 'producer',
			id: producer.id,
			title: `My ${producer.source} (${producer.codec})`,
			mediaKind: producer.kind,
		});
	}
	for (const dataProducer of dataProducers) {
		specs.push({ kind: 'dataProducer', id: dataProducer.id, title: `My "${dataProducer.label}" channel` });
	}
	for (const consumer of consumers) {
		const name = peers[consumer.peerId]?.displayName ?? consumer.peerId;
		specs.push({
			kind: 'consumer',
			id: consumer.id,
			title: `${name}'s ${consumer.source === 'unknown' ? consumer.kind : consumer.source} (${consumer.codec})`,
			peerId: consumer.peerId,
			mediaKind: consumer.kind,
		});
	}
	for (const dataConsumer of dataConsumers) {
		const from =
			dataConsumer.peerId === null ? 'the bot' : (peers[dataConsumer.peerId]?.displayName ?? dataConsumer.peerId);
		specs.push({ kind: 'dataConsumer', id: dataConsumer.id, title: `"${dataConsumer.label}" from ${from}` });
	}
	return specs;
}

/** The sections in order; a new array only when one of their subjects changed. */
const selectSectionSpecs = createSelector(
	[selectProducers, selectDataProducers, selectConsumers, selectDataConsumers, selectPeersById],
	sectionSpecs,
);

/**
 * Fetches one section's browser and server stats; a vanished object gives
 * empty rows, a transport this page does not have no section at all.
 */
async function loadSection(stats: MediaStats, spec: SectionSpec): Promise<Section | null> {
	const safe = <T,>(promise: Promise<T>): Promise<T | undefined> => promise.catch(() => undefined);
	const browser = await safe(stats.browser(spec.kind, spec.id));
	if (spec.kind === 'transport' && !browser) return null;
	const server = await safe(stats.server(spec.kind, spec.id));
	// A data channel has no stats of its own in the browser: no "Browser" table.
	const inBrowser = spec.kind === 'transport' || spec.kind === 'producer' || spec.kind === 'consumer';
	return {
		...spec,
		browser: inBrowser ? (browser ? localStatsRows(browser) : []) : null,
		server: serverStatsRows(server ?? []),
	};
}

function useLiveStats(specs: SectionSpec[]): Section[] {
	const { stats } = useRoomClient();
	const [sections, setSections] = useState<Section[]>([]);
	const key = JSON.stringify(specs);
	// biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `specs`
	useEffect(() => {
		let cancelled = false;
		const refresh = async () => {
			const loaded = await Promise.all(specs.map((spec) => loadSection(stats, spec)));
			if (!cancelled) setSections(loaded.filter((section): section is Section => section !== null));
		};
		void refresh();
		const timer = setInterval(() => void refresh(), REFRESH_MS);
		return () => {
			cancelled = true;
			clearInterval(timer);
		};
	}, [stats, key]);
	return sections;
}

export function StatsPanel() {
	const dispatch = useAppDispatch();
	const sections = useLiveStats(useAppSelector(selectSectionSpecs));
	return (
		<SidePanel name="stats" title="Statistics" onClose={() => dispatch(roomActions.statsToggled(false))}>
			<div className="stats-sections">
				{sections.map((section) => (
					<details
						key={`${section.kind}-${section.id}`}
						open
						className="stats-section"
						data-testid="stats-section"
						data-kind={section.kind}
						data-id={section.id}
						data-peer-id={section.peerId}
						data-media-kind={section.mediaKind}
					>
						<summary>{section.title}</summary>
						{section.browser ? (
							<>
								<h3>Browser</h3>
								<StatsTable rows={section.browser} source="browser" />
							</>
						) : null}
						<h3>Server</h3>
						<StatsTable rows={section.server} source="server" />
					</details>
				))}
			</div>
		</SidePanel>
	);
}
