// The shape of the configuration: what config.ts / config.example.ts export
// (Config) and what the server runs with once environment overrides, checks
// and defaults are applied (ResolvedConfig). config.example.ts documents
// every setting; this file only says what type each one has.
import type { types } from 'mediasoup';
import type { LogLevel } from '../logging/levels.ts';
import type { NodeHeapSettings } from '../nodeHeap.ts';

export type { LogLevel } from '../logging/levels.ts';
export { plainTransportListenInfo, webRtcServerListenInfos } from './listenInfos.ts';

/** Paths of a PEM certificate chain and its private key. */
export interface TlsFiles {
	cert: string;
	key: string;
}

/**
 * auto: a room grows onto another worker once its routers are full;
 * always: every worker from the start (tests, benchmarks); never: one worker.
 */
export const ROOM_SPREAD_MODES = ['auto', 'always', 'never'] as const;
export type RoomSpreadMode = (typeof ROOM_SPREAD_MODES)[number];

export interface Config {
	https: {
		listenIp: string;
		listenPort: number;
		/** null: a self-signed certificate is generated in certDir. */
		tls: TlsFiles | null;
		certDir: string;
	};
	mediasoup: {
		numWorkers: number;
		workerSettings: {
			logLevel: types.WorkerLogLevel;
			logTags: types.WorkerLogTag[];
		};
		routerOptions: {
			// Router codecs: preferredPayloadType is optional, mediasoup picks one.
			mediaCodecs: types.RouterRtpCodecCapability[];
		};
		/** When one room's peers are spread over routers on several workers (see RoomRouters). */
		roomSpread: {
			mode: RoomSpreadMode;
			/** auto: a router takes new members until it holds this many consumers. */
			consumersPerRouter: number;
		};
		listenIp: string;
		announcedAddress: string | undefined;
		webRtcServerPort: number;
		minPort: number;
		maxPort: number;
		webRtcTransportOptions: {
			initialAvailableOutgoingBitrate: number;
			minimumAvailableOutgoingBitrate: number;
			maxSctpMessageSize: number;
			maxIncomingBitrate: number;
		};
		plainTransportOptions: {
			maxSctpMessageSize: number;
		};
		/**
		 * DTLS-SRTP crypto suites the workers offer and accept on WebRTC
		 * transports, most preferred first; undefined: every suite mediasoup
		 * supports, AEAD_AES_256_GCM first. Workers read it from their
		 * environment (worker patch 0007; server/media/workerEnvironment.ts).
		 */
		dtlsSrtpCryptoSuites: types.SrtpCryptoSuite[] | undefined;
	};
	recording: {
		/** Where recordings are written, one folder per room (relative to the project root). */
		directory: string;
	};
	terminal: {
		/** UNIX socket of the admin terminal (`npm run connect`); undefined: one in os.tmpdir() named after the HTTPS port. */
		socketPath: string | undefined;
	};
	/** Garbage collection of the server's own Node process (server/nodeHeap.ts). */
	nodeHeap: NodeHeapSettings;
	throttleSecret: string | undefined;
	logLevel: LogLevel;
}

/**
 * The configuration after environment overrides and validation: every
 * address the server announces and every file it reads is known.
 */
export interface ResolvedConfig extends Omit<Config, 'https' | 'mediasoup' | 'terminal' | 'recording'> {
	https: Omit<Config['https'], 'tls'> & {
		/** Absolute paths: the configured files or the generated self-signed pair. */
		tls: TlsFiles;
	};
	mediasoup: Omit<Config['mediasoup'], 'announcedAddress'> & {
		/** What clients are told to connect to (ICE candidates, plain transport tuples). */
		announcedAddress: string;
	};
	terminal: {
		/** Absolute path: the configured socket or the default one. */
		socketPath: string;
	};
	recording: {
		/** Absolute path. */
		directory: string;
	};
	/** Absolute path of the file the settings were read from. */
	configFile: string;
	/** Things the operator should know (chosen addresses, a new certificate): main logs them. */
	notices: string[];
}
