// A small bar that moves with a voice's loudness (0..1).
export function AudioLevelMeter({ level }: { level: number }) {
	const percent = Math.round(Math.max(0, Math.min(1, level)) * 100);
	return (
		<div className="audio-meter" data-testid="audio-meter" data-level={level} title="Voice level">
			<div className="audio-meter-fill" style={{ width: `${percent}%` }} />
		</div>
	);
}
