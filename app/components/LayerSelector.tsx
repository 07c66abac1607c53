// Lets a person pick the quality of one remote video: which simulcast stream
// or SVC spatial layer the server forwards to this page.
import type { ChangeEvent } from 'react';
import { useRoomClient } from '../RoomClientContext.ts';
import type { ConsumerState } from '../store/slices/consumers.ts';

const NAMES = ['Low', 'Medium', 'High', 'Highest'];

export function LayerSelector({ consumer }: { consumer: ConsumerState }) {
	const roomClient = useRoomClient();
	if (consumer.spatialLayers < 2) return null;
	const layers = Array.from({ length: consumer.spatialLayers }, (_, layer) => layer);
	const selected = consumer.preferredSpatialLayer ?? consumer.spatialLayers - 1;
	const onChange = (event: ChangeEvent<HTMLSelectElement>) => {
		void roomClient.remote.setPreferredLayers(
			consumer.id,
			Number(event.target.value),
			consumer.preferredTemporalLayer ?? undefined,
		);
	};
	return (
		<label className="layer-selector" title="Video quality you receive">
			<span className="visually-hidden">Video quality</span>
			<select value={selected} onChange={onChange} data-testid="layer-select">
				{layers.map((layer) => (
					<option key={layer} value={layer}>
						{NAMES[layer] ?? `Layer ${layer}`}
					</option>
				))}
			</select>
		</label>
	);
}
