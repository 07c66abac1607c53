// Every setting of the server, with its default. To change one, copy this
// file to config.ts (gitignored; the server reads it instead of this one when
// it exists) and edit the copy, or set the environment variable named in the
// setting's comment: variables override both files. An empty variable counts
// as unset. Relative paths are relative to the repository root.
//
// The server checks all of it at start and refuses to run with a message
// naming each setting to fix (server/config/loadConfig.ts).
import os from 'node:os';
import type { Config } from './server/config/Config.ts';

export const config: Config = {
	https: {
		// Address the HTTPS server (web app, WebSocket signaling, REST API) listens on.
		// 0.0.0.0 means every IPv4 interface. Env: HTTPS_LISTEN_IP.
		listenIp: '0.0.0.0',
		// TCP port of the HTTPS server. Env: HTTPS_LISTEN_PORT.
		listenPort: 4443,
		// Your certificate: { cert: 'path/fullchain.pem', key: 'path/privkey.pem' }
		// (e.g. from Let's Encrypt). null: on first start a self-signed certificate is
		// generated into certDir and reused afterwards; the server prints how to trust it.
		// Env: HTTPS_CERT_FULLCHAIN and HTTPS_CERT_PRIVKEY (set both).
		tls: null,
		// Where the self-signed certificate (cert.pem, key.pem) is kept when tls is null.
		// Delete the directory to get a new one (e.g. after the machine's address changed).
		certDir: 'certs',
	},
	mediasoup: {
		// Number of mediasoup workers (C++ media processes), each using one CPU core.
		// Rooms are spread over them. Env: MEDIASOUP_NUM_WORKERS.
		numWorkers: os.availableParallelism(),
		workerSettings: {
			// Verbosity of the workers' own logs: 'debug', 'warn', 'error' or 'none'.
			logLevel: 'warn',
			// What the workers log about at 'debug' level (see mediasoup's Debugging docs).
			logTags: ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp', 'rtx', 'bwe', 'score', 'simulcast', 'svc', 'sctp'],
		},
		routerOptions: {
			// Codecs every room's router offers; clients must support at least one of each
			// kind they send. x-google-start-bitrate makes Chrome start video at 1 Mbps
			// instead of ramping up from 300 kbps.
			mediaCodecs: [
				{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
				{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
				{
					kind: 'video',
					mimeType: 'video/VP9',
					clockRate: 90000,
					parameters: { 'profile-id': 2, 'x-google-start-bitrate': 1000 },
				},
				{
					// H264 Constrained Baseline 3.1: what every browser and hardware encoder can do.
					kind: 'video',
					mimeType: 'video/H264',
					clockRate: 90000,
					parameters: {
						'packetization-mode': 1,
						'profile-level-id': '42e01f',
						'level-asymmetry-allowed': 1,
						'x-google-start-bitrate': 1000,
					},
				},
				{
					// H264 Main profile, level 5.0: better compression, up to 4K, where supported.
					kind: 'video',
					mimeType: 'video/H264',
					clockRate: 90000,
					parameters: {
						'packetization-mode': 1,
						'profile-level-id': '4d0032',
						'level-asymmetry-allowed': 1,
						'x-google-start-bitrate': 1000,
					},
				},
			],
		},
		// One room on several cores: a room starts on one worker's router; once its
		// routers hold consumersPerRouter consumers each, new members go to a router
		// on another worker, joined to the others by pipe transports (each producer is
		// piped once per router that needs it). 'auto' does that, 'always' spreads
		// every room over all workers from its first member (for tests and benchmarks),
		// 'never' keeps each room on one worker. Clients notice nothing.
		// Env: MEDIASOUP_ROOM_SPREAD and MEDIASOUP_CONSUMERS_PER_ROUTER.
		roomSpread: { mode: 'auto', consumersPerRouter: 500 },
		// IP address the workers listen on for media (an IP, not a hostname); 0.0.0.0
		// means every IPv4 interface. Env: MEDIASOUP_LISTEN_IP.
		listenIp: '0.0.0.0',
		// IP address or hostname clients send media to (in ICE candidates and plain
		// transport tuples): this machine's public address behind NAT or in a cloud VM.
		// Unset: listenIp when it is a specific address; with 0.0.0.0 the machine's first
		// non-internal IPv4, which the server prints at start. Env: MEDIASOUP_ANNOUNCED_ADDRESS.
		announcedAddress: undefined,
		// First port of the WebRtcServers: worker i listens on webRtcServerPort + i, UDP
		// and TCP, for all its WebRTC transports. Open these ports in the firewall
		// (44444 up to 44444 + numWorkers - 1). Env: MEDIASOUP_WEBRTC_SERVER_PORT.
		webRtcServerPort: 44444,
		// UDP port range of plain transports (broadcasters such as ffmpeg, recording)
		// and pipe transports (rooms spread over several workers). Must not overlap the
		// WebRtcServer ports above, hence 45000 rather than 40000.
		// Env: MEDIASOUP_MIN_PORT and MEDIASOUP_MAX_PORT.
		minPort: 45000,
		maxPort: 49999,
		webRtcTransportOptions: {
			// Bitrate (bits/s) the server assumes towards a new client before bandwidth
			// estimation knows better: higher starts video sharper, too high causes loss.
			initialAvailableOutgoingBitrate: 1000000,
			// Bandwidth estimation never goes below this (bits/s) towards a client.
			minimumAvailableOutgoingBitrate: 600000,
			// Largest DataChannel message (bytes) accepted from or sent to a client.
			maxSctpMessageSize: 262144,
			// Upper bound (bits/s) of what one client may send, across all its producers.
			maxIncomingBitrate: 1500000,
		},
		plainTransportOptions: {
			// Largest SCTP message (bytes) on plain transports.
			maxSctpMessageSize: 262144,
		},
		// DTLS-SRTP crypto suites offered to and accepted from WebRTC clients (browsers),
		// most preferred first: how their media is encrypted. Unset: every suite
		// mediasoup supports, 'AEAD_AES_256_GCM' first (what browsers pick), then
		// 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80' (the one every WebRTC endpoint
		// must support) and 'AES_CM_128_HMAC_SHA1_32'. A client supporting none of the
		// list cannot connect. Plain transports choose their own (REST API).
		// Env: MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES, comma separated.
		dtlsSrtpCryptoSuites: undefined,
	},
	recording: {
		// Where room recordings go: one folder per room, one WebM (VP8/VP9/opus) or
		// Matroska (H264) file per recorded producer. Listed at GET /recordings and
		// downloadable from there. Env: RECORDINGS_DIR.
		directory: 'recordings',
	},
	hls: {
		// Live HLS of a room (POST /rooms/ROOM/hls starts it): the room's videos in a
		// grid and its audio mixed, H.264 + AAC in 2 s segments, served at
		// /hls/ROOM/index.m3u8. Each stream's files live in a folder of its own under
		// this one while it runs, and are removed when it stops. Env: HLS_DIR.
		directory: 'hls',
		// The size of the composed picture, in pixels. Env: HLS_WIDTH, HLS_HEIGHT.
		width: 1280,
		height: 720,
		// Frames per second of the stream. Env: HLS_FRAMERATE.
		framerate: 25,
		// The H.264 encoder's target bitrate, in kilobits per second (audio adds 128).
		// Env: HLS_VIDEO_BITRATE_KBPS.
		videoBitrateKbps: 2000,
		// 'grid': every video the same size. 'speaker': the active speaker's video
		// takes the left three quarters, the others a grid in the rest (the speaker
		// changes at most every 3 s). Env: HLS_LAYOUT.
		layout: 'grid',
	},
	terminal: {
		// UNIX socket of the admin terminal: `npm run connect` attaches to the running
		// server through it (a Node REPL with the workers and rooms in scope). Only the
		// user running the server may connect (the socket is made mode 0600). Unset: a
		// file in the system's temporary directory named after the HTTPS port, e.g.
		// /tmp/mediasoup-conference-4443.sock, so servers on different ports do not
		// collide. Set a path (absolute, or relative to the repository root; at most
		// about 100 characters, a limit of UNIX sockets) when the server's /tmp is
		// private (systemd PrivateTmp) or not the client's. Env: TERMINAL_SOCKET.
		socketPath: undefined,
	},
	// Garbage collection of the server's own Node process (the workers are C++ and
	// free memory at once). See server/nodeHeap.ts and bench/HISTORY.md (Join, item 11).
	nodeHeap: {
		// A full collection runs once the heap grew this many percent over what was
		// live after the last one. 0 leaves it to V8, which allows up to 300% on a
		// machine with much memory: a burst of 200 joins then peaks at about 2.4 MB
		// per peer. 100 peaks at 2.1 with 3 full collections in the last 100 joins;
		// 30 at 1.9, but with 11-12 of them, each making a join wait, and the
		// slowest joins twice as slow (bench/RESULTS.md, Join). Env: NODE_HEAP_GROWING_PERCENT.
		growingPercent: 100,
		// V8's pretenuring: objects from a place in the code whose objects tended to
		// live long are allocated straight into the old generation. The server's
		// requests live for a round trip and then die, so there it filled the old
		// generation with garbage; off, the bench used less memory and no more CPU.
		pretenuring: false,
	},
	auth: {
		// API keys and their secrets, as 'key:secret' (secrets of at least 32 characters).
		// Empty: open mode, as the classic demo: anyone who reaches the server joins any
		// room under any name and may do everything. With keys: token mode, every entry
		// point (WebSocket, REST, recordings) needs a JWT signed with one of the secrets
		// (`npm run token`, README "Access control"). Several pairs let keys be rotated.
		// Env: AUTH_KEYS, e.g. AUTH_KEYS=key1:secret1,key2:secret2.
		keys: [],
		// Origins (scheme://host[:port]) whose pages may open the WebSocket besides the
		// server's own (which always may). Unset: only the server's own, so no other site
		// can use a visitor's browser to connect.
		// Clients that send no Origin (ffmpeg, scripts) are not affected.
		// Env: ALLOWED_ORIGINS, comma separated.
		allowedOrigins: undefined,
		// Every room starts locked: only peers with the roomAdmin grant enter directly,
		// the others wait in the lobby until a moderator admits them. Env: AUTH_LOBBY.
		lobby: false,
	},
	// What one client may ask of the server. A refusal names the limit.
	limits: {
		// Members of one room: peers (browsers) and broadcasters. Env: LIMIT_PEERS_PER_ROOM.
		peersPerRoom: 500,
		// WebRTC transports one peer may have (the app uses two). Env: LIMIT_TRANSPORTS_PER_PEER.
		transportsPerPeer: 4,
		// Transports one broadcaster (REST API) may have: ffmpeg-receiver.sh makes one per
		// producer it receives, plus one. Env: LIMIT_TRANSPORTS_PER_BROADCASTER.
		transportsPerBroadcaster: 32,
		// Producers one peer or broadcaster may have (microphone, camera, screen and its audio).
		// Env: LIMIT_PRODUCERS_PER_PEER.
		producersPerPeer: 8,
		// DataChannel producers one peer or broadcaster may have (chat, bot). Env: LIMIT_DATA_PRODUCERS_PER_PEER.
		dataProducersPerPeer: 4,
		// Requests one peer may send: a token bucket refilled at requestsPerSecond that
		// holds requestBurst (a join sends a dozen at once).
		// Env: LIMIT_REQUESTS_PER_SECOND and LIMIT_REQUEST_BURST.
		requestsPerSecond: 50,
		requestBurst: 200,
		// New WebSocket connections from one IP address per minute. It counts the address
		// the TCP connection comes from: behind a reverse proxy every user has the proxy's,
		// so raise it there. (The bench raises it, and peersPerRoom, for the servers it
		// starts: all its peers come from 127.0.0.1.) Env: LIMIT_CONNECTIONS_PER_IP_PER_MINUTE.
		connectionsPerIpPerMinute: 600,
	},
	// Calls that survive the network. A joined peer whose connection drops without a
	// goodbye (Wi-Fi hands over, a laptop sleeps) keeps its place, transports,
	// producers and consumers for graceMs; the others see it "reconnecting". Its app
	// resumes the session within that time and media flows again after an ICE
	// restart; after it, the peer leaves as if it had closed. 0: a dropped peer
	// leaves at once. Env: RECONNECT_GRACE_MS.
	reconnect: {
		graceMs: 15000,
		// How a silent connection is found dead: a WebSocket ping after this long
		// without a message from the client, and dropped (its peer enters the grace
		// period) when it stays silent as long again. Env: RECONNECT_PING_INTERVAL_MS.
		pingIntervalMs: 10000,
	},
	// WHIP ingest (POST /whip/ROOM) and WHEP playback (POST /whep/ROOM/PEER): a
	// session whose ICE has not connected this long after its offer (or after an
	// ICE restart), or has been disconnected this long (mediasoup sees a client
	// gone after 20 s without ICE consent), ends: the sender or player went away
	// without a DELETE. Env: WHIP_ICE_TIMEOUT_MS.
	whip: {
		iceTimeoutMs: 30000,
	},
	// SIGTERM drains the server: it takes no new rooms and no new peers (/readyz
	// answers 503), lets the running calls go on until their rooms are empty or
	// drainTimeoutMs has passed, then tells the peers left that it shuts down
	// (`closing {reason: 'shutdown'}`: their apps reconnect by themselves) and
	// exits. A second SIGTERM, or SIGINT, stops at once. Ten minutes by default:
	// long enough for most meetings to end, short enough for a deploy; a process
	// manager must allow it (Kubernetes: terminationGracePeriodSeconds, systemd:
	// TimeoutStopSec). Env: DRAIN_TIMEOUT_MS.
	shutdown: {
		drainTimeoutMs: 600000,
	},
	// A TURN server (coturn) that relays media for people whose network blocks UDP and
	// the media ports above (strict company or hotel networks): clients get short-lived
	// credentials for it (coturn's use-auth-secret scheme) and try TURN over UDP, TCP
	// and TLS. README "TURN" has a turnserver.conf that goes with these settings.
	turn: {
		// coturn's hostname as clients reach it (the name its TLS certificate is for), or
		// its IP address. Unset: no TURN, clients are told of none. Env: TURN_HOST.
		host: undefined,
		// coturn's listening-port: TURN over UDP and TCP. Env: TURN_PORT.
		port: 3478,
		// coturn's tls-listening-port: TURN over TLS. 443 gets through firewalls that let
		// only HTTPS out (when nothing else on that address uses it). Env: TURN_TLS_PORT.
		tlsPort: 5349,
		// coturn's static-auth-secret (with use-auth-secret), shared with this server,
		// which signs credentials with it; at least 32 characters. Never logged.
		// Env: TURN_SECRET.
		secret: undefined,
		// How long the credentials a client gets stay valid for new allocations. The app
		// asks for new ones at half this and before every ICE restart, and coturn keeps an
		// allocation it has let in, so a call outlasts its credentials; what this bounds
		// is how long credentials copied out of a page could open new relays. An hour
		// also leaves room for the clocks of this server and coturn's to differ, as
		// coturn compares the expiry with its own. Env: TURN_CREDENTIAL_TTL_S.
		credentialTtlSeconds: 3600,
	},
	// Cluster mode (foundation; docs/CLUSTER.md): several servers sharing one Redis.
	// Each node registers itself there (id, addresses, workers, load) with a
	// heartbeat, and records which of its rooms it hosts, with leases that lapse
	// when it stops renewing them. Rooms do not span nodes yet: each node still
	// serves its own rooms only. Unset redisUrl: one node, no Redis, as always.
	cluster: {
		// Redis to coordinate through, e.g. 'redis://127.0.0.1:6379' or
		// 'rediss://user:password@redis.example.com:6380'. The server starts and runs
		// its calls while Redis is unreachable, and registers again once it is back.
		// Env: REDIS_URL.
		redisUrl: undefined,
		// This node's name in the cluster, unique among the nodes (letters, digits,
		// '.', '_', '-'). Unset: the machine's name and the process id, e.g. 'media1-4242',
		// which changes on every start: set one to recognise a node across restarts.
		// Env: CLUSTER_NODE_ID.
		nodeId: undefined,
		// Where this node's pipe transports (media between nodes) listen, and the
		// address the other nodes send to: a private network shared by the nodes, not
		// the public one. Unset: mediasoup.listenIp, and for the address that listen
		// address when it is one, else mediasoup's announced address.
		// Env: CLUSTER_PIPE_LISTEN_IP and CLUSTER_PIPE_ANNOUNCED_ADDRESS.
		pipeListenIp: undefined,
		pipeAnnouncedAddress: undefined,
		// Every heartbeatMs the node renews its record and its room leases, each good
		// for leaseMs: a node that dies (or loses Redis) is gone for the others within
		// leaseMs. Shorter finds dead nodes sooner but costs more Redis round trips and
		// lets a long pause (GC, a busy machine) look like death; the lease must cover
		// at least two heartbeats. Env: CLUSTER_HEARTBEAT_MS and CLUSTER_LEASE_MS.
		heartbeatMs: 2000,
		leaseMs: 5000,
	},
	// Monitoring: Prometheus metrics at /metrics, and /healthz and /readyz, on a listener
	// of their own, plain HTTP, so they are never exposed with the app by accident (the
	// health endpoints are on the HTTPS port too). README "Operations" lists the series.
	metrics: {
		// false: no metrics listener at all (the HTTPS port still answers /healthz and
		// /readyz). Env: METRICS_ENABLED.
		enabled: true,
		// Address and port of the metrics listener. Loopback by default: to let a
		// Prometheus on another machine scrape it, listen on an address it reaches, set a
		// token, and firewall the port. Env: METRICS_LISTEN_IP and METRICS_PORT.
		listenIp: '127.0.0.1',
		port: 9464,
		// A bearer token /metrics requires (Prometheus: `authorization: { credentials: ... }`).
		// At least 16 characters. Unset: /metrics answers anyone who reaches the
		// listener. /healthz and /readyz never need it. Env: METRICS_TOKEN.
		token: undefined,
		// Traffic counters (bytes, packets, NACK/PLI/FIR) come from the workers' stats of
		// every transport, producer and consumer: one request per object, 12 to 15 us of
		// the server's CPU each (a 200-peer room has 80,000 consumers). They are read at
		// most this often, only when someone scrapes, and never more than 5% of the time
		// (a reading that took 1.5 s waits 30 s for the next). Env: METRICS_STATS_INTERVAL_MS.
		statsIntervalMs: 10000,
		// Series per room (members, consumers), for the largest maxRooms rooms; the
		// others are summed up as room="_other". Off: a room id is a label value of
		// its own in Prometheus. Env: METRICS_ROOM_LABEL and METRICS_ROOM_LABEL_MAX.
		roomLabel: { enabled: false, maxRooms: 20 },
	},
	// Secret a client must present to apply network throttling (a testing feature);
	// unset disables it. Env: THROTTLE_SECRET.
	throttleSecret: undefined,
	// Server log verbosity: 'trace', 'debug', 'info', 'warn' or 'error'. Env: LOG_LEVEL.
	logLevel: 'info',
};
