#!/usr/bin/env bash
# Generates the test media file the broadcaster scripts stream by default: a
# testsrc2 picture (moving, with a frame counter) and a 440 Hz sine beeping
# once a second, VP8 + opus in WebM. Made locally with ffmpeg, never
# downloaded; generated only when missing, so calling it again is instant.
#
#   broadcasters/make-test-media.sh          prints the file's path on stdout
#
# Environment (all optional):
#   MEDIA_FILE       where to write it
#                    (default: ~/.cache/mediasoup-conference/media/test-<size>-<fps>fps-<duration>s.webm)
#   MEDIA_SIZE       picture size (default 640x360)
#   MEDIA_FPS        frame rate (default 30)
#   MEDIA_DURATION   seconds (default 10)
set -euo pipefail

# shellcheck source=broadcasters/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

size=${MEDIA_SIZE:-640x360}
fps=${MEDIA_FPS:-30}
duration=${MEDIA_DURATION:-10}
[[ $size =~ ^[0-9]+x[0-9]+$ ]] || die "MEDIA_SIZE must look like 640x360 (got '$size')"
[[ $fps =~ ^[0-9]+$ && $fps -gt 0 ]] || die "MEDIA_FPS must be a positive integer (got '$fps')"
[[ $duration =~ ^[0-9]+$ && $duration -gt 0 ]] || die "MEDIA_DURATION must be a positive integer (got '$duration')"

# The default name carries the parameters, so asking for another size makes
# another file instead of silently reusing the old one.
file=${MEDIA_FILE:-$(bc_media_dir)/test-$size-${fps}fps-${duration}s.webm}

if [ -s "$file" ]; then
	echo "$file"
	exit 0
fi

require_tool ffmpeg ffmpeg
mkdir -p "$(dirname "$file")"
log "generating $file ($size, $fps fps, $duration s, VP8 + opus)"
# Written under a temporary name and renamed, so an interrupted run never
# leaves a truncated file that the "only when missing" check would accept.
tmp="$file.partial.$$.webm"
trap 'rm -f "$tmp"' EXIT
# A key frame every second keeps seeking and looping cheap; good-quality VP8
# at cpu-used 4 encodes 10 s of 640x360 in a few seconds.
ffmpeg -hide_banner -loglevel error -nostdin -y \
	-f lavfi -i "testsrc2=size=$size:rate=$fps:duration=$duration" \
	-f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$duration" \
	-map 0:v -map 1:a \
	-c:v libvpx -b:v 1M -deadline good -cpu-used 4 -g "$fps" -pix_fmt yuv420p \
	-c:a libopus -b:a 64k -ac 2 \
	"$tmp"
mv "$tmp" "$file"
echo "$file"
