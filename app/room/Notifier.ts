// Toasts: adds a notification to the store and removes it after a while
// (errors stay longer, they may need reading twice).
import { notificationsActions } from '../store/slices/notifications.ts';
import type { AppStore } from '../store/store.ts';

const INFO_MS = 4000;
const ERROR_MS = 7000;

export class Notifier {
	readonly #store: AppStore;
	#seq = 0;

	constructor(store: AppStore) {
		this.#store = store;
	}

	notify(type: 'info' | 'error', text: string, title: string | null = null): void {
		const id = `n${++this.#seq}`;
		const timeout = type === 'error' ? ERROR_MS : INFO_MS;
		this.#store.dispatch(notificationsActions.notificationAdded({ id, type, title, text, timeout }));
		// The person may have dismissed it already: removing it twice is harmless.
		setTimeout(() => this.#store.dispatch(notificationsActions.notificationRemoved(id)), timeout);
	}

	/** A unique id for other short-lived things (chat messages). */
	nextId(): string {
		return `${Date.now()}-${++this.#seq}`;
	}
}
