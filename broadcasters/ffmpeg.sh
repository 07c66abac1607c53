#!/usr/bin/env bash
# Streams a media file, looped, into a room as a broadcaster: creates the
# broadcaster, a plain transport and a producer per kind through the REST API,
# then ffmpeg encodes opus + VP8 and sends RTP until stopped. Ctrl+C, kill, or
# ffmpeg ending removes the broadcaster from the room.
#
#   ROOM_ID=demo broadcasters/ffmpeg.sh
#
# Environment (all optional):
#   SERVER_URL        default https://127.0.0.1:4443
#   ROOM_ID           default demo
#   MEDIA_FILE        any file ffmpeg reads with an audio and a video stream
#                     (default: the generated test file, see make-test-media.sh)
#   BROADCASTER_ID    default: TOKEN's identity, or ffmpeg-<random>
#   TOKEN             access token (ingest grant for ROOM_ID) when the server
#                     runs in token mode (see lib.sh)
#   DISPLAY_NAME      default "FFmpeg"
#   VIDEO_BITRATE     kbit/s, default 1000
#   AUDIO_BITRATE     kbit/s, default 64
#   KEYFRAME_INTERVAL seconds between key frames, default 2
#   CA_FILE, CURL_INSECURE   how to trust the server's certificate (see lib.sh)
#   FFMPEG_LOGLEVEL   default warning
set -euo pipefail

# shellcheck source=broadcasters/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_tool curl curl
require_tool jq jq
require_tool ffmpeg ffmpeg
require_tool ffprobe ffmpeg

VIDEO_BITRATE=${VIDEO_BITRATE:-1000}
AUDIO_BITRATE=${AUDIO_BITRATE:-64}
KEYFRAME_INTERVAL=${KEYFRAME_INTERVAL:-2}
bc_positive_number VIDEO_BITRATE "$VIDEO_BITRATE"
bc_positive_number AUDIO_BITRATE "$AUDIO_BITRATE"
bc_positive_number KEYFRAME_INTERVAL "$KEYFRAME_INTERVAL"

media=$(bc_default_media)
bc_check_media "$media"

bc_setup_tls
bc_install_traps
bc_ingest_setup ffmpeg "FFmpeg"
log "streaming $media (looped) with ffmpeg; Ctrl+C to stop"

audio_url="rtp://$(bc_url_host "$bc_audio_ip"):$bc_audio_port?rtcpport=$bc_audio_rtcp_port&pkt_size=1200"
video_url="rtp://$(bc_url_host "$bc_video_ip"):$bc_video_port?rtcpport=$bc_video_rtcp_port&pkt_size=1200"

# -re paces reading at the native rate, -stream_loop -1 loops the input.
# pkt_size=1200 keeps RTP packets small enough for the server to forward them
# over SRTP to browsers without exceeding a typical path MTU.
# libvpx realtime: no look-ahead (lag 0, no alt-ref) keeps latency low and
# error-resilient mode lets receivers recover from lost packets. ffmpeg does
# not act on the server's key-frame requests (RTCP PLI), so key frames are
# forced at a fixed interval: a viewer joining waits at most that long.
# stdout only gets the SDP ffmpeg prints for its rtp outputs: not needed here.
bc_run_child ffmpeg -hide_banner -nostdin -loglevel "${FFMPEG_LOGLEVEL:-warning}" \
	-stream_loop -1 -re -i "$media" \
	-map 0:a:0 -c:a libopus -b:a "${AUDIO_BITRATE}k" -ar 48000 -ac 2 \
	-payload_type "$AUDIO_PT" -ssrc "$AUDIO_SSRC" -f rtp "$audio_url" \
	-map 0:v:0 -c:v libvpx -b:v "${VIDEO_BITRATE}k" -deadline realtime -cpu-used 8 \
	-lag-in-frames 0 -auto-alt-ref 0 -error-resilient 1 -pix_fmt yuv420p \
	-force_key_frames "expr:gte(t,n_forced*$KEYFRAME_INTERVAL)" \
	-payload_type "$VIDEO_PT" -ssrc "$VIDEO_SSRC" -f rtp "$video_url" >/dev/null ||
	die "ffmpeg stopped (exit status $?)"
log "ffmpeg finished"
