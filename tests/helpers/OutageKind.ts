// How a network goes away in the tests and the bench (NetworkNamespace.down):
//  - 'link': the browser's link goes down (a Wi-Fi that went away: the
//    browser's machine sees its interface go, and Chromium a network change);
//  - 'drop': a router between the browser and the server drops every packet,
//    both ways, with every link up (a network that stopped passing traffic:
//    nobody sees anything).
export type OutageKind = 'link' | 'drop';

export const OUTAGE_KINDS: readonly OutageKind[] = ['link', 'drop'];
