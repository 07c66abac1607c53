// Runs in a worker thread and holds the drop sockets: bound with the smallest
// buffer the kernel allows, then the thread blocks in Atomics.wait so its
// event loop never reads them. After the first datagram or two fill a buffer,
// the kernel drops every further one and counts it in the socket's drops
// column of /proc/net/udp. The thread sleeps in the kernel meanwhile: it
// costs no CPU.
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

const { control, ip, count } = workerData as { control: SharedArrayBuffer; ip: string; count: number };
const stop = new Int32Array(control);

const sockets = await Promise.all(
	Array.from({ length: count }, async () => {
		const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 });
		await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
		return socket;
	}),
);
parentPort?.postMessage(sockets.map((socket) => socket.address().port));
Atomics.wait(stop, 0, 0);
for (const socket of sockets) socket.close();
