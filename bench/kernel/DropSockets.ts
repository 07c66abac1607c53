// Counting the RTP of the receivers that are not sampled, without reading it.
// Reading a packet in Node costs about as much CPU as the worker spends
// forwarding it, so a bench that read everything would measure itself. These
// sockets are never read (a blocked worker thread holds them, see
// dropSocketThread.ts): the kernel drops what arrives once their tiny buffers
// are full and counts it per socket in /proc/net/udp, at no cost to us.
//
// Why not the UDP NoPorts counter of /proc/net/snmp (send to a port where
// nothing listens)? It counts for the whole machine, so anything else sending
// to a closed port meanwhile (tests, browsers, other servers) adds to it, and
// every such datagram makes the kernel try to send an ICMP error. A socket's
// own drop counter counts only what is sent to it.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { udpSocketDrops } from './procNet.ts';

export class DropSockets {
	readonly ip: string;
	readonly ports: readonly number[];
	readonly #thread: Worker;
	readonly #control: SharedArrayBuffer;

	static async open(count: number, ip = '127.0.0.1'): Promise<DropSockets> {
		const control = new SharedArrayBuffer(4);
		const thread = new Worker(new URL('./dropSocketThread.ts', import.meta.url), {
			workerData: { control, ip, count },
		});
		const [ports] = (await Promise.race([
			once(thread, 'message'),
			once(thread, 'error').then(([error]) => Promise.reject(error)),
		])) as [number[]];
		return new DropSockets(ip, ports, thread, control);
	}

	private constructor(ip: string, ports: number[], thread: Worker, control: SharedArrayBuffer) {
		this.ip = ip;
		this.ports = ports;
		this.#thread = thread;
		this.#control = control;
	}

	/** Datagrams dropped so far by socket `index`; only differences mean anything. */
	drops(index: number): number {
		const port = this.ports[index];
		const drops = port === undefined ? undefined : udpSocketDrops(port);
		if (drops === undefined) throw new Error(`drop socket ${index} (port ${port}) is not in /proc/net/udp`);
		return drops;
	}

	async close(): Promise<void> {
		const exited = once(this.#thread, 'exit');
		const stop = new Int32Array(this.#control);
		Atomics.store(stop, 0, 1);
		Atomics.notify(stop, 0);
		await exited;
	}
}
