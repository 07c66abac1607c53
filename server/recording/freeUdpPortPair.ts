// An even/odd pair of free local UDP ports (RTP, RTCP) for GStreamer to listen
// on. The ports are released before GStreamer binds them; another process could
// take one in between, which GStreamer then reports as a bind error.
import dgram from 'node:dgram';

export async function freeUdpPortPair(ip = '127.0.0.1'): Promise<number> {
	for (let attempt = 0; attempt < 20; attempt++) {
		const first = await bind(0, ip);
		const port = first.address().port;
		const second = await bind(port + 1, ip).catch(() => undefined);
		first.close();
		second?.close();
		if (second && port + 1 <= 65535) return port;
	}
	throw new Error('no free pair of local UDP ports for a recording');
}

function bind(port: number, ip: string): Promise<dgram.Socket> {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket('udp4');
		socket.once('error', reject);
		socket.bind(port, ip, () => {
			socket.off('error', reject);
			resolve(socket);
		});
	});
}
