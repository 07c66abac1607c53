// Short random ids for rooms and peers: easy to read aloud, hard to guess.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function randomId(length = 8): string {
	const bytes = crypto.getRandomValues(new Uint8Array(length));
	return Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}
