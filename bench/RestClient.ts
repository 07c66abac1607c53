// JSON over HTTPS to the server under test, with kept-alive connections: a
// ramp to a thousand receivers makes thousands of requests, and a TLS
// handshake for each would slow the set-up (not the measurement) down a lot.
import { Agent, request } from 'node:https';

export class RestError extends Error {
	readonly status: number;

	constructor(method: string, path: string, status: number, body: string) {
		super(`${method} ${path} answered ${status}: ${body.slice(0, 300)}`);
		this.status = status;
	}
}

export class RestClient {
	readonly #baseUrl: string;
	readonly #agent: Agent;

	constructor(baseUrl: string, ca: string | undefined) {
		this.#baseUrl = baseUrl;
		this.#agent = new Agent({ keepAlive: true, maxSockets: 16, ...(ca ? { ca } : {}) });
	}

	get<T>(path: string): Promise<T> {
		return this.#send<T>('GET', path, undefined);
	}

	post<T>(path: string, body?: unknown): Promise<T> {
		return this.#send<T>('POST', path, body);
	}

	delete<T>(path: string): Promise<T> {
		return this.#send<T>('DELETE', path, undefined);
	}

	close(): void {
		this.#agent.destroy();
	}

	#send<T>(method: string, path: string, body: unknown, retried = false): Promise<T> {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		return new Promise<T>((resolve, reject) => {
			const req = request(
				`${this.#baseUrl}${path}`,
				{
					method,
					agent: this.#agent,
					headers: payload ? { 'content-type': 'application/json' } : {},
					timeout: 60_000,
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () => {
						const text = Buffer.concat(chunks).toString('utf8');
						const status = res.statusCode ?? 0;
						if (status >= 400) reject(new RestError(method, path, status, text));
						else resolve((text ? JSON.parse(text) : undefined) as T);
					});
					res.on('error', reject);
				},
			);
			req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
			req.on('error', (error: NodeJS.ErrnoException) => {
				// The server closed an idle kept-alive connection just as we reused
				// it: the request never reached it, so sending it again is safe
				// (the pattern Node's http docs give for reusedSocket).
				if (!retried && req.reusedSocket && error.code === 'ECONNRESET') {
					this.#send<T>(method, path, body, true).then(resolve, reject);
				} else reject(error);
			});
			if (payload) req.write(payload);
			req.end();
		});
	}
}
