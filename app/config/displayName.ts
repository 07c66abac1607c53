// The name others see: from the URL, else the one this browser used last
// time, else a friendly random one.
const STORAGE_KEY = 'conference.displayName';

const ADJECTIVES = ['Brave', 'Calm', 'Clever', 'Gentle', 'Happy', 'Lucky', 'Quick', 'Quiet', 'Sunny', 'Witty'];
const ANIMALS = ['Badger', 'Falcon', 'Fox', 'Heron', 'Koala', 'Lynx', 'Otter', 'Panda', 'Robin', 'Seal'];

function pick(list: readonly string[]): string {
	return list[Math.floor(Math.random() * list.length)] ?? '';
}

export function initialDisplayName(fromUrl: string | null): string {
	if (fromUrl) return fromUrl;
	try {
		const stored = localStorage.getItem(STORAGE_KEY);
		if (stored) return stored;
	} catch {
		// Storage can be disabled (private mode); a random name will do.
	}
	return `${pick(ADJECTIVES)} ${pick(ANIMALS)}`;
}

export function rememberDisplayName(displayName: string): void {
	try {
		localStorage.setItem(STORAGE_KEY, displayName);
	} catch {
		// Not remembering the name is harmless.
	}
}
