// A room member without a WebSocket (ffmpeg, GStreamer, scripts), driven by
// the REST API. Other peers see it through newPeer / peerClosed and consume
// its producers like anyone else's.
import { Participant } from './Participant.ts';

export class Broadcaster extends Participant {
	readonly kind = 'broadcaster';
}
