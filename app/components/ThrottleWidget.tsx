// Simulates a bad network on the server's interface (uplink and downlink in
// kbit/s, RTT in ms, loss in %) for testing. Only shown when the server would
// allow it: with throttleSecret in open mode, to moderators in token mode.
import { type FormEvent, useState } from 'react';
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppSelector } from '../store/hooks.ts';
import { selectRoom, selectThrottleAvailable } from '../store/selectors.ts';

const FIELDS = [
	{ name: 'uplink', label: 'Uplink (kbit/s)', placeholder: '1000' },
	{ name: 'downlink', label: 'Downlink (kbit/s)', placeholder: '1000' },
	{ name: 'rtt', label: 'RTT (ms)', placeholder: '100' },
	{ name: 'packetLoss', label: 'Loss (%)', placeholder: '0' },
] as const;

type FieldName = (typeof FIELDS)[number]['name'];

export function ThrottleWidget() {
	const roomClient = useRoomClient();
	const { throttleApplied } = useAppSelector(selectRoom);
	const throttleAvailable = useAppSelector(selectThrottleAvailable);
	const [values, setValues] = useState<Record<FieldName, string>>({
		uplink: '',
		downlink: '',
		rtt: '',
		packetLoss: '',
	});
	if (!throttleAvailable) return null;
	const apply = (event: FormEvent) => {
		event.preventDefault();
		const settings: Partial<Record<FieldName, number>> = {};
		for (const { name } of FIELDS) if (values[name] !== '') settings[name] = Number(values[name]);
		void roomClient.throttle.apply(settings);
	};
	return (
		<details className="throttle" data-testid="throttle-widget">
			<summary>Network throttle{throttleApplied ? ' (on)' : ''}</summary>
			<form onSubmit={apply}>
				{FIELDS.map((field) => (
					<label key={field.name}>
						{field.label}
						<input
							type="number"
							min={0}
							placeholder={field.placeholder}
							value={values[field.name]}
							onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
						/>
					</label>
				))}
				<button type="submit">Apply</button>
				<button type="button" onClick={() => void roomClient.throttle.reset()}>
					Reset
				</button>
			</form>
		</details>
	);
}
