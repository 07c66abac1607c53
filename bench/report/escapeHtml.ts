// Text from a run (parameters can come from the command line) made safe inside
// HTML and SVG.
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
