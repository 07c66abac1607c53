// Someone who watches a member of the room without being one: a WHEP player
// (whep/WhepSession.ts). It owns a receiving transport and the consumers on
// it like a member, and the room closes it with itself; but the room does not
// list it among its peers or broadcasters, nobody is told of it, it takes no
// place of limits.peersPerRoom and keeps no room open.
import { Participant } from './Participant.ts';

export class Viewer extends Participant {
	readonly kind = 'viewer';

	constructor(id: string) {
		super(id);
		this.describe({ displayName: '', device: {}, rtpCapabilities: undefined, sctpCapabilities: undefined });
	}
}
