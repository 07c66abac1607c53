// A connection URL as the log may show it: the credentials in its query (the
// access token, the resume secret) replaced, so that a log does not hand
// anyone a way into a room or a session.
const SECRET_PARAMETERS = ['token', 'resume'];

export function redactedUrl(target: string | undefined): string {
	if (target === undefined) return '';
	let url: URL;
	try {
		url = new URL(target, 'https://localhost');
	} catch {
		return '(unparsable URL)';
	}
	for (const name of SECRET_PARAMETERS) {
		if (url.searchParams.has(name)) url.searchParams.set(name, '(redacted)');
	}
	return `${url.pathname}${url.search}`;
}
