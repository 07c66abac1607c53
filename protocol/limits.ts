// Limits on what a client may put in a message. They exist so that one peer
// cannot make the server hold (and fan out to every other peer) arbitrarily
// large strings or blobs. The server, the app and the tests share them, so a
// form field in the app can enforce the same maximum the server checks.

/** Ids chosen by clients (peerId, broadcaster id) and mediasoup's UUIDs (36 chars). */
export const MAX_ID_LENGTH = 100;

/** A display name is shown to every other peer, so keep it short. */
export const MAX_DISPLAY_NAME_LENGTH = 100;

/** Each of device.flag / device.name / device.version. */
export const MAX_DEVICE_FIELD_LENGTH = 100;

/** DataChannel label and subprotocol. */
export const MAX_LABEL_LENGTH = 100;

/** The network throttle secret. */
export const MAX_SECRET_LENGTH = 256;

/**
 * appData is opaque to the server but is stored with every producer and sent
 * to every consumer of it, so its size is capped (UTF-8 bytes of its JSON).
 */
export const MAX_APP_DATA_BYTES = 4 * 1024;

/** A session's resume secret, as the join response gave it (43 characters: 32 random bytes, base64url). */
export const MAX_RESUME_SECRET_LENGTH = 100;

/** An access token (a JWT: its grants make it a few hundred bytes). */
export const MAX_TOKEN_LENGTH = 4096;

/** Upper bound on consumerReplicas: it multiplies consumers, a load-testing knob only. */
export const MAX_CONSUMER_REPLICAS = 16;

/** Consumer priority range accepted by mediasoup's consumer.setPriority(). */
export const MIN_CONSUMER_PRIORITY = 1;
export const MAX_CONSUMER_PRIORITY = 255;

/** How many validation issues an error reason lists before "and N more". */
export const MAX_REPORTED_ISSUES = 3;

/** An error reason is one line a person can read, never an echo of a huge input. */
export const MAX_REASON_LENGTH = 500;
