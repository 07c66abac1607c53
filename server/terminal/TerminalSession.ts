// One connection to the terminal: a Node REPL inside the server, writing to
// the socket. The client's hello (hello.ts) says whether a person types in a
// TTY: then the REPL reads the socket itself, editing lines and echoing.
// Otherwise (piped input, a client without hello) a plain loop reads lines
// and gives the REPL the next one only once it has shown its prompt again:
// Node's REPL starts every line of a chunk at once, so the output of an
// awaited expression or a dot-command would come after that of the lines
// below it. The REPL still evaluates every line, so both kinds of session
// run the same JavaScript and the same commands.
//
// The session owns its REPL and its socket. The REPL exiting (.exit, Ctrl-D,
// end of piped input) ends the socket once running commands have printed;
// the socket closing (client gone, or close() at shutdown) closes the REPL
// and the session.
import type net from 'node:net';
import { createInterface } from 'node:readline';
import repl, { type REPLServer } from 'node:repl';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { Closable } from '../../lifecycle/Closable.ts';
import { errorMessage } from '../errorMessage.ts';
import { helpText, type TerminalCommand } from './commands.ts';
import { readHello, type TerminalHello } from './hello.ts';

export interface SessionSetup {
	banner: string;
	commands: readonly TerminalCommand[];
	/** Puts the server's objects into the REPL's context. */
	installScope(context: object): void;
}

/** At shutdown, how long a client that does not read may keep its connection. */
const CLOSE_GRACE_MS = 500;

export class TerminalSession extends Closable {
	readonly #socket: net.Socket;
	readonly #setup: SessionSetup;
	/** Dot-commands still running: their output comes before the socket ends. */
	readonly #running = new Set<Promise<void>>();
	/** The REPL while it runs: undefined before the hello and once it exited. */
	#repl: REPLServer | undefined;
	#inspectOptions = { colors: false, breakLength: 120 };

	constructor(socket: net.Socket, setup: SessionSetup) {
		super();
		this.#socket = socket;
		this.#setup = setup;
		// A client that vanishes shows up as an error, then 'close': nothing to report.
		socket.on('error', () => {});
		socket.once('close', () => this.close());
		socket.write(setup.banner);
		void readHello(socket).then((hello) => this.#start(hello));
	}

	/**
	 * The client went, or the server shuts down: then the client is told, and
	 * its socket closes once it has read the message, or after CLOSE_GRACE_MS.
	 */
	protected closing(): void {
		if (!this.#socket.destroyed) {
			const force = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS);
			this.#socket.once('close', () => clearTimeout(force));
			this.#socket.end('\nserver shutting down\n');
		}
		this.#repl?.close();
	}

	#start(hello: TerminalHello | 'ended'): void {
		if (hello === 'ended') this.#socket.end();
		if (hello === 'ended' || this.closed) return;
		const { terminal, colors, columns } = hello;
		this.#inspectOptions = { colors, breakLength: columns ?? 120 };
		// readline sizes the line it edits by output.columns, which a socket lacks.
		if (columns !== undefined) Object.defineProperty(this.#socket, 'columns', { value: columns, configurable: true });
		const pipedInput = terminal ? undefined : new PassThrough();
		const server = repl.start({
			input: pipedInput ?? this.#socket,
			output: this.#socket,
			prompt: 'mediasoup> ',
			terminal,
			useColors: colors,
			useGlobal: false,
			ignoreUndefined: true,
			writer: (value: unknown) => this.#inspect(value),
		});
		this.#repl = server;
		// Its readline passes the socket's errors on, and an 'error' without a
		// listener would end the server: the socket's 'close' closes the session.
		server.on('error', () => {});
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
			this.#repl = undefined;
			// The client left, or the server closes the session: nothing left to end.
			if (this.closed) return;
			void Promise.allSettled(this.#running).then(() => this.#socket.end());
		});
		if (pipedInput) void this.#feedLines(server, pipedInput);
	}

	/** The loop for piped input: one line at a time, each once the REPL is done with the previous one. */
	async #feedLines(server: REPLServer, input: PassThrough): Promise<void> {
		// The REPL has no event for "done with a line" (an awaited expression
		// settled, a dot-command printed), but it then shows its prompt.
		let answered = () => {};
		const displayPrompt = server.displayPrompt.bind(server);
		server.displayPrompt = (preserveCursor?: boolean) => {
			displayPrompt(preserveCursor);
			answered();
		};
		const lines = createInterface({ input: this.#socket, crlfDelay: Number.POSITIVE_INFINITY });
		server.once('exit', () => {
			lines.close();
			answered();
		});
		try {
			for await (const line of lines) {
				if (this.#repl !== server) return;
				const done = new Promise<void>((resolve) => {
					answered = resolve;
				});
				input.write(`${line}\n`);
				await done;
			}
		} catch {
			// readline passes the socket's error on (a reset): the socket's 'close' closes the session.
		}
		input.end();
	}

	#run(command: TerminalCommand, argument: string): void {
		const running: Promise<void> = command
			.run(argument)
			.then(
				(value) => this.#print(typeof value === 'string' ? value : this.#inspect(value)),
				(error: unknown) => this.#print(errorMessage(error)),
			)
			.finally(() => {
				this.#running.delete(running);
				this.#prompt();
			});
		this.#running.add(running);
	}

	#inspect(value: unknown): string {
		return inspect(value, { depth: 10, ...this.#inspectOptions });
	}

	#print(text: string): void {
		if (!this.#socket.writable) return;
		this.#socket.write(text.endsWith('\n') ? text : `${text}\n`);
	}

	#prompt(): void {
		// Once the REPL exited (.exit, end of piped input) there is no prompt to show.
		this.#repl?.displayPrompt();
	}
}
