// What this client tells the others it runs on (join's `device`), in the
// classic demo's shape: flag (a short browser id), name and version.
import type { DeviceInfo } from '../../protocol/signaling.ts';

const BROWSERS: { flag: string; name: string; pattern: RegExp }[] = [
	{ flag: 'edge', name: 'Edge', pattern: /Edg\/(\d+)/ },
	{ flag: 'opera', name: 'Opera', pattern: /OPR\/(\d+)/ },
	{ flag: 'firefox', name: 'Firefox', pattern: /Firefox\/(\d+)/ },
	{ flag: 'chrome', name: 'Chrome', pattern: /(?:Chrome|Chromium)\/(\d+)/ },
	{ flag: 'safari', name: 'Safari', pattern: /Version\/(\d+).*Safari/ },
];

export function deviceInfo(userAgent: string): DeviceInfo {
	for (const browser of BROWSERS) {
		const match = browser.pattern.exec(userAgent);
		if (match) return { flag: browser.flag, name: browser.name, version: match[1] };
	}
	return { flag: 'unknown', name: 'Unknown browser', version: '' };
}
