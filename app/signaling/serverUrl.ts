// The protoo WebSocket address: same host and port as the page (the server
// serves both), PROTOCOL.md section 1, with the access token in token mode (a
// browser WebSocket cannot send an Authorization header).
export function protooUrl(
	location: { protocol: string; host: string },
	{
		roomId,
		peerId,
		consumerReplicas,
		token,
	}: { roomId: string; peerId: string; consumerReplicas: number; token: string | null },
): string {
	const scheme = location.protocol === 'http:' ? 'ws' : 'wss';
	const query = new URLSearchParams({ roomId, peerId });
	if (consumerReplicas > 0) query.set('consumerReplicas', String(consumerReplicas));
	if (token !== null) query.set('token', token);
	return `${scheme}://${location.host}/?${query.toString()}`;
}
