// A moderator's change of a peer's grants (setPeerGrants), merged into the
// grants the peer has: fields left out stay as they are, and publish is
// resolved the way resolveGrants() resolves a token's (true: every source,
// false: none, a list: those sources).
import { type Grants, PUBLISH_SOURCES } from '../../protocol/access.ts';
import type { GrantsChange } from '../../protocol/moderation.ts';

export function applyGrantsChange(grants: Grants, change: GrantsChange): Grants {
	const { publish, subscribe, data, roomAdmin, record } = change;
	return {
		...grants,
		...(publish === undefined ? {} : { publish: resolvePublish(publish) }),
		...(subscribe === undefined ? {} : { subscribe }),
		...(data === undefined ? {} : { data }),
		...(roomAdmin === undefined ? {} : { roomAdmin }),
		...(record === undefined ? {} : { record }),
	};
}

function resolvePublish(publish: NonNullable<GrantsChange['publish']>): Grants['publish'] {
	if (publish === true) return [...PUBLISH_SOURCES];
	if (publish === false) return [];
	return [...new Set(publish)];
}
