// One connection to the terminal: a Node REPL whose input and output are the
// socket. The client's first line may be a hello (hello.ts) saying whether a
// person types in a TTY; the REPL is made for that (without one, or for
// piped input, a plain REPL fed one line at a time: LineFeeder.ts). The
// session owns its REPL and its socket: the socket closing (client gone, or close() at
// shutdown) closes the REPL; the REPL exiting (.exit, Ctrl-D, end of piped
// input) ends the socket once the commands still running have printed.
import type net from 'node:net';
import repl, { type REPLServer } from 'node:repl';
import { inspect } from 'node:util';
import { errorMessage } from '../errorMessage.ts';
import { helpText, type TerminalCommand } from './commands.ts';
import { PLAIN_HELLO, parseHello, type TerminalHello } from './hello.ts';
import { LineFeeder } from './LineFeeder.ts';

export interface SessionSetup {
	banner: string;
	commands: readonly TerminalCommand[];
	/** Puts the server's objects into the REPL's context. */
	installScope(context: object): void;
}

/** A first line longer than this is not a hello: the REPL gets it as input. */
const MAX_HELLO_BYTES = 4096;
/** At shutdown, how long a client that does not read may delay closing. */
const CLOSE_GRACE_MS = 500;

export class TerminalSession {
	readonly #socket: net.Socket;
	readonly #setup: SessionSetup;
	readonly #pending = new Set<Promise<void>>();
	readonly #closed: Promise<void>;
	#repl: REPLServer | undefined;
	#replExited = false;
	#inspectOptions: { colors: boolean; breakLength: number } = { colors: false, breakLength: 120 };

	constructor(socket: net.Socket, setup: SessionSetup) {
		this.#socket = socket;
		this.#setup = setup;
		this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
		// A client that vanishes shows up as an error, then 'close': nothing to report.
		socket.on('error', () => {});
		socket.once('close', () => this.#repl?.close());
		socket.write(setup.banner);
		void readFirstLine(socket).then((hello) => this.#start(hello));
	}

	/** Resolves when the socket has closed. */
	get closed(): Promise<void> {
		return this.#closed;
	}

	/** Server shutdown: tells the client, ends the connection, and waits for it to close. */
	close(message: string): Promise<void> {
		if (!this.#socket.destroyed) {
			const force = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS);
			this.#closed.finally(() => clearTimeout(force));
			this.#socket.end(`\n${message}\n`);
		}
		return this.#closed;
	}

	#start(hello: TerminalHello | undefined | 'ended'): void {
		if (hello === 'ended') this.#socket.end();
		if (hello === 'ended' || this.#socket.destroyed || this.#socket.writableEnded) return;
		const { terminal, colors, columns } = hello ?? PLAIN_HELLO;
		this.#inspectOptions = { colors, breakLength: columns ?? 120 };
		// readline sizes the line it edits by output.columns, which a socket lacks.
		if (columns !== undefined) Object.defineProperty(this.#socket, 'columns', { value: columns, configurable: true });
		const feeder = terminal ? undefined : new LineFeeder(this.#socket);
		const server = repl.start({
			input: feeder?.input ?? this.#socket,
			output: this.#socket,
			prompt: 'mediasoup> ',
			terminal,
			useColors: colors,
			useGlobal: false,
			ignoreUndefined: true,
			writer: (value: unknown) => this.#inspect(value),
		});
		this.#repl = server;
		if (feeder) {
			// The REPL has no event for "prompt shown", which is when it is done
			// with a line (an awaited expression, a dot-command): hook the method.
			const displayPrompt = server.displayPrompt.bind(server);
			server.displayPrompt = (preserveCursor?: boolean) => {
				displayPrompt(preserveCursor);
				feeder.ready();
			};
			feeder.ready();
		}
		this.#setup.installScope(server.context);
		for (const command of this.#setup.commands) {
			server.defineCommand(command.name, { help: command.help, action: (argument) => this.#run(command, argument) });
		}
		server.defineCommand('help', {
			help: 'This list',
			action: () => {
				this.#print(helpText(server.commands));
				this.#prompt();
			},
		});
		server.once('exit', () => {
			this.#replExited = true;
			void Promise.allSettled(this.#pending).then(() => this.#socket.end());
		});
	}

	#run(command: TerminalCommand, argument: string): void {
		const running: Promise<void> = command
			.run(argument)
			.then(
				(value) => this.#print(this.#format(value)),
				(error: unknown) => this.#print(errorMessage(error)),
			)
			.finally(() => {
				this.#pending.delete(running);
				this.#prompt();
			});
		this.#pending.add(running);
	}

	/** A command's message (a string) as it is; anything else, and every REPL result, inspected. */
	#format(value: unknown): string {
		return typeof value === 'string' ? value : this.#inspect(value);
	}

	#inspect(value: unknown): string {
		return inspect(value, { depth: 10, ...this.#inspectOptions });
	}

	#print(text: string): void {
		if (!this.#socket.writable) return;
		this.#socket.write(text.endsWith('\n') ? text : `${text}\n`);
	}

	#prompt(): void {
		// After the REPL exited (piped input ended) there is no prompt to show.
		if (!this.#replExited) this.#repl?.displayPrompt();
	}
}

/**
 * The hello if the first line is one. Whatever was read and is not the hello
 * goes back into the socket for the REPL to read.
 */
function readFirstLine(socket: net.Socket): Promise<TerminalHello | undefined | 'ended'> {
	return new Promise((resolve) => {
		let buffered = Buffer.alloc(0);
		const finish = (hello: TerminalHello | undefined, rest: Buffer) => {
			socket.pause();
			socket.off('data', onData);
			socket.off('end', onEnd);
			if (rest.length > 0) socket.unshift(rest);
			resolve(hello);
		};
		const onData = (chunk: Buffer) => {
			buffered = Buffer.concat([buffered, chunk]);
			const newline = buffered.indexOf('\n');
			if (newline === -1) {
				if (buffered.length > MAX_HELLO_BYTES) finish(undefined, buffered);
				return;
			}
			const hello = parseHello(buffered.subarray(0, newline).toString('utf8').replace(/\r$/, ''));
			finish(hello, hello ? buffered.subarray(newline + 1) : buffered);
		};
		// Input ended before a whole line: nothing for a REPL to do (and data
		// cannot be put back once the stream has ended).
		const onEnd = () => {
			socket.off('data', onData);
			resolve('ended');
		};
		socket.on('data', onData);
		socket.once('end', onEnd);
	});
}
