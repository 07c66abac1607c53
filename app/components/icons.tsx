// Inline SVG icons (no icon font to load), drawn on a 24x24 grid.
import type { ReactNode } from 'react';

/** Decorative: every button says what it does in its own label. `off` strikes the drawing through. */
function Icon({ children, off = false }: { children: ReactNode; off?: boolean | undefined }) {
	return (
		<svg
			width={22}
			height={22}
			viewBox="0 0 24 24"
			fill="none"
			stroke="currentColor"
			strokeWidth={2}
			strokeLinecap="round"
			strokeLinejoin="round"
			aria-hidden="true"
		>
			{children}
			{off ? <path d="M3 3l18 18" /> : null}
		</svg>
	);
}

export const MicIcon = ({ off }: { off?: boolean }) => (
	<Icon off={off}>
		<rect x="9" y="3" width="6" height="11" rx="3" />
		<path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
	</Icon>
);

export const CameraIcon = ({ off }: { off?: boolean }) => (
	<Icon off={off}>
		<rect x="3" y="6" width="13" height="12" rx="2" />
		<path d="M16 10l5-3v10l-5-3" />
	</Icon>
);

export const ScreenIcon = () => (
	<Icon>
		<rect x="3" y="4" width="18" height="12" rx="2" />
		<path d="M8 20h8M12 16v4" />
	</Icon>
);

export const ChatIcon = () => (
	<Icon>
		<path d="M4 5h16v11H8l-4 4z" />
	</Icon>
);

export const StatsIcon = () => (
	<Icon>
		<path d="M4 20V10M10 20V4M16 20v-7M22 20H2" />
	</Icon>
);

export const MoreIcon = () => (
	<Icon>
		<circle cx="5" cy="12" r="1" />
		<circle cx="12" cy="12" r="1" />
		<circle cx="19" cy="12" r="1" />
	</Icon>
);

export const LeaveIcon = () => (
	<Icon>
		<path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10" />
	</Icon>
);

export const ShieldIcon = () => (
	<Icon>
		<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" />
	</Icon>
);
