// Every Redis key of the cluster, in one place (docs/CLUSTER.md lists them
// with their types and lifetimes). Node ids hold no ':' (config), and the
// suffix after a room id never does either, so no two rooms' keys collide
// whatever their ids. No Redis Cluster hash tags: the cluster runs on one
// Redis (or a primary with replicas), and scripts touch keys of several rooms.
const PREFIX = 'mc:';

export const keys = {
	/** ZSET nodeId -> lease expiry (Redis time, ms): the live nodes. */
	nodes: `${PREFIX}nodes`,
	/** STRING, JSON NodeRecord, PX lease. */
	node: (nodeId: string) => `${PREFIX}node:${nodeId}`,
	/** ZSET roomId -> membership expiry: the rooms this node hosts members of. */
	nodeRooms: (nodeId: string) => `${PREFIX}node:${nodeId}:rooms`,
	/** ZSET roomId -> the latest membership expiry: every room hosted anywhere. */
	rooms: `${PREFIX}rooms`,
	/** ZSET nodeId -> membership expiry: the nodes hosting members of a room. */
	roomNodes: (roomId: string) => `${PREFIX}room:${roomId}:nodes`,
	/** STRING "token nodeId", PX lease: who coordinates the room. */
	roomOwner: (roomId: string) => `${PREFIX}room:${roomId}:owner`,
	/** STREAM of producer announcements (add/close), trimmed. */
	roomProducers: (roomId: string) => `${PREFIX}room:${roomId}:producers`,
	/** HASH producerId -> JSON announcement: the room's live producers, for a late joiner's snapshot. */
	roomProducerSet: (roomId: string) => `${PREFIX}room:${roomId}:producerset`,
	/** STREAM of requests to the node and answers to its requests (NodeRequests.ts); trimmed, TTL. */
	nodeInbox: (nodeId: string) => `${PREFIX}node:${nodeId}:inbox`,
	/** STRING counter, no expiry: fencing tokens of every room's ownership. */
	fence: `${PREFIX}fence`,
} as const;
