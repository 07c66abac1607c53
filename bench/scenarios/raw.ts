// raw: the fanout scenario's traffic through bare mediasoup objects in this
// process, no signaling and no server: the ceiling the server is measured
// against. Same worker settings and router codecs as the server (read from
// the same config file), same transports, same sender and sinks.

import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { loadSettings } from '../../server/config/loadConfig.ts';
import { consumerSsrc, receiverConnectParameters, receiverRtpCapabilities, SENDER_PRODUCERS } from '../benchMedia.ts';
import type { FanoutOptions } from '../FanoutOptions.ts';
import type { Endpoint, FanoutRoom, ReceiverTarget } from '../FanoutRoom.ts';
import { runFanoutRamp } from '../fanoutRamp.ts';
import { describeReceivers, fanoutReport, variantTag } from '../fanoutReport.ts';
import type { ScenarioContext } from '../ScenarioContext.ts';
import type { ScenarioReport } from '../ScenarioReport.ts';
import { MEDIA_PORT_RANGE } from '../ServerUnderTest.ts';
import { checkWorkerBinary } from '../workerBinary.ts';

// The same range the bench gives a server it starts.
const LISTEN_INFO: types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1', portRange: MEDIA_PORT_RANGE };

/** Needs no server: only the progress line of the context. */
export async function runRaw(
	options: FanoutOptions,
	context: Pick<ScenarioContext, 'progress'>,
): Promise<ScenarioReport> {
	const spread = options.roomSpread === 'always' && options.workers > 1;
	const room = await RawFanoutRoom.create(options, spread);
	const label = `raw ${options.workers}w ${spread ? 'spread' : 'pinned'}${variantTag(options)}${options.round === undefined ? '' : ` #${options.round}`}`;
	try {
		checkWorkerBinary(room.workerPids(), options.workerBin);
		const result = await runFanoutRamp(room, options, context.progress, label);
		const routers = spread ? `${options.workers} routers piped` : 'one router';
		const receivers = options.srtp === undefined ? '' : `, ${describeReceivers(options.srtp)} receivers`;
		const binary = options.workerBin === undefined ? '' : `, worker ${options.workerBin.label}`;
		const title = `Bare mediasoup (${options.workers} worker${options.workers === 1 ? '' : 's'}, ${routers}${receivers}${binary})`;
		return fanoutReport('raw', title, options, result);
	} finally {
		await room.close();
	}
}

class RawFanoutRoom implements FanoutRoom {
	readonly ingest: Endpoint;
	readonly nodePid = undefined;
	readonly #workers: types.Worker[];
	readonly #routers: types.Router[];
	readonly #producerIds: string[];
	readonly #receivers = new Map<number, types.PlainTransport>();
	readonly #rtpCapabilities: types.RtpCapabilities;
	readonly #srtp: types.SrtpCryptoSuite | undefined;

	/** One router on the first worker, or (spread) one per worker with the producers piped to all. */
	static async create(
		{ workers, srtp, workerBin }: Pick<FanoutOptions, 'workers' | 'srtp' | 'workerBin'>,
		spread: boolean,
	): Promise<RawFanoutRoom> {
		const { config } = await loadSettings();
		const settings: types.WorkerSettings = {
			...config.mediasoup.workerSettings,
			...(workerBin === undefined ? {} : { workerBin: workerBin.path }),
		};
		const started = await Promise.all(Array.from({ length: workers }, () => mediasoup.createWorker(settings)));
		try {
			const { mediaCodecs } = config.mediasoup.routerOptions;
			const routers = await Promise.all(
				(spread ? started : started.slice(0, 1)).map((worker) => worker.createRouter({ mediaCodecs })),
			);
			const home = routers[0] as types.Router;
			const ingest = await home.createPlainTransport({ listenInfo: LISTEN_INFO, rtcpMux: true, comedia: true });
			const producers: types.Producer[] = [];
			for (const producer of SENDER_PRODUCERS) producers.push(await ingest.produce(producer));
			for (const router of routers.slice(1)) {
				for (const producer of producers) await home.pipeToRouter({ producerId: producer.id, router });
			}
			const endpoint = { ip: ingest.tuple.localAddress, port: ingest.tuple.localPort };
			const producerIds = producers.map((producer) => producer.id);
			return new RawFanoutRoom(started, routers, endpoint, producerIds, srtp);
		} catch (error) {
			for (const worker of started) worker.close();
			throw error;
		}
	}

	private constructor(
		workers: types.Worker[],
		routers: types.Router[],
		ingest: Endpoint,
		producerIds: string[],
		srtp: types.SrtpCryptoSuite | undefined,
	) {
		this.#workers = workers;
		this.#srtp = srtp;
		this.#routers = routers;
		this.ingest = ingest;
		this.#producerIds = producerIds;
		// Every router of the room has the same codecs, hence the same capabilities.
		this.#rtpCapabilities = receiverRtpCapabilities((routers[0] as types.Router).rtpCapabilities);
	}

	/** Round robin over the routers, so each worker forwards to half the receivers when spread. */
	async addReceiver(index: number, target: ReceiverTarget): Promise<number[]> {
		const router = this.#routers[index % this.#routers.length] as types.Router;
		const transport = await router.createPlainTransport({
			listenInfo: LISTEN_INFO,
			rtcpMux: false,
			comedia: false,
			// As the server makes them for srtp: true (BroadcasterApi).
			...(this.#srtp === undefined ? {} : { enableSrtp: true, srtpCryptoSuite: this.#srtp }),
		});
		this.#receivers.set(index, transport);
		await transport.connect(receiverConnectParameters(target, this.#srtp));
		const ssrcs: number[] = [];
		for (const producerId of this.#producerIds) {
			const consumer = await transport.consume({ producerId, rtpCapabilities: this.#rtpCapabilities });
			ssrcs.push(consumerSsrc(consumer.rtpParameters));
		}
		return ssrcs;
	}

	async removeReceiver(index: number): Promise<void> {
		this.#receivers.get(index)?.close();
		this.#receivers.delete(index);
	}

	workerPids(): number[] {
		return this.#workers.map((worker) => worker.pid);
	}

	async close(): Promise<void> {
		await Promise.all(
			this.#workers.map(async (worker) => {
				if (worker.closed) return;
				const died = new Promise<void>((resolve) => worker.observer.once('close', () => resolve()));
				worker.close();
				await died;
			}),
		);
	}
}
