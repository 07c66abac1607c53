// Errors from anywhere (mediasoup-client, the server, the browser) as text a
// person can read, or as an Error for callbacks that insist on one.
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export function toError(error: unknown): Error {
	return error instanceof Error ? error : new Error(String(error));
}
