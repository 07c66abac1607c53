// The last resort against an error nothing caught. Node ends the process on an
// uncaught exception or an unhandled rejection, and with it every call it
// hosts; here the error is logged with its stack and the server goes on.
// Request handling already catches at every entry point from the network
// (protoo requests and connections, Express routes): an error that gets here
// is a bug, and the log line is how it is found.
import type { Logger } from 'pino';

export function logUncaughtErrors(log: Logger): void {
	process.on('uncaughtException', (error, origin) => {
		log.error({ error, origin }, 'uncaught exception: a bug; the server goes on');
	});
	process.on('unhandledRejection', (reason) => {
		log.error({ error: reason }, 'unhandled promise rejection: a bug; the server goes on');
	});
}
