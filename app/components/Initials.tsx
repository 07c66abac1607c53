// Shown in a tile without video: the person's initials on a coloured disc.
function initialsOf(name: string): string {
	const words = name.trim().split(/\s+/).filter(Boolean);
	const letters = words.length > 1 ? [words[0]?.[0], words.at(-1)?.[0]] : [words[0]?.[0], words[0]?.[1]];
	return letters.filter(Boolean).join('').toUpperCase() || '?';
}

/** A stable hue per name, so a person keeps their colour. */
function hueOf(name: string): number {
	let hash = 0;
	for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
	return hash;
}

export function Initials({ name }: { name: string }) {
	return (
		<div className="initials" style={{ backgroundColor: `hsl(${hueOf(name)} 45% 40%)` }} aria-hidden="true">
			{initialsOf(name)}
		</div>
	);
}
