// The terminal's dot-commands. Each one returns what to print (a string as
// is, anything else through util.inspect) or throws an Error whose message is
// printed; the session turns them into REPL commands.
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { DUMP_USAGE, dump } from './dump.ts';
import { roomsSummary } from './roomsSummary.ts';
import { STATS_USAGE, stats } from './stats.ts';
import { usageReport } from './usage.ts';
import { parseLogLevel, parseLogTags, type WorkerLogSettings } from './WorkerLogSettings.ts';

export interface TerminalCommand {
	/** Without the dot. */
	readonly name: string;
	readonly help: string;
	run(argument: string): Promise<unknown>;
}

export interface CommandDeps {
	pool: WorkerPool;
	rooms: RoomRegistry;
	logSettings: WorkerLogSettings;
}

/**
 * Worker logs reach Node through mediasoup's own logger, which prints them
 * only for the namespaces in the DEBUG variable.
 */
const WORKER_LOG_NOTE = "worker logs are printed by the server only if it was started with DEBUG='mediasoup*'";

export function terminalCommands({ pool, rooms, logSettings }: CommandDeps): TerminalCommand[] {
	return [
		{
			name: 'usage',
			help: 'Node process memory, CPU and uptime; getResourceUsage() of every worker',
			run: () => usageReport(pool),
		},
		{
			name: 'rooms',
			help: 'Live rooms: worker, router, peers and broadcasters with their object counts',
			run: () => roomsSummary(rooms, pool),
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
