// A network between a test's client and the server that the test can take
// away: every TCP connection through the proxy can be frozen (nothing passes
// either way, yet both ends keep their connections, as over a link that went
// dead: only timeouts and pings notice) or cut (both ends get a reset at once,
// as when a route disappears and the far side answers with RST), and then
// restored. Connections made while it is frozen wait; while it is cut they
// are reset.
import net from 'node:net';

interface Link {
	client: net.Socket;
	upstream: net.Socket | undefined;
}

type State = 'up' | 'frozen' | 'cut';

export class TcpProxy {
	readonly port: number;
	readonly #server: net.Server;
	readonly #target: { host: string; port: number };
	readonly #links = new Set<Link>();
	/** Every socket not closed yet, whatever its link became: close() ends them all. */
	readonly #sockets = new Set<net.Socket>();
	#state: State = 'up';

	static async start(target: { host: string; port: number }): Promise<TcpProxy> {
		const server = net.createServer();
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', resolve);
		});
		return new TcpProxy(server, target);
	}

	private constructor(server: net.Server, target: { host: string; port: number }) {
		this.#server = server;
		this.#target = target;
		this.port = (server.address() as net.AddressInfo).port;
		server.on('connection', (client) => this.#accept(client));
	}

	/** Nothing passes any more, and nobody is told. */
	freeze(): void {
		this.#state = 'frozen';
		for (const link of this.#links) {
			link.client.pause();
			link.upstream?.pause();
		}
	}

	/** Every connection is reset at both ends; new ones are reset too, until restore(). */
	cut(): void {
		this.#state = 'cut';
		for (const link of [...this.#links]) this.#reset(link);
	}

	/** The network is back: what waited passes, and new connections go through. */
	restore(): void {
		this.#state = 'up';
		for (const link of this.#links) {
			if (link.upstream) {
				link.client.resume();
				link.upstream.resume();
			} else this.#connect(link);
		}
	}

	async close(): Promise<void> {
		const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
		this.#links.clear();
		for (const socket of this.#sockets) socket.destroy();
		await closed;
	}

	#track(socket: net.Socket): void {
		this.#sockets.add(socket);
		socket.once('close', () => this.#sockets.delete(socket));
	}

	#accept(client: net.Socket): void {
		this.#track(client);
		if (this.#state === 'cut') {
			reset(client);
			return;
		}
		const link: Link = { client, upstream: undefined };
		this.#links.add(link);
		client.pause();
		client.on('error', () => this.#reset(link));
		client.on('close', (hadError) => this.#closed(link, hadError));
		if (this.#state === 'up') this.#connect(link);
	}

	#connect(link: Link): void {
		const upstream = net.connect(this.#target);
		this.#track(upstream);
		link.upstream = upstream;
		upstream.pause();
		upstream.on('connect', () => {
			if (this.#state !== 'up') return;
			link.client.resume();
			upstream.resume();
		});
		upstream.on('error', () => this.#reset(link));
		upstream.on('close', (hadError) => this.#closed(link, hadError));
		link.client.on('data', (chunk) => {
			if (upstream.writable) upstream.write(chunk);
		});
		upstream.on('data', (chunk) => {
			if (link.client.writable) link.client.write(chunk);
		});
		link.client.on('end', () => upstream.end());
		upstream.on('end', () => link.client.end());
	}

	/** One end closed: a clean close passes on as one (after what it sent), a failed one as a reset. */
	#closed(link: Link, hadError: boolean): void {
		if (hadError) {
			this.#reset(link);
			return;
		}
		if (!this.#links.delete(link)) return;
		link.client.end();
		link.upstream?.end();
	}

	#reset(link: Link): void {
		if (!this.#links.delete(link)) return;
		reset(link.client);
		if (link.upstream) reset(link.upstream);
	}
}

/**
 * Closes with a TCP reset where libuv can: not on a socket still connecting
 * (resetAndDestroy() waits for the connection first) nor on one that sent
 * its FIN already (libuv refuses to reset a handle with a shutdown pending,
 * and Node then never closes it: the process cannot exit). Those are only
 * destroyed.
 */
function reset(socket: net.Socket): void {
	if (socket.connecting || socket.destroyed || socket.writableEnded) socket.destroy();
	else socket.resetAndDestroy();
}
