// A round control with an icon and a label under it; `active` shows the
// state (microphone on, camera on) at a glance.
import type { ReactNode } from 'react';

interface Props {
	label: string;
	icon: ReactNode;
	onClick(): void;
	/** Toggles show their state (aria-pressed). */
	active?: boolean;
	/** Shown in red: my microphone or camera is off. */
	off?: boolean;
	danger?: boolean;
	disabled?: boolean;
	title?: string;
	testId: string;
	badge?: number;
}

export function ControlButton({ label, icon, onClick, active, off, danger, disabled, title, testId, badge }: Props) {
	const classes = ['control', off ? 'off' : '', danger ? 'danger' : ''].filter(Boolean).join(' ');
	return (
		<button
			type="button"
			className={classes}
			onClick={onClick}
			disabled={disabled}
			title={title ?? label}
			aria-pressed={active}
			data-testid={testId}
		>
			<span className="control-icon" aria-hidden="true">
				{icon}
			</span>
			<span className="control-label">{label}</span>
			{badge ? <span className="control-badge">{badge}</span> : null}
		</button>
	);
}
