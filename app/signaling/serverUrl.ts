// The protoo WebSocket address: same host and port as the page (the server
// serves both), PROTOCOL.md section 1, with the access token in token mode (a
// browser WebSocket cannot send an Authorization header), and the resume
// secret when the page takes up its session again.
export function protooUrl(
	location: { protocol: string; host: string },
	{
		roomId,
		peerId,
		consumerReplicas,
		token,
		resume,
	}: { roomId: string; peerId: string; consumerReplicas: number; token: string | null; resume?: string | undefined },
): string {
	const scheme = location.protocol === 'http:' ? 'ws' : 'wss';
	const query = new URLSearchParams({ roomId, peerId });
	if (consumerReplicas > 0) query.set('consumerReplicas', String(consumerReplicas));
	if (token !== null) query.set('token', token);
	// Ours: takes up the session of this secret again (protocol/session.ts).
	if (resume !== undefined) query.set('resume', resume);
	return `${scheme}://${location.host}/?${query.toString()}`;
}
