// The protoo WebSocket address: same host and port as the page (the server
// serves both), PROTOCOL.md section 1.
export function protooUrl(
	location: { protocol: string; host: string },
	{ roomId, peerId, consumerReplicas }: { roomId: string; peerId: string; consumerReplicas: number },
): string {
	const scheme = location.protocol === 'http:' ? 'ws' : 'wss';
	const query = new URLSearchParams({ roomId, peerId });
	if (consumerReplicas > 0) query.set('consumerReplicas', String(consumerReplicas));
	return `${scheme}://${location.host}/?${query.toString()}`;
}
