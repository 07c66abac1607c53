#!/usr/bin/env bash
# Records producers of a room to a file: joins as a broadcaster that consumes
# (with the router's RTP capabilities), gets each producer over its own plain
# transport and has ffmpeg write the RTP, as it comes, into one file (no
# re-encoding). Stops after DURATION seconds, on Ctrl+C or on kill; the file is
# finalised and the receiving broadcaster leaves the room.
#
#   ROOM_ID=demo PEER_ID=ffmpeg-1234 DURATION=10 OUTPUT=out.webm broadcasters/ffmpeg-receiver.sh
#
# Environment:
#   SERVER_URL      default https://127.0.0.1:4443
#   ROOM_ID         default demo
#   PRODUCER_ID     producer id(s) to record, comma-separated
#   PEER_ID         or: record every producer of this peer or broadcaster
#                   (with neither, the script lists who produces what and stops)
#   OUTPUT          file to write; .webm for VP8/VP9/opus, .mkv for anything
#                   (default recording-<room>-<date>.webm, or .mkv with H264)
#   DURATION        seconds to record (default: until Ctrl+C)
#   BROADCASTER_ID  default: TOKEN's identity, or receiver-<random>
#   TOKEN           access token (ingest grant for ROOM_ID) when the server
#                   runs in token mode (see lib.sh)
#   DISPLAY_NAME    default "Recorder"
#   CA_FILE, CURL_INSECURE   how to trust the server's certificate (see lib.sh)
#   FFMPEG_LOGLEVEL default warning
#
# How the media reaches ffmpeg. The script's plain transports use comedia:
# they send to wherever their first packet came from (so it works with any
# server of the classic API, which has no "connect" for plain transports;
# ours has one, see docs/PROTOCOL.md). So for each producer the script sends one
# empty RTCP receiver report from a local UDP port (bash's /dev/udp: no extra
# tool) and then has ffmpeg listen on that port. The consumer is created only
# once ffmpeg listens: the server asks the producer for a key frame when a
# consumer starts on a connected transport and forwards no video before it, so
# the file starts with a key frame. ffmpeg's SDP must name the payload type and
# codec before that, so they are learnt from a first consumer on a transport
# that never connects (it sends nothing and goes away with the broadcaster).
# Linux only: the local port a /dev/udp socket got is read from /proc.
set -euo pipefail

# shellcheck source=broadcasters/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_tool curl curl
require_tool jq jq
require_tool ffmpeg ffmpeg
[ -r /proc/net/udp ] || die "this script needs Linux's /proc/net/udp to find its UDP ports"

ROOM_ID=${ROOM_ID:-demo}
BROADCASTER_ID=${BROADCASTER_ID:-$(bc_default_id receiver)}
DISPLAY_NAME=${DISPLAY_NAME:-Recorder}
DURATION=${DURATION:-}
if [ -n "$DURATION" ]; then bc_positive_number DURATION "$DURATION"; fi
if [ -z "${PRODUCER_ID:-}" ] && [ -z "${PEER_ID:-}" ]; then
	wanted_help=1
else
	wanted_help=0
fi

# bc_udp_port_used PORT: whether any local UDP socket (IPv4 or IPv6) has PORT.
bc_udp_port_used() {
	awk -v port="$(printf '%04X' "$1")" \
		'FNR > 1 { n = split($2, a, ":"); if (a[n] == port) found = 1 } END { exit !found }' \
		/proc/net/udp /proc/net/udp6 2>/dev/null
}

# punch IP PORT: sends an empty RTCP receiver report (valid RTCP, so the
# server takes its source as the transport's address) to IP:PORT from a fresh
# local port, and prints that port. ffmpeg also binds the port after it (for
# RTCP), so that one must be free too.
punch() {
	local ip=$1 port=$2 fd link hex local_port _
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		exec {fd}<>"/dev/udp/$ip/$port"
		link=$(readlink "/proc/$BASHPID/fd/$fd")
		hex=$(awk -v inode="${link//[^0-9]/}" \
			'FNR > 1 && $10 == inode { n = split($2, a, ":"); print a[n]; exit }' /proc/net/udp /proc/net/udp6)
		local_port=$((16#${hex:-0}))
		if [ "$local_port" -gt 0 ] && [ "$local_port" -lt 65535 ] && ! bc_udp_port_used $((local_port + 1)); then
			# V=2, PT=201 (RR), length 1 word, sender SSRC 1.
			printf '\x80\xc9\x00\x01\x00\x00\x00\x01' >&"$fd"
			exec {fd}>&-
			echo "$local_port"
			return 0
		fi
		exec {fd}>&-
	done
	die "found no free pair of adjacent local UDP ports in 10 tries"
}

bc_setup_tls
bc_install_traps
bc_make_tmp

room_path="/rooms/$(bc_urlencode "$ROOM_ID")"
caps=$(bc_api GET "$room_path")
bc_create_broadcaster "$ROOM_ID" "$BROADCASTER_ID" "$DISPLAY_NAME" ffmpeg-receiver "$caps"
peers=$bc_answer
base="$room_path/broadcasters/$(bc_urlencode "$BROADCASTER_ID")"

producers_of_room=$(jq -r '.peers[] | "  \(.id) (\(.displayName)): " +
	(if (.producers | length) == 0 then "no producers" else
	 ([.producers[] | "\(.kind) \(.id)"] | join(", ")) end)' <<<"$peers")
if [ "$wanted_help" = 1 ]; then
	die "set PEER_ID or PRODUCER_ID; in room '$ROOM_ID':
${producers_of_room:-  nobody}"
fi

if [ -n "${PRODUCER_ID:-}" ]; then
	IFS=', ' read -r -a producer_ids <<<"$PRODUCER_ID"
else
	mapfile -t producer_ids < <(jq -r --arg peer "$PEER_ID" '.peers[] | select(.id == $peer) | .producers[].id' <<<"$peers")
	if [ "${#producer_ids[@]}" -eq 0 ]; then
		die "peer '$PEER_ID' is not in room '$ROOM_ID' or produces nothing; in the room:
${producers_of_room:-  nobody}"
	fi
fi

# One transport that never connects, for learning each producer's codec.
probe_transport=$(bc_api POST "$base/transports" '{"type":"plain","comedia":true,"rtcpMux":true}' | jq -r .id)

sdp="$bc_tmp/receiver.sdp"
media_lines="$bc_tmp/media.sdp"
: >"$media_lines"
has_other_codec=0
local_ports=()
transport_ids=()
probes=()
for producer_id in "${producer_ids[@]}"; do
	probe=$(bc_api POST "$base/transports/$probe_transport/consume?producerId=$(bc_urlencode "$producer_id")")
	probes+=("$probe")
	# rtcpMux: one port per stream, so the one packet punch() sends (RTCP)
	# is enough to tell the server where the RTP goes.
	transport=$(bc_api POST "$base/transports" '{"type":"plain","comedia":true,"rtcpMux":true}')
	read -r transport_id ip port < <(jq -r '"\(.id) \(.ip) \(.port)"' <<<"$transport")
	local_port=$(punch "$ip" "$port")
	transport_ids+=("$transport_id")
	local_ports+=("$local_port")
	jq -r --argjson port "$local_port" '
		.kind as $kind | .rtpParameters.codecs[0] as $c | ($c.mimeType | split("/")[1]) as $name |
		"m=\($kind) \($port) RTP/AVP \($c.payloadType)",
		"a=rtpmap:\($c.payloadType) \($name)/\($c.clockRate)" + (if $c.channels then "/\($c.channels)" else "" end),
		(($c.parameters // {}) | to_entries | select(length > 0) |
			"a=fmtp:\($c.payloadType) " + (map("\(.key)=\(.value)") | join(";"))),
		"a=recvonly"' <<<"$probe" >>"$media_lines"
	codec=$(jq -r '.rtpParameters.codecs[0].mimeType' <<<"$probe")
	case ${codec,,} in video/vp8 | video/vp9 | audio/opus) ;; *) has_other_codec=1 ;; esac
	log "producer $producer_id: $(jq -r .kind <<<"$probe") $codec, received on local port $local_port"
done

# ffmpeg listens on the address family of c= (the server's, as the punches
# went), and would send its RTCP there at each port + 1, which is not where
# the server listens: pointing c= at ourselves keeps those packets home.
if [[ $ip == *:* ]]; then connection='IN IP6 ::1'; else connection='IN IP4 127.0.0.1'; fi
printf '%s\n' v=0 "o=- 0 0 $connection" "s=$ROOM_ID" "c=$connection" 't=0 0' >"$sdp"
cat "$media_lines" >>"$sdp"

ext=webm
[ "$has_other_codec" = 1 ] && ext=mkv
OUTPUT=${OUTPUT:-recording-${ROOM_ID//[^A-Za-z0-9._-]/_}-$(date +%Y%m%d-%H%M%S).$ext}
if [ "$has_other_codec" = 1 ] && [[ ${OUTPUT,,} == *.webm ]]; then
	die "WebM holds only VP8, VP9 and opus; use an OUTPUT ending in .mkv for these producers"
fi

duration_args=()
if [ -n "$DURATION" ]; then duration_args=(-t "$DURATION"); fi
# -c copy: the file gets the RTP payloads as sent, no re-encoding.
# Timestamps are the arrival times. From RTP timestamps ffmpeg would time
# each stream from its first packet and re-base both on the first RTCP sender
# report, up to a second later: a jump backwards in the file. Arrival times
# keep audio and video in step from the start (the server forwards both at
# once) and make DURATION wall-clock seconds.
ffmpeg -hide_banner -nostdin -loglevel "${FFMPEG_LOGLEVEL:-warning}" \
	-protocol_whitelist file,udp,rtp -use_wallclock_as_timestamps 1 -i "$sdp" \
	-map 0 -c copy "${duration_args[@]}" -y "$OUTPUT" &
bc_child=$!

# Consumers only once ffmpeg listens on every port (see the top).
for _ in $(seq 1 100); do
	all_bound=1
	for local_port in "${local_ports[@]}"; do bc_udp_port_used "$local_port" || all_bound=0; done
	[ "$all_bound" = 1 ] && break
	kill -0 "$bc_child" 2>/dev/null || break
	sleep 0.1
done
[ "$all_bound" = 1 ] || die "ffmpeg did not start listening on UDP ports ${local_ports[*]}"

# All at once: the recording (and DURATION) starts with the first packet of
# any stream, so consumers made one after the other would cut the start of
# the later ones.
consume_pids=()
for i in "${!producer_ids[@]}"; do
	bc_api POST "$base/transports/${transport_ids[$i]}/consume?producerId=$(bc_urlencode "${producer_ids[$i]}")" \
		>"$bc_tmp/consumer-$i.json" &
	consume_pids+=($!)
done
for i in "${!producer_ids[@]}"; do
	# On failure bc_api has said why.
	wait "${consume_pids[$i]}" || exit 1
	consumer=$(<"$bc_tmp/consumer-$i.json")
	# The SDP was written from the probe; both consumers come from the same
	# capabilities, so this holds unless the server changed its mind.
	[ "$(jq -r '.rtpParameters.codecs[0].payloadType' <<<"$consumer")" = \
		"$(jq -r '.rtpParameters.codecs[0].payloadType' <<<"${probes[$i]}")" ] ||
		die "consumer of ${producer_ids[$i]} got another payload type than its probe"
	log "consumer $(jq -r .id <<<"$consumer") of producer ${producer_ids[$i]}"
done
log "recording to $OUTPUT$([ -n "$DURATION" ] && echo " for $DURATION s" || echo "; Ctrl+C to stop")"

rc=0
wait "$bc_child" || rc=$?
bc_child=''
[ "$rc" = 0 ] || die "ffmpeg stopped (exit status $rc)"
log "wrote $OUTPUT"
