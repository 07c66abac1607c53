// A request URL as it may be logged. Three query parameters open doors and
// stay out of logs: a WebSocket's access token (?token=: a browser cannot send
// it in a header), a session's resume secret (?resume=, on the WebSocket and
// GET /access) and a recording download link's signature (?access=).
const SECRET_PARAMETERS = /([?&](?:token|resume|access)=)[^&#]*/g;

export function withoutSecrets(url: string): string {
	return url.replace(SECRET_PARAMETERS, '$1(hidden)');
}
