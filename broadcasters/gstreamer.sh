#!/usr/bin/env bash
# Streams a media file, looped, into a room as a broadcaster, like ffmpeg.sh
# but with a GStreamer pipeline (gst-launch-1.0): REST API for the broadcaster,
# its plain transports and producers, then opus + VP8 over RTP. Ctrl+C, kill,
# or the stream ending removes the broadcaster.
#
#   ROOM_ID=demo broadcasters/gstreamer.sh
#
# Environment (all optional):
#   SERVER_URL        default https://127.0.0.1:4443
#   ROOM_ID           default demo
#   MEDIA_FILE        a file with an audio and a video stream in a container
#                     GStreamer demuxes (WebM/Matroska, MP4, ...)
#                     (default: the generated test file, see make-test-media.sh)
#   LOOPS             how many times the file plays, default 100 (see below)
#   BROADCASTER_ID    default: TOKEN's identity, or gstreamer-<random>
#   TOKEN             access token (ingest grant for ROOM_ID) when the server
#                     runs in token mode (see lib.sh)
#   DISPLAY_NAME      default "GStreamer"
#   VIDEO_BITRATE     kbit/s, default 1000
#   AUDIO_BITRATE     kbit/s, default 64
#   VIDEO_FPS         frame rate sent, default 30
#   KEYFRAME_INTERVAL seconds between key frames, default 2
#   CA_FILE, CURL_INSECURE   how to trust the server's certificate (see lib.sh)
#
# Looping: gst-launch-1.0 cannot seek back to the start of a file, and
# multifilesrc loop=true only works for raw data (a container read twice in a
# row is not a valid container). splitmuxsrc, made to play a recording split
# into parts as one stream, plays LOOPS links to the same file back to back
# with continuous timestamps, so RTP timing stays smooth at every wrap. It is
# opened through uridecodebin (splitmux:// URI): two decodebins after a bare
# splitmuxsrc sometimes never finish prerolling (1 start in 20 hung). But
# GStreamer 1.22's splitmuxsrc opens every part when it starts (about 3 open
# files and a second of start-up per 300 parts), hence a finite LOOPS: when
# all have played, the stream ends and the broadcaster leaves.
set -euo pipefail

# shellcheck source=broadcasters/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_tool curl curl
require_tool jq jq
require_tool gst-launch-1.0 gstreamer1.0-tools
# The elements used below, each named with the Debian package that has it.
for element in splitmuxsrc:gstreamer1.0-plugins-good uridecodebin:gstreamer1.0-plugins-base \
	vp8enc:gstreamer1.0-plugins-good opusenc:gstreamer1.0-plugins-base \
	rtpvp8pay:gstreamer1.0-plugins-good rtpopuspay:gstreamer1.0-plugins-good udpsink:gstreamer1.0-plugins-good; do
	gst-inspect-1.0 --exists "${element%%:*}" ||
		die "the GStreamer element ${element%%:*} is missing; on Debian/Ubuntu: apt-get install ${element#*:}"
done

LOOPS=${LOOPS:-100}
VIDEO_BITRATE=${VIDEO_BITRATE:-1000}
AUDIO_BITRATE=${AUDIO_BITRATE:-64}
VIDEO_FPS=${VIDEO_FPS:-30}
KEYFRAME_INTERVAL=${KEYFRAME_INTERVAL:-2}
[[ $LOOPS =~ ^[1-9][0-9]*$ ]] || die "LOOPS must be a positive integer (got '$LOOPS')"
[[ $VIDEO_FPS =~ ^[1-9][0-9]*$ ]] || die "VIDEO_FPS must be a positive integer (got '$VIDEO_FPS')"
[[ $VIDEO_BITRATE =~ ^[1-9][0-9]*$ ]] || die "VIDEO_BITRATE must be a positive integer (got '$VIDEO_BITRATE')"
[[ $AUDIO_BITRATE =~ ^[1-9][0-9]*$ ]] || die "AUDIO_BITRATE must be a positive integer (got '$AUDIO_BITRATE')"
bc_positive_number KEYFRAME_INTERVAL "$KEYFRAME_INTERVAL"
# splitmuxsrc keeps about 3 files open per part (see the top): raise the
# soft limit of open files if LOOPS needs it.
open_files=$((LOOPS * 3 + 64))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$open_files" ]; then
	ulimit -n "$open_files" 2>/dev/null ||
		die "LOOPS=$LOOPS needs about $open_files open files but 'ulimit -n' allows $(ulimit -n); lower LOOPS"
fi
# vp8enc counts key-frame distance in frames; videorate below fixes the rate.
keyframe_dist=$(awk -v s="$KEYFRAME_INTERVAL" -v f="$VIDEO_FPS" 'BEGIN { d = int(s * f + 0.5); print (d < 1 ? 1 : d) }')

media=$(bc_default_media)
# Without one of the streams the pipeline would wait for it forever.
bc_check_media "$media"
media=$(cd "$(dirname "$media")" && printf '%s/%s\n' "$PWD" "$(basename "$media")")

bc_setup_tls
bc_install_traps
bc_make_tmp
mkdir "$bc_tmp/loop"
# Zero-padded names: splitmuxsrc plays the parts in name order.
for i in $(seq -w 1 "$LOOPS"); do ln -s "$media" "$bc_tmp/loop/part$i"; done

bc_ingest_setup gstreamer "GStreamer"
log "streaming $media ($LOOPS times) with GStreamer; Ctrl+C to stop"

uri=$(jq -rn --arg path "$bc_tmp/loop/part*" '"splitmux://" + ($path | @uri | gsub("%2F"; "/"))')

# udpsink sync=true (the default) paces RTP at the media's rate, like
# ffmpeg's -re. No rtpbin, so no RTCP sender reports: rtpbin in GStreamer 1.22
# sometimes never lets the pipeline end at the end of the stream (3 runs in
# 10 hung), and the server needs no sender reports from a producer (it makes
# its own for the consumers). The transports' RTCP ports stay unused. Key
# frames come at a fixed interval: acting on the server's key-frame requests
# would need RTCP back into the pipeline, which gst-launch cannot arrange.
# mtu=1200: small enough for the server to forward over SRTP to browsers.
bc_run_child gst-launch-1.0 -q \
	uridecodebin uri="$uri" name=src \
	src. ! queue ! videoconvert ! videorate ! "video/x-raw,format=I420,framerate=$VIDEO_FPS/1" ! \
	vp8enc deadline=1 cpu-used=8 lag-in-frames=0 error-resilient=default \
	target-bitrate=$((VIDEO_BITRATE * 1000)) keyframe-max-dist="$keyframe_dist" ! \
	rtpvp8pay pt="$VIDEO_PT" ssrc="$VIDEO_SSRC" picture-id-mode=15-bit mtu=1200 ! \
	udpsink host="$bc_video_ip" port="$bc_video_port" \
	src. ! queue ! audioconvert ! audioresample ! "audio/x-raw,rate=48000,channels=2" ! \
	opusenc bitrate=$((AUDIO_BITRATE * 1000)) ! \
	rtpopuspay pt="$AUDIO_PT" ssrc="$AUDIO_SSRC" mtu=1200 ! \
	udpsink host="$bc_audio_ip" port="$bc_audio_port" ||
	die "gst-launch-1.0 stopped (exit status $?)"
log "the stream ended after playing the file $LOOPS time(s)"
