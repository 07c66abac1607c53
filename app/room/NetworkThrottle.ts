// Simulates a bad network on the server's interface (ours, for testing): the
// page offers it only when opened with throttleSecret, which the server checks.
import { roomActions } from '../store/slices/room.ts';
import { errorMessage } from './errors.ts';
import type { RoomContext } from './RoomContext.ts';

export interface ThrottleSettings {
	/** kbit/s */
	uplink?: number;
	/** kbit/s */
	downlink?: number;
	/** ms */
	rtt?: number;
	/** % */
	packetLoss?: number;
}

export class NetworkThrottle {
	readonly #ctx: RoomContext;

	constructor(ctx: RoomContext) {
		this.#ctx = ctx;
	}

	async apply(settings: ThrottleSettings): Promise<void> {
		await this.#request(true, 'Network throttle applied', () =>
			this.#ctx.signaling().request('applyNetworkThrottle', { secret: this.#secret(), ...settings }),
		);
	}

	async reset(): Promise<void> {
		await this.#request(false, 'Network throttle removed', () =>
			this.#ctx.signaling().request('resetNetworkThrottle', { secret: this.#secret() }),
		);
	}

	#secret(): string {
		return this.#ctx.options.throttleSecret ?? '';
	}

	async #request(applied: boolean, done: string, send: () => Promise<unknown>): Promise<void> {
		try {
			await send();
			this.#ctx.store.dispatch(roomActions.throttleChanged(applied));
			this.#ctx.notifier.notify('info', done);
		} catch (error) {
			this.#ctx.notifier.notify('error', `Throttle: ${errorMessage(error)}`);
		}
	}
}
