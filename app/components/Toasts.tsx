// Toast notifications: who joined or left, what failed. They go away by
// themselves, or at once with their close button.
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import { selectNotifications } from '../store/selectors.ts';
import { notificationsActions } from '../store/slices/notifications.ts';

export function Toasts() {
	const dispatch = useAppDispatch();
	const notifications = useAppSelector(selectNotifications);
	return (
		<div className="toasts" aria-live="polite">
			{notifications.map((notification) => (
				<div
					key={notification.id}
					className={`toast toast-${notification.type}`}
					role="status"
					data-testid="toast"
					data-type={notification.type}
				>
					<div className="toast-body">
						{notification.title ? <strong>{notification.title}</strong> : null}
						<span>{notification.text}</span>
					</div>
					<button
						type="button"
						className="toast-close"
						aria-label="Dismiss"
						onClick={() => dispatch(notificationsActions.notificationRemoved(notification.id))}
					>
						×
					</button>
				</div>
			))}
		</div>
	);
}
