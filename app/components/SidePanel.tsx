// The frame of a panel beside the video grid (chat, statistics): a titled
// header with a close button, then the panel's own content.
import type { ReactNode } from 'react';

export function SidePanel({
	name,
	title,
	onClose,
	children,
}: {
	/** The panel's class and test id: "chat" gives class "side-panel chat" and test id "chat-panel". */
	name: string;
	title: string;
	onClose: () => void;
	children: ReactNode;
}) {
	return (
		<aside className={`side-panel ${name}`} data-testid={`${name}-panel`} aria-label={title}>
			<header className="side-panel-header">
				<h2>{title}</h2>
				<button type="button" className="close" onClick={onClose} aria-label={`Close ${title.toLowerCase()}`}>
					×
				</button>
			</header>
			{children}
		</aside>
	);
}
