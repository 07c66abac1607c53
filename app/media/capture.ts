// Capturing tracks to send: the microphone, a camera, the screen, or a video
// file played in the page (getUserMedia, getDisplayMedia, captureStream).
import type { WebcamResolution } from '../store/slices/me.ts';

export const RESOLUTIONS: Record<WebcamResolution, { width: number; height: number }> = {
	qvga: { width: 320, height: 240 },
	vga: { width: 640, height: 480 },
	hd: { width: 1280, height: 720 },
};

export const NEXT_RESOLUTION: Record<WebcamResolution, WebcamResolution> = { qvga: 'vga', vga: 'hd', hd: 'qvga' };

export async function getMicrophoneTrack(): Promise<MediaStreamTrack> {
	const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
	return firstTrack(stream, 'microphone');
}

export async function getWebcamTrack(resolution: WebcamResolution, deviceId?: string): Promise<MediaStreamTrack> {
	const { width, height } = RESOLUTIONS[resolution];
	const stream = await navigator.mediaDevices.getUserMedia({
		video: {
			...(deviceId ? { deviceId: { exact: deviceId } } : {}),
			width: { ideal: width },
			height: { ideal: height },
			frameRate: { ideal: 30 },
		},
	});
	return firstTrack(stream, 'camera');
}

export async function getScreenTrack(): Promise<MediaStreamTrack> {
	const stream = await navigator.mediaDevices.getDisplayMedia({
		audio: false,
		video: { width: { max: 1920 }, height: { max: 1080 }, frameRate: { max: 30 } },
	});
	return firstTrack(stream, 'screen');
}

/** A video file played in a hidden element and captured, instead of the camera. */
export async function getExternalVideoTrack(url: string): Promise<MediaStreamTrack> {
	const video = document.createElement('video');
	video.src = url;
	video.crossOrigin = 'anonymous';
	video.loop = true;
	video.muted = true;
	video.playsInline = true;
	await video.play();
	const capture = (video as HTMLVideoElement & { captureStream(): MediaStream }).captureStream();
	return firstTrack(capture, 'external video');
}

export async function listCameras(): Promise<MediaDeviceInfo[]> {
	const devices = await navigator.mediaDevices.enumerateDevices();
	return devices.filter((device) => device.kind === 'videoinput');
}

function firstTrack(stream: MediaStream, what: string): MediaStreamTrack {
	const track = stream.getTracks()[0];
	if (!track) throw new Error(`no ${what} track`);
	return track;
}
