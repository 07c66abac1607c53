// Anything thrown (an Error, a string from a callback, a rejection with no
// reason) as text for a log line, a response or the terminal.
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
