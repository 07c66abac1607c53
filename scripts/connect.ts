// `npm run connect [-- --socket PATH]`: attaches this terminal to the running
// server's admin REPL over its UNIX socket (server/terminal/). The socket path
// comes from the same settings the server reads (config.ts, TERMINAL_SOCKET,
// HTTPS_LISTEN_PORT), resolved without the server's side effects: no
// certificate is generated, no address chosen. In a TTY, stdin goes raw and
// the server's REPL does the line editing; piped input is run line by line.
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../server/config/ConfigError.ts';
import { loadSettings } from '../server/config/loadConfig.ts';
import { formatHello } from '../server/terminal/hello.ts';
import { socketFileState } from '../server/terminal/socketFile.ts';
import { resolveTerminalSocketPath } from '../server/terminal/socketPath.ts';

const USAGE = `usage: npm run connect [-- --socket PATH]

Opens a REPL inside the running server (type .help there). PATH defaults to
the server's terminal.socketPath setting (TERMINAL_SOCKET).`;

class ConnectError extends Error {}

async function main(): Promise<number> {
	const { values } = parseArgs({
		options: { socket: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
	});
	if (values.help) {
		console.log(USAGE);
		return 0;
	}
	const socketPath = values.socket === undefined ? await configuredSocketPath() : path.resolve(values.socket);
	await checkSocketFile(socketPath);
	return attach(await connect(socketPath));
}

async function configuredSocketPath(): Promise<string> {
	const { config, rootDir } = await loadSettings();
	return resolveTerminalSocketPath(config, rootDir);
}

function notRunning(socketPath: string): ConnectError {
	return new ConnectError(`no server listening on ${socketPath}; start it with npm start`);
}

/** Whoever can put a socket at the path would read what is typed into it: only ours will do. */
async function checkSocketFile(socketPath: string): Promise<void> {
	const state = await socketFileState(socketPath);
	if (state.kind === 'missing') throw notRunning(socketPath);
	if (state.kind === 'other') throw new ConnectError(`${socketPath} is not a socket; is --socket right?`);
	if (!state.ownedByUs) {
		throw new ConnectError(`${socketPath} belongs to another user; connect as the user running the server`);
	}
}

function connect(socketPath: string): Promise<net.Socket> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(socketPath);
		socket.once('connect', () => {
			socket.off('error', reject);
			resolve(socket);
		});
		socket.once('error', (error: NodeJS.ErrnoException) => {
			// A socket file without a server: one that crashed left it behind.
			if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') reject(notRunning(socketPath));
			else if (error.code === 'EACCES') reject(new ConnectError(`${socketPath}: permission denied`));
			else reject(error);
		});
	});
}

/** Pipes both ways until the server closes the connection; resolves with the exit code. */
function attach(socket: net.Socket): Promise<number> {
	const { stdin, stdout } = process;
	const tty = stdin.isTTY === true;
	socket.write(
		formatHello({
			terminal: tty,
			colors: stdout.isTTY === true && stdout.hasColors(),
			columns: stdout.isTTY === true ? stdout.columns : undefined,
		}),
	);
	if (tty) stdin.setRawMode(true);
	stdin.pipe(socket);
	socket.pipe(stdout);
	return new Promise((resolve) => {
		socket.once('error', (error) => console.error(`\nconnection lost: ${error.message}`));
		socket.once('close', (hadError) => {
			if (tty) stdin.setRawMode(false);
			stdin.unpipe(socket);
			// Nothing more to read: lets the process exit.
			stdin.destroy();
			resolve(hadError ? 1 : 0);
		});
	});
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		if (error instanceof ConnectError) {
			console.error(error.message);
			process.exitCode = 1;
		} else if (error instanceof ConfigError) {
			console.error(`configuration error: ${error.message}`);
			process.exitCode = 78; // EX_CONFIG, as the server
		} else {
			console.error('connect failed:', error);
			process.exitCode = 1;
		}
	},
);
