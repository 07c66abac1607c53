// Piped input (`printf '.usage\n.rooms\n' | npm run connect`, a script, a
// test) arrives as one chunk of many lines, and Node's REPL starts them all
// at once: the output of an awaited expression or of a dot-command comes
// after that of the lines below it. The feeder holds the lines back and gives
// the REPL the next one only when it shows its prompt again, so each line's
// output comes in order. (A person at a TTY types one line at a time: such
// sessions read the socket directly.) Owned by its session; it ends the
// REPL's input when the source has ended and every line was taken.
import { PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export class LineFeeder {
	/** The REPL's input. */
	readonly input = new PassThrough();
	readonly #decoder = new StringDecoder('utf8');
	readonly #lines: string[] = [];
	#partial = '';
	#sourceEnded = false;
	#replReady = false;

	constructor(source: Readable) {
		source.on('data', (chunk: Buffer) => this.#receive(this.#decoder.write(chunk)));
		source.once('end', () => {
			this.#receive(this.#decoder.end());
			// A last line without its newline still counts.
			if (this.#partial !== '') this.#lines.push(`${this.#partial}\n`);
			this.#partial = '';
			this.#sourceEnded = true;
			this.#feed();
		});
		// The session paused the socket while it read the hello.
		source.resume();
	}

	/** The REPL shows its prompt: it is done with the previous line. */
	ready(): void {
		this.#replReady = true;
		this.#feed();
	}

	#receive(text: string): void {
		const parts = (this.#partial + text).split(/(?<=\n)/);
		this.#partial = parts.at(-1)?.endsWith('\n') ? '' : (parts.pop() ?? '');
		this.#lines.push(...parts);
		this.#feed();
	}

	#feed(): void {
		if (!this.#replReady || this.input.writableEnded) return;
		const line = this.#lines.shift();
		if (line !== undefined) {
			this.#replReady = false;
			this.input.write(line);
		} else if (this.#sourceEnded) {
			this.input.end();
		}
	}
}
