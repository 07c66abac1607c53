// The terminal's socket file: claiming its path at start, listening on it so
// that only this user can connect, and telling a live server's socket from
// one a crashed server left behind. The socket gives full control of the
// server, so nothing here trusts a file it did not make: a file that is not a
// socket, or belongs to another user, is refused rather than removed or used.
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export type SocketFileState =
	| { kind: 'missing' }
	| { kind: 'socket'; ownedByUs: boolean }
	/** A regular file, a directory...: never ours to remove. */
	| { kind: 'other' };

export async function socketFileState(socketPath: string): Promise<SocketFileState> {
	try {
		const stats = await lstat(socketPath);
		if (!stats.isSocket()) return { kind: 'other' };
		// getuid is missing on Windows only, where there are no such files.
		return { kind: 'socket', ownedByUs: stats.uid === process.getuid?.() };
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
		throw error;
	}
}

/** Whether a server accepts connections on the socket (false: refused, or gone). */
export function isListening(socketPath: string): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const probe = net.connect(socketPath);
		probe.once('connect', () => {
			probe.destroy();
			resolve(true);
		});
		probe.once('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(false);
			else reject(error);
		});
	});
}

/**
 * Makes the path free for listen(): removes the socket of a server that is
 * gone (listen() would fail with EADDRINUSE), refuses a live one.
 */
export async function claimSocketPath(socketPath: string): Promise<void> {
	const state = await socketFileState(socketPath);
	if (state.kind === 'missing') {
		await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
		return;
	}
	const setting = 'set terminal.socketPath (TERMINAL_SOCKET) to another path';
	if (state.kind === 'other') {
		throw new Error(`terminal socket ${socketPath} exists and is not a socket: remove it, or ${setting}`);
	}
	if (!state.ownedByUs) {
		throw new Error(`terminal socket ${socketPath} belongs to another user: ${setting}`);
	}
	if (await isListening(socketPath)) {
		throw new Error(`another server is listening on terminal socket ${socketPath}: stop it, or ${setting}`);
	}
	await unlink(socketPath);
}

/**
 * Listens with mode 0600 (connecting needs write permission). The umask
 * covers the moment between bind() and chmod() in which the socket would have
 * the default mode; it is set only around listen(), which binds synchronously.
 * chmod() then states the mode whatever a platform makes of the umask.
 */
export async function listenPrivately(server: net.Server, socketPath: string): Promise<void> {
	const listening = new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.once('listening', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const umask = process.umask(0o177);
	try {
		server.listen(socketPath);
	} finally {
		process.umask(umask);
	}
	await listening;
	await chmod(socketPath, 0o600);
}
