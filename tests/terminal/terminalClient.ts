// A scripted client of the admin terminal for tests: connects like
// `npm run connect` with piped input (plain REPL, no colours), sends one line
// at a time and returns what the server printed before its next prompt.
import { once } from 'node:events';
import net from 'node:net';
import { formatHello } from '../../server/terminal/hello.ts';
import { waitFor } from '../helpers/waitFor.ts';

const PROMPT = 'mediasoup> ';

export class TerminalClient {
	readonly socket: net.Socket;
	#output = '';

	static async connect(socketPath: string): Promise<TerminalClient> {
		const socket = net.connect(socketPath);
		await once(socket, 'connect');
		const client = new TerminalClient(socket);
		socket.write(formatHello({ terminal: false, colors: false, columns: 120 }));
		await waitFor('the first prompt', () => client.#output.endsWith(PROMPT));
		return client;
	}

	private constructor(socket: net.Socket) {
		this.socket = socket;
		socket.setEncoding('utf8');
		socket.on('data', (text: string) => {
			this.#output += text;
		});
	}

	/** Everything the server sent so far, banner included. */
	get output(): string {
		return this.#output;
	}

	/** Sends a line; resolves with the server's answer (without the prompt that follows it). */
	async send(line: string): Promise<string> {
		const start = this.#output.length;
		this.socket.write(`${line}\n`);
		const answer = await waitFor(`the answer to ${line}`, () => {
			const text = this.#output.slice(start);
			return text.endsWith(PROMPT) && text;
		});
		return answer.slice(0, -PROMPT.length);
	}

	async close(): Promise<void> {
		if (this.socket.destroyed) return;
		this.socket.end();
		await once(this.socket, 'close');
	}
}
