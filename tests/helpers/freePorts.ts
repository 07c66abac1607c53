// WebRtcServers need fixed ports (base + worker index). Tests pick them above
// Linux's ephemeral range (32768-60999), where outgoing connections and
// mediasoup's own transports (10000-59999) do not land, and check that udp and
// tcp are both free on every port of the run, so parallel test files do not
// collide.
import dgram from 'node:dgram';
import net from 'node:net';

const LOW = 61000;
const HIGH = 65000;

/** A base port such that base .. base + count - 1 are free for udp and tcp on `ip`. */
export async function findFreePortRange(count: number, ip = '127.0.0.1'): Promise<number> {
	for (let tries = 0; tries < 50; tries++) {
		const base = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
		const ports = Array.from({ length: count }, (_, offset) => base + offset);
		const free = await Promise.all(ports.map(async (port) => (await udpFree(port, ip)) && (await tcpFree(port, ip))));
		if (free.every(Boolean)) return base;
	}
	throw new Error(`no ${count} consecutive free ports between ${LOW} and ${HIGH}`);
}

/** Holds a UDP port, as another program would; close() releases it. */
export async function holdUdpPort(port: number, ip = '127.0.0.1'): Promise<dgram.Socket> {
	const socket = dgram.createSocket('udp4');
	await new Promise<void>((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(port, ip, () => {
			socket.off('error', reject);
			resolve();
		});
	});
	return socket;
}

export function releaseUdpPort(socket: dgram.Socket): Promise<void> {
	return new Promise((resolve) => socket.close(() => resolve()));
}

async function udpFree(port: number, ip: string): Promise<boolean> {
	try {
		await releaseUdpPort(await holdUdpPort(port, ip));
		return true;
	} catch {
		return false;
	}
}

function tcpFree(port: number, ip: string): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, ip, () => server.close(() => resolve(true)));
	});
}
