// What address clients are told to send media to (ICE candidates, plain
// transport tuples). A wildcard listen address is not one: when nothing is
// announced we pick the machine's address ourselves and say so, because a
// wrong guess (NAT, cloud VM) shows up as calls that connect without media.
import type { NetworkInterfaces } from './addresses.ts';
import { firstExternalIPv4, isAnyAddress } from './addresses.ts';
import type { Config } from './Config.ts';
import type { ConfigProblem } from './ConfigError.ts';
import { describeSetting, type SettingSources, settingProblem, settingTarget } from './settingSources.ts';

export function checkAnnouncedAddress(config: Config, sources: SettingSources): ConfigProblem[] {
	const { announcedAddress } = config.mediasoup;
	if (announcedAddress === undefined || !isAnyAddress(announcedAddress)) return [];
	return [
		settingProblem(
			sources,
			'mediasoup.announcedAddress',
			announcedAddress,
			'is not reachable by clients',
			"this machine's IP address or hostname as clients reach it",
		),
	];
}

export interface AnnouncedAddress {
	address: string;
	/** Set when the address was guessed: the operator should check it. */
	notice: string | undefined;
}

export function resolveAnnouncedAddress(
	config: Config,
	sources: SettingSources,
	interfaces: NetworkInterfaces,
): AnnouncedAddress {
	const { announcedAddress, listenIp } = config.mediasoup;
	if (announcedAddress !== undefined) return { address: announcedAddress, notice: undefined };
	if (!isAnyAddress(listenIp)) return { address: listenIp, notice: undefined };

	const listening = describeSetting(sources, 'mediasoup.listenIp', listenIp);
	const setIt = `set ${settingTarget(sources, 'mediasoup.announcedAddress')}`;
	const found = firstExternalIPv4(interfaces);
	if (found) {
		return {
			address: found.address,
			notice:
				`${listening} and no announced address is set: announcing ${found.address} ` +
				`(${found.interfaceName}) to clients. If clients reach this machine at another address ` +
				`(NAT, cloud VM), ${setIt}.`,
		};
	}
	return {
		address: '127.0.0.1',
		notice:
			`${listening}, no announced address is set and this machine has no non-internal IPv4 address: ` +
			`announcing 127.0.0.1, so only clients on this machine can send media. To serve others, ${setIt}.`,
	};
}
