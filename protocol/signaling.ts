// The protoo signaling protocol in one import: every message in both
// directions, its schema, its type and its parser. The definitions live in
// one file per direction; this module only gathers them.
export * from './access.ts';
export * from './clientRequests.ts';
export * from './clientResponses.ts';
export * from './fields.ts';
export * from './iceServers.ts';
export type { MessageOf, ParseFailure } from './methodMap.ts';
export * from './moderation.ts';
export * from './peer.ts';
export * from './recording.ts';
export * from './serverNotifications.ts';
export * from './serverRequests.ts';
export * from './session.ts';
