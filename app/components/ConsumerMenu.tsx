// The advanced controls of one remote video, folded away: priority when
// bandwidth is short, a fresh key frame, pausing it.
import type { ChangeEvent } from 'react';
import { useRoomClient } from '../RoomClientContext.ts';
import type { ConsumerState } from '../store/slices/consumers.ts';

const FRAME_RATES = ['Lowest', 'Low', 'Full'];

/** Temporal layers: fewer of them means fewer frames per second. */
function FrameRateSelect({ consumer }: { consumer: ConsumerState }) {
	const roomClient = useRoomClient();
	if (consumer.temporalLayers < 2) return null;
	const spatial = consumer.preferredSpatialLayer ?? consumer.spatialLayers - 1;
	const selected = consumer.preferredTemporalLayer ?? consumer.temporalLayers - 1;
	const onChange = (event: ChangeEvent<HTMLSelectElement>) =>
		void roomClient.remote.setPreferredLayers(consumer.id, spatial, Number(event.target.value));
	return (
		<label>
			Frame rate
			<select value={selected} onChange={onChange} data-testid="temporal-layer-select">
				{Array.from({ length: consumer.temporalLayers }, (_, layer) => (
					// biome-ignore lint/suspicious/noArrayIndexKey: layers are positions
					<option key={layer} value={layer}>
						{consumer.temporalLayers === FRAME_RATES.length ? FRAME_RATES[layer] : `Layer ${layer}`}
					</option>
				))}
			</select>
		</label>
	);
}

const PRIORITIES = [
	{ value: 1, label: 'Normal' },
	{ value: 128, label: 'High' },
	{ value: 255, label: 'Highest' },
];

export function ConsumerMenu({ consumer }: { consumer: ConsumerState }) {
	const roomClient = useRoomClient();
	const onPriority = (event: ChangeEvent<HTMLSelectElement>) => {
		void roomClient.remote.setPriority(consumer.id, Number(event.target.value));
	};
	const togglePaused = () =>
		void (consumer.locallyPaused ? roomClient.remote.resume(consumer.id) : roomClient.remote.pause(consumer.id));
	return (
		<details className="consumer-menu">
			<summary title="More video options" aria-label="More video options">
				⋯
			</summary>
			<div className="menu-panel">
				<FrameRateSelect consumer={consumer} />
				<label>
					Priority
					<select value={consumer.priority} onChange={onPriority} data-testid="priority-select">
						{PRIORITIES.map((priority) => (
							<option key={priority.value} value={priority.value}>
								{priority.label}
							</option>
						))}
					</select>
				</label>
				<button
					type="button"
					onClick={() => void roomClient.remote.requestKeyFrame(consumer.id)}
					data-testid="keyframe-button"
				>
					Request key frame
				</button>
				<button type="button" onClick={togglePaused} data-testid="pause-video-button">
					{consumer.locallyPaused ? 'Resume video' : 'Pause video'}
				</button>
			</div>
		</details>
	);
}
