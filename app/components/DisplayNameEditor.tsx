// My name, editable in place: click, type, Enter (Escape cancels).
import { type FormEvent, useState } from 'react';
import { MAX_DISPLAY_NAME_LENGTH } from '../../protocol/limits.ts';
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppSelector } from '../store/hooks.ts';
import { selectMe } from '../store/selectors.ts';

export function DisplayNameEditor() {
	const roomClient = useRoomClient();
	const { displayName } = useAppSelector(selectMe);
	const [draft, setDraft] = useState<string | null>(null);

	if (draft === null) {
		return (
			<button
				type="button"
				className="tile-name editable"
				title="Change your name"
				onClick={() => setDraft(displayName)}
				data-testid="my-name"
			>
				{displayName}
			</button>
		);
	}
	const submit = (event: FormEvent) => {
		event.preventDefault();
		void roomClient.changeDisplayName(draft);
		setDraft(null);
	};
	return (
		<form className="name-form" onSubmit={submit}>
			<input
				// biome-ignore lint/a11y/noAutofocus: the person just clicked to edit this name
				autoFocus
				aria-label="Your name"
				value={draft}
				maxLength={MAX_DISPLAY_NAME_LENGTH}
				onChange={(event) => setDraft(event.target.value)}
				onBlur={() => setDraft(null)}
				onKeyDown={(event) => {
					if (event.key === 'Escape') setDraft(null);
				}}
				data-testid="name-input"
			/>
		</form>
	);
}
