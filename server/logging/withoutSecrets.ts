// A request URL as it may be logged. Two query parameters open doors and
// stay out of logs: a WebSocket's access token (?token=: a browser cannot send
// it in a header) and a recording download link's signature (?access=).
const SECRET_PARAMETERS = /([?&](?:token|access)=)[^&#]*/g;

export function withoutSecrets(url: string): string {
	return url.replace(SECRET_PARAMETERS, '$1(hidden)');
}
