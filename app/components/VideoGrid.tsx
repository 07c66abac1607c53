// The tiles: me first, then everyone in order of arrival, then shared screens.
// The column count follows the number of tiles; the CSS sizes the 16:9 tiles
// so that all rows fit the height of the stage (see .grid in styles).
import type { CSSProperties } from 'react';
import { useAppSelector } from '../store/hooks.ts';
import { selectConsumers, selectPeers } from '../store/selectors.ts';
import { MeTile } from './MeTile.tsx';
import { PeerTile, ShareTile } from './PeerTile.tsx';

export function VideoGrid() {
	const peers = useAppSelector(selectPeers);
	const consumers = useAppSelector(selectConsumers);
	const sharing = peers.filter((peer) =>
		consumers.some((consumer) => consumer.peerId === peer.id && consumer.source === 'share'),
	);
	const count = peers.length + sharing.length + 1;
	const columns = columnsFor(count);
	const layout = { '--columns': columns, '--rows': Math.ceil(count / columns) } as CSSProperties;
	return (
		<div className="grid-area">
			<section className="grid" style={layout} data-count={count} aria-label="Participants">
				<MeTile />
				{peers.map((peer) => (
					<PeerTile key={peer.id} peerId={peer.id} />
				))}
				{sharing.map((peer) => (
					<ShareTile key={`share-${peer.id}`} peerId={peer.id} />
				))}
			</section>
		</div>
	);
}

/** Near-square arrangements: 2 tiles side by side, 4 as 2x2, 9 as 3x3. */
function columnsFor(count: number): number {
	if (count <= 1) return 1;
	if (count <= 4) return 2;
	if (count <= 9) return 3;
	if (count <= 16) return 4;
	return 5;
}
