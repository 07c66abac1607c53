// The server's logger: one pino root made by main with the configured level,
// and a child per component, named after it ({"name":"Room"} in each line).
// Convention: components take a Logger from whoever creates them (see
// server/room/Bot.ts), or call childLogger('Name') when constructed; not at
// module top level, where it would run before main has created the root.
import { type DestinationStream, type Logger, pino } from 'pino';
import { LOG_LEVELS, type LogLevel } from './levels.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
	/** Human-readable lines instead of JSON; default: stdout is a terminal and NODE_ENV is not 'production'. */
	pretty?: boolean;
	/** Where lines go; default stdout. */
	destination?: DestinationStream;
}

/**
 * The code logs errors as `{ error }`; pino serializes only `err` by itself,
 * and an Error's own fields are not enumerable, so without this every logged
 * error was `{}`: no message, no stack.
 */
const serializers = { error: pino.stdSerializers.err };

// Until main calls createLogger (tests, scripts): JSON, quiet unless asked.
let root: Logger = pino({ level: defaultLevel(), serializers });

/** Creates the root logger, makes it the parent of later childLogger() calls, and returns it. */
export async function createLogger(level: LogLevel, options: LoggerOptions = {}): Promise<Logger> {
	const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
	const stream = pretty ? await prettyStream(options.destination) : undefined;
	root = pino({ level, serializers }, stream ?? options.destination);
	if (pretty && !stream) root.warn('pino-pretty is not installed (production install?): logging JSON lines');
	return root;
}

/** A logger for one component; its lines carry `name`. */
export function childLogger(name: string): Logger {
	return root.child({ name });
}

/**
 * pino-pretty is a devDependency, so it is imported only when wanted and may
 * be missing. It formats in this thread (no worker-thread transport), which is
 * fine for the log volume of development.
 */
async function prettyStream(destination: DestinationStream | undefined): Promise<DestinationStream | undefined> {
	try {
		const { default: pinoPretty } = await import('pino-pretty');
		// Colours follow the terminal (pino-pretty's default); pid and hostname are noise on a dev machine.
		return pinoPretty({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: destination ?? 1 });
	} catch {
		return undefined;
	}
}

function defaultLevel(): LogLevel {
	const fromEnv = LOG_LEVELS.find((level) => level === process.env.LOG_LEVEL);
	return fromEnv ?? 'warn';
}
