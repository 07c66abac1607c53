// Where the admin terminal's UNIX socket lives. The server and `npm run
// connect` both derive it from the same settings, so the client finds the
// server without being told. The default sits in the temporary directory (a
// short path on every system, writable in containers) and carries the HTTPS
// port, so two servers on one machine never share a socket.
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/Config.ts';
import { type ConfigProblem, type SettingSources, settingProblem } from '../config/ConfigError.ts';

/**
 * sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL
 * included; a longer path makes listen() fail with a bare EINVAL.
 */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

export function defaultTerminalSocketPath(httpsPort: number): string {
	return path.join(os.tmpdir(), `mediasoup-conference-${httpsPort}.sock`);
}

/** Absolute: the configured path (relative to the project root) or the default. */
export function resolveTerminalSocketPath(config: Pick<Config, 'https' | 'terminal'>, rootDir: string): string {
	const configured = config.terminal.socketPath;
	return configured === undefined
		? defaultTerminalSocketPath(config.https.listenPort)
		: path.resolve(rootDir, configured);
}

export function checkTerminalSocketPath(config: Config, rootDir: string, sources: SettingSources): ConfigProblem[] {
	const socketPath = resolveTerminalSocketPath(config, rootDir);
	const bytes = Buffer.byteLength(socketPath);
	if (bytes <= MAX_SOCKET_PATH_BYTES) return [];
	return [
		settingProblem(
			sources,
			'terminal.socketPath',
			config.terminal.socketPath,
			`gives ${socketPath}, ${bytes} bytes long, longer than a UNIX socket path may be (${MAX_SOCKET_PATH_BYTES})`,
			'a shorter path, e.g. /run/mediasoup-conference/terminal.sock',
		),
	];
}
