// A room member without a WebSocket (ffmpeg, GStreamer, scripts), driven by
// the REST API. Other peers see it through newPeer / peerClosed and consume
// its producers like anyone else's. It is a member from its creation.
import { type MemberDescription, Participant } from './Participant.ts';

export class Broadcaster extends Participant {
	readonly kind = 'broadcaster';

	constructor(id: string, description: MemberDescription) {
		super(id);
		this.describe(description);
	}
}
