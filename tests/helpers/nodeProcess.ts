// A Node child process for tests that run the server as `npm start` does
// (server/main.ts in a process of its own): its output as it comes, its exit,
// and an HTTPS status check that trusts any certificate; and a command-line
// tool run to its end (runNode).
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:https';

export interface NodeProcess {
	readonly child: ChildProcess;
	/** Everything it printed so far, stdout and stderr together. */
	output(): string;
}

export function startNode(args: readonly string[], env: Record<string, string> = {}, cwd?: string): NodeProcess {
	const child = spawn(process.execPath, args, {
		...(cwd === undefined ? {} : { cwd }),
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
	};
	child.stdout?.on('data', collect);
	child.stderr?.on('data', collect);
	return { child, output: () => output };
}

/** What a command-line tool run to its end printed, and its exit code. */
export interface NodeRun {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a script with the project's Node to its exit, as a user runs a tool; `input` goes to its stdin. */
export async function runNode(
	args: readonly string[],
	{ env = {}, input = '', cwd }: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<NodeRun> {
	const child = spawn(process.execPath, args, {
		...(cwd === undefined ? {} : { cwd }),
		env: { ...process.env, ...env },
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (text: string) => {
		stdout += text;
	});
	child.stderr.setEncoding('utf8').on('data', (text: string) => {
		stderr += text;
	});
	child.stdin.end(input);
	const code = await exitOf(child);
	return { code, stdout, stderr };
}

export function exitOf(child: ChildProcess): Promise<number | null> {
	return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The status of a GET, with the server's self-signed certificate accepted. */
export function httpsStatus(url: string): Promise<number> {
	return new Promise((resolve, reject) => {
		request(url, { rejectUnauthorized: false }, (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		})
			.on('error', reject)
			.end();
	});
}
