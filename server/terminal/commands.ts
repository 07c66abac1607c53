// The terminal's dot-commands. Each one returns what to print (a string as
// is, anything else through util.inspect) or throws an Error whose message is
// printed; the session turns them into REPL commands and adds `.help`.
import type { REPLCommand } from 'node:repl';
import type { ClusterNode } from '../cluster/ClusterNode.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { clusterSummary } from './clusterSummary.ts';
import { DUMP_USAGE, dump, roomsSummary, STATS_USAGE, stats } from './mediaObjects.ts';
import { SCOPE_HELP } from './scope.ts';
import { parseLogLevel, parseLogTags, type WorkerLogSettings } from './WorkerLogSettings.ts';

export interface TerminalCommand {
	/** Without the dot. */
	readonly name: string;
	readonly help: string;
	run(argument: string): Promise<unknown>;
}

/**
 * Worker logs reach Node through mediasoup's own logger, which prints them
 * only for the namespaces in the DEBUG variable.
 */
const WORKER_LOG_NOTE = "worker logs are printed by the server only if it was started with DEBUG='mediasoup*'";

export function terminalCommands({
	pool,
	rooms,
	logSettings,
	cluster,
}: {
	pool: WorkerPool;
	rooms: RoomRegistry;
	logSettings: WorkerLogSettings;
	/** Set in cluster mode (REDIS_URL). */
	cluster: ClusterNode | undefined;
}): TerminalCommand[] {
	return [
		{
			name: 'usage',
			help: 'Node process memory, CPU and uptime; getResourceUsage() of every worker',
			run: async () => ({ process: processUsage(), workers: await pool.usage() }),
		},
		{
			name: 'rooms',
			help: 'Live rooms: worker, router, peers and broadcasters with their object counts',
			run: () => roomsSummary(rooms, pool),
		},
		{
			name: 'cluster',
			help: 'The cluster in Redis: live nodes (addresses, load, lease, rooms), rooms (nodes, owner, fencing token)',
			run: () => clusterSummary(cluster),
		},
		{
			name: 'dump',
			help: `dump() of mediasoup objects; ${DUMP_USAGE.replace('usage: ', '')}`,
			run: (argument) => dump(pool, rooms, argument),
		},
		{
			name: 'stats',
			help: `getStats() of one object; ${STATS_USAGE.replace('usage: ', '')}`,
			run: (argument) => stats(rooms, argument),
		},
		{
			name: 'logLevel',
			help: 'Log level of every worker: .logLevel <debug|warn|error|none> (no argument: the current settings)',
			run: async (argument) => {
				if (argument.trim() === '') return { ...logSettings.state, note: WORKER_LOG_NOTE };
				return { ...(await logSettings.setLevel(parseLogLevel(argument))), note: WORKER_LOG_NOTE };
			},
		},
		{
			name: 'logTags',
			help: 'Log tags of every worker: .logTags <tag,...> or .logTags none (no argument: the current settings)',
			run: async (argument) => {
				if (argument.trim() === '') return { ...logSettings.state, note: WORKER_LOG_NOTE };
				return { ...(await logSettings.setTags(parseLogTags(argument))), note: WORKER_LOG_NOTE };
			},
		},
	];
}

/** `.help`: the REPL's commands (ours and Node's own), what is in scope, and that this is the server itself. */
export function helpText(commands: Readonly<Record<string, REPLCommand | undefined>>): string {
	const listed = Object.entries(commands)
		.flatMap(([name, command]) => (command ? [[`.${name}`, command.help ?? ''] as const] : []))
		.sort(([a], [b]) => a.localeCompare(b));
	return [
		'Commands:',
		...table(listed),
		'',
		'In scope (besides Node globals):',
		...table(SCOPE_HELP),
		'',
		'JavaScript runs inside the server process (top-level await works): what you change or close is',
		'changed or closed for everyone, and process.exit() stops the server. .exit or Ctrl-D leaves the',
		'terminal; the server keeps running.',
		'',
	].join('\n');
}

function table(rows: readonly (readonly [string, string])[]): string[] {
	const width = Math.max(...rows.map(([name]) => name.length));
	return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`);
}

/** `.usage` of the Node process: memory in MiB, CPU time in seconds (the workers report their own). */
function processUsage() {
	const memory = process.memoryUsage();
	const cpu = process.cpuUsage();
	return {
		pid: process.pid,
		node: process.version,
		uptimeSeconds: Math.round(process.uptime()),
		memoryMiB: {
			rss: mebibytes(memory.rss),
			heapTotal: mebibytes(memory.heapTotal),
			heapUsed: mebibytes(memory.heapUsed),
			external: mebibytes(memory.external),
			arrayBuffers: mebibytes(memory.arrayBuffers),
		},
		cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
	};
}

function mebibytes(bytes: number): number {
	return Math.round((bytes / 2 ** 20) * 10) / 10;
}
