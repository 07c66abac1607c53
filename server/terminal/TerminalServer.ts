// The admin terminal: a UNIX socket on which each connection gets a REPL
// inside the running server (`npm run connect` is its client). startServer
// starts it once the workers are up and closes it first on shutdown. It owns
// the socket file (claimed at start, removed by close), the sessions, and the
// worker log settings the sessions change.
import net from 'node:net';
import { version as mediasoupVersion } from 'mediasoup';
import { Closable } from '../../lifecycle/Closable.ts';
import type { ClusterNode } from '../cluster/ClusterNode.ts';
import type { WorkerPool, WorkerPoolLogger } from '../media/WorkerPool.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { type TerminalCommand, terminalCommands } from './commands.ts';
import { installScope } from './scope.ts';
import { claimSocketPath, listenPrivately } from './socketFile.ts';
import { TerminalSession } from './TerminalSession.ts';
import { WorkerLogSettings, type WorkerLogSettingsState } from './WorkerLogSettings.ts';

export interface TerminalServerOptions {
	socketPath: string;
	pool: WorkerPool;
	rooms: RoomRegistry;
	/** The workers' configured log settings, which `.logLevel` / `.logTags` start from. */
	workerLogSettings: WorkerLogSettingsState;
	log: WorkerPoolLogger;
	/** This node of the cluster, in cluster mode (`.cluster`). */
	cluster?: ClusterNode | undefined;
}

export class TerminalServer extends Closable {
	readonly socketPath: string;
	readonly #options: TerminalServerOptions;
	readonly #server: net.Server;
	readonly #sessions = new Set<TerminalSession>();
	readonly #logSettings: WorkerLogSettings;
	readonly #commands: readonly TerminalCommand[];

	/** Claims the socket path (removing a crashed server's socket) and listens on it, mode 0600. */
	static async start(options: TerminalServerOptions): Promise<TerminalServer> {
		await claimSocketPath(options.socketPath);
		const terminal = new TerminalServer(options);
		try {
			await listenPrivately(terminal.#server, options.socketPath);
		} catch (error) {
			terminal.close();
			throw error;
		}
		options.log.info({ socketPath: options.socketPath }, 'terminal listening (npm run connect)');
		return terminal;
	}

	private constructor(options: TerminalServerOptions) {
		super();
		this.socketPath = options.socketPath;
		this.#options = options;
		this.#logSettings = new WorkerLogSettings(options.pool, options.workerLogSettings, options.log);
		this.#commands = terminalCommands({
			pool: options.pool,
			rooms: options.rooms,
			logSettings: this.#logSettings,
			cluster: options.cluster,
		});
		// allowHalfOpen: a client whose piped input ends still gets the output
		// of the commands it sent; the session ends the socket when done.
		this.#server = net.createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
	}

	/** Stops listening, which removes the socket file at once, and closes every session (its client is told why). */
	protected closing(): void {
		this.#logSettings.close();
		this.#server.close();
		for (const session of this.#sessions) session.close();
	}

	#accept(socket: net.Socket): void {
		const { pool, rooms, log } = this.#options;
		const session = new TerminalSession(socket, {
			banner: `mediasoup-conference terminal: server pid ${process.pid}, mediasoup ${mediasoupVersion}, ${pool.workers.length} workers. .help lists the commands.\n`,
			commands: this.#commands,
			installScope: (context) => installScope(context, pool, rooms),
		});
		this.#sessions.add(session);
		log.info({ sessions: this.#sessions.size }, 'terminal session opened');
		session.observer.once('close', () => {
			this.#sessions.delete(session);
			log.info({ sessions: this.#sessions.size }, 'terminal session closed');
		});
	}
}
