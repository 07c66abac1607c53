// The invitation: this room's address, copied with one click. It never
// carries this page's token (a token is one person's): on a server in token
// mode it says that whoever is invited needs a link with their own token.
import { useState } from 'react';
import { useAppSelector } from '../store/hooks.ts';
import { selectAccess, selectRoom } from '../store/selectors.ts';

export function InviteLink() {
	const { inviteUrl } = useAppSelector(selectRoom);
	const { tokenMode } = useAppSelector(selectAccess);
	const [copied, setCopied] = useState(false);
	const copy = async () => {
		try {
			await navigator.clipboard.writeText(inviteUrl);
			setCopied(true);
			setTimeout(() => setCopied(false), 2000);
		} catch {
			// No clipboard permission: the link stays visible to copy by hand.
		}
	};
	return (
		<div className="invite">
			<input
				readOnly
				value={inviteUrl}
				aria-label="Invitation link"
				data-testid="invite-link"
				onFocus={(event) => event.target.select()}
			/>
			<button type="button" onClick={() => void copy()} data-testid="invite-copy">
				{copied ? 'Copied!' : 'Copy invite link'}
			</button>
			{tokenMode ? (
				<span className="invite-note" data-testid="invite-note">
					Each invitee needs their own access token: this link has none.
				</span>
			) : null}
		</div>
	);
}
