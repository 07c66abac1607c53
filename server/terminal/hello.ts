// The first line `npm run connect` sends: what kind of terminal sits at the
// other end. Only the client knows whether a person types in a real TTY (then
// the REPL edits lines, echoes and colours) or a pipe feeds it commands (then
// plain text). Anything else as first line (socat, nc, a test) is taken as
// the first input of a plain session, so the hello is optional.
import type net from 'node:net';

export interface TerminalHello {
	/** The client's stdin is a TTY in raw mode: the server echoes and edits lines. */
	terminal: boolean;
	/** The client's stdout shows ANSI colours. */
	colors: boolean;
	/** Width of the client's terminal, for line editing and wrapping output. */
	columns: number | undefined;
}

export const PLAIN_HELLO: TerminalHello = { terminal: false, colors: false, columns: undefined };

const PREFIX = 'mediasoup-terminal-hello ';

/** A first line longer than this is not a hello: the session gets it as input. */
const MAX_HELLO_BYTES = 4096;

export function formatHello(hello: TerminalHello): string {
	return `${PREFIX}${JSON.stringify(hello)}\n`;
}

/** The hello in a first line (without its newline), or undefined if it is not one. */
export function parseHello(line: string): TerminalHello | undefined {
	if (!line.startsWith(PREFIX)) return undefined;
	let value: unknown;
	try {
		value = JSON.parse(line.slice(PREFIX.length));
	} catch {
		return undefined;
	}
	if (typeof value !== 'object' || value === null) return undefined;
	const { terminal, colors, columns } = value as Record<string, unknown>;
	return {
		terminal: terminal === true,
		colors: colors === true,
		columns: typeof columns === 'number' && Number.isInteger(columns) && columns > 0 ? columns : undefined,
	};
}

/**
 * Reads the socket's first line: the hello if it is one (PLAIN_HELLO if not),
 * or 'ended' when input ended before a whole line, which leaves nothing to
 * run (and data cannot be put back once a stream has ended). What was read
 * and is not the hello goes back into the paused socket, for the session to
 * read: a TTY session's REPL reads the socket itself.
 */
export function readHello(socket: net.Socket): Promise<TerminalHello | 'ended'> {
	return new Promise((resolve) => {
		let buffered = Buffer.alloc(0);
		const finish = (hello: TerminalHello | 'ended', rest?: Buffer) => {
			socket.pause();
			socket.off('data', onData);
			socket.off('end', onEnd);
			if (rest && rest.length > 0) socket.unshift(rest);
			resolve(hello);
		};
		const onData = (chunk: Buffer) => {
			buffered = Buffer.concat([buffered, chunk]);
			const newline = buffered.indexOf('\n');
			if (newline === -1) {
				if (buffered.length > MAX_HELLO_BYTES) finish(PLAIN_HELLO, buffered);
				return;
			}
			const hello = parseHello(buffered.subarray(0, newline).toString('utf8').replace(/\r$/, ''));
			finish(hello ?? PLAIN_HELLO, hello ? buffered.subarray(newline + 1) : buffered);
		};
		const onEnd = () => finish('ended');
		socket.on('data', onData);
		socket.once('end', onEnd);
	});
}
