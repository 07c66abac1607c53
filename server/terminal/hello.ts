// The first line `npm run connect` sends: what kind of terminal sits at the
// other end. Only the client knows whether a person types in a real TTY (then
// the REPL edits lines, echoes and colours) or a pipe feeds it commands (then
// plain text). Anything else as first line (socat, nc, a test) is taken as
// the first input of a plain session, so the hello is optional.

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
