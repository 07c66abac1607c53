# shellcheck shell=bash
# Shared by the broadcaster scripts (sourced, not run): messages, tool checks,
# the REST calls (curl + jq) with the server's certificate, and the clean-up
# that removes the broadcaster from the room whichever way the script ends.
#
# Environment read here:
#   SERVER_URL     the server (default https://127.0.0.1:4443)
#   TOKEN          access token for a server in token mode (sent as
#                  Authorization: Bearer), with the ingest grant for ROOM_ID;
#                  its identity (sub) is the broadcaster's id. Unset: open mode.
#   CA_FILE        PEM file to trust for SERVER_URL's certificate
#   CURL_INSECURE  1: do not verify the certificate at all (curl -k)
#   CURL_TIMEOUT   seconds per REST call (default 10)

# die inside $(...) must still stop the script.
shopt -s inherit_errexit

BC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BC_NAME=$(basename "$0" .sh)

SERVER_URL=${SERVER_URL:-https://127.0.0.1:4443}
SERVER_URL=${SERVER_URL%/}

# Payload types and SSRCs the senders use and declare in their producers'
# rtpParameters: both sides must agree, and fixed values keep them in step.
AUDIO_PT=100
VIDEO_PT=101
AUDIO_SSRC=11111111
VIDEO_SSRC=22222222

log() { printf '[%s] %s\n' "$BC_NAME" "$*" >&2; }
warn() { printf '[%s] warning: %s\n' "$BC_NAME" "$*" >&2; }
die() {
	printf '[%s] error: %s\n' "$BC_NAME" "$*" >&2
	exit 1
}

# require_tool COMMAND DEBIAN_PACKAGE
require_tool() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' is not installed (or not on PATH); on Debian/Ubuntu: apt-get install $2"
}

# Where generated media lives: outside the repository, like the worker cache.
bc_media_dir() { printf '%s/mediasoup-conference/media\n' "${XDG_CACHE_HOME:-$HOME/.cache}"; }

# A short random suffix for default ids (no extra tools needed).
bc_random_id() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }

# --- access token ---------------------------------------------------------------

# The identity (sub) TOKEN names, or nothing. Read without checking the
# signature (the server checks it): only to pick the broadcaster id, which in
# token mode must be the token's identity.
bc_token_identity() {
	[ -n "${TOKEN:-}" ] || return 0
	local payload
	# base64url without padding -> base64.
	payload=$(cut -d. -f2 <<<"$TOKEN" | tr '_-' '/+')
	case $((${#payload} % 4)) in
	2) payload+='==' ;;
	3) payload+='=' ;;
	esac
	base64 -d <<<"$payload" 2>/dev/null | jq -r '.sub // empty | strings' 2>/dev/null || true
}

# bc_default_id PREFIX: the token's identity, or PREFIX-<random> without a token.
bc_default_id() {
	local identity
	identity=$(bc_token_identity)
	printf '%s\n' "${identity:-$1-$(bc_random_id)}"
}

# curl, with TOKEN as a Bearer header when set. The header goes in on stdin
# rather than on the command line, which other users of the machine can read
# (ps).
bc_curl() {
	if [ -n "${TOKEN:-}" ]; then
		curl -H @- "$@" <<<"Authorization: Bearer $TOKEN"
	else
		curl "$@"
	fi
}

# --- TLS ------------------------------------------------------------------------

# How curl trusts the server. The server's default certificate is self-signed
# and stored in certs/; a server with a real certificate is trusted through the
# system's CAs as usual.
bc_curl_tls=()
bc_setup_tls() {
	case $SERVER_URL in
	https://*) ;;
	http://*) return 0 ;;
	*) die "SERVER_URL must start with https:// or http:// (got '$SERVER_URL')" ;;
	esac
	if [ -n "${CA_FILE:-}" ]; then
		[ -r "$CA_FILE" ] || die "CA_FILE=$CA_FILE is not a readable file"
		bc_curl_tls=(--cacert "$CA_FILE")
	elif [ "${CURL_INSECURE:-0}" = 1 ]; then
		bc_curl_tls=(-k)
	elif [ -r "$BC_ROOT/certs/cert.pem" ]; then
		bc_curl_tls=(--cacert "$BC_ROOT/certs/cert.pem")
		# --cacert replaces the system store; keeping the system's CA folder too
		# means a server with a real certificate still verifies.
		if [ -d /etc/ssl/certs ]; then bc_curl_tls+=(--capath /etc/ssl/certs); fi
	else
		warn "no CA_FILE and no $BC_ROOT/certs/cert.pem: not verifying the server's certificate (curl -k)"
		bc_curl_tls=(-k)
	fi
}

# --- REST -----------------------------------------------------------------------

# bc_request METHOD PATH [JSON]: one REST call, run in this shell (not in
# $(...)) so callers can look at the outcome: sets bc_status (the HTTP status)
# and bc_body. Dies when the server cannot be reached at all.
bc_status=''
bc_body=''
# Set when a request could not reach the server: the clean-up then does not
# try a DELETE that cannot get through either.
bc_unreachable=0
bc_request() {
	local method=$1 path=$2 body=${3-} out rc=0 err curl_message
	local args=(-sS --max-time "${CURL_TIMEOUT:-10}" -X "$method" -w '\n%{http_code}' "${bc_curl_tls[@]}")
	if [ -n "$body" ]; then args+=(-H 'content-type: application/json' --data-binary "$body"); fi
	err=$(mktemp)
	out=$(bc_curl "${args[@]}" "$SERVER_URL$path" 2>"$err") || rc=$?
	# curl's first line says it; the rest is a generic lecture.
	curl_message=$(sed -n '1s/^curl: //p' "$err")
	rm -f "$err"
	case $rc in
	0) ;;
	35 | 51 | 58 | 60 | 77 | 83)
		bc_unreachable=1
		die "TLS with $SERVER_URL failed: $curl_message
  the server's certificate is not trusted: set CA_FILE to its certificate (certs/cert.pem
  on the server machine), or CURL_INSECURE=1 to skip the check"
		;;
	*)
		bc_unreachable=1
		die "cannot reach the server at $SERVER_URL ($curl_message); is it running? (npm start)"
		;;
	esac
	bc_status=${out##*$'\n'}
	bc_body=${out%$'\n'*}
}

# Dies with the server's reason ({"error": "..."}) unless bc_status is 2xx;
# a 401 also says what to do about it.
bc_check_status() {
	[[ $bc_status =~ ^2 ]] && return 0
	local reason hint=''
	reason=$(jq -r '.error // empty' <<<"$bc_body" 2>/dev/null || true)
	if [ "$bc_status" = 401 ]; then
		if [ -n "${TOKEN:-}" ]; then
			hint=$'\n  the server refused TOKEN: get a fresh token with the ingest grant for this room'
		else
			hint=$'\n  the server runs in token mode: set TOKEN to an access token with the ingest grant for this room'
		fi
	fi
	die "$1 $2: the server answered $bc_status: ${reason:-$bc_body}$hint"
}

# bc_api METHOD PATH [JSON]: prints the answer's body; dies with a clear
# message when the server cannot be reached or answers an error.
bc_api() {
	bc_request "$@"
	bc_check_status "$1" "$2"
	printf '%s\n' "$bc_body"
}

# --- lifetime -------------------------------------------------------------------

# Set once the broadcaster may exist on the server; the clean-up deletes it.
bc_room=''
bc_broadcaster=''
# The media process (ffmpeg / gst-launch) the script waits on.
bc_child=''
bc_tmp=''

# bc_create_broadcaster ROOM ID DISPLAY_NAME DEVICE_NAME [RTP_CAPABILITIES_JSON]
# Sets bc_answer to the server's answer ({peers: [...]}). Not meant for $(...):
# it records, in this shell, what the clean-up has to delete.
bc_answer=''
bc_create_broadcaster() {
	local body
	body=$(jq -nc --arg id "$2" --arg name "$3" --arg device "$4" --argjson caps "${5:-null}" \
		'{id: $id, displayName: $name, device: {name: $device}}
		 + (if $caps == null then {} else {rtpCapabilities: $caps} end)')
	local path
	path="/rooms/$(bc_urlencode "$1")/broadcasters"
	# Recorded before the request: if we are stopped while it is in flight, the
	# clean-up still tries the DELETE (a 404 then is harmless)...
	bc_room=$1
	bc_broadcaster=$2
	bc_request POST "$path" "$body"
	# ...but a refusal (409: the id is taken) must not delete whoever has it.
	if [[ $bc_status =~ ^4 ]]; then bc_broadcaster=''; fi
	bc_check_status POST "$path"
	bc_answer=$bc_body
}

bc_urlencode() { jq -rn --arg s "$1" '$s | @uri'; }

# Which signal stopped the script (INT or TERM), if one did.
bc_signal=''

# Stops the media process with exactly one signal: ffmpeg finishes its output
# file on the first SIGINT or SIGTERM but abandons it on a second one.
bc_stop_child() {
	[ -n "$bc_child" ] || return 0
	local pid=$bc_child _
	bc_child=''
	if [ -n "$bc_signal" ]; then
		# The signal may have reached the media process too: Ctrl+C in a
		# terminal goes to the whole process group, and so does a service
		# manager's SIGTERM. Give it a moment to finish on its own.
		for _ in $(seq 1 20); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

bc_cleanup() {
	local rc=$?
	# A second Ctrl+C must not cut the DELETE short; it takes well under a second.
	trap '' INT TERM
	trap - EXIT
	bc_stop_child
	if [ -n "$bc_broadcaster" ] && [ "$bc_unreachable" = 0 ]; then
		local path
		path="/rooms/$(bc_urlencode "$bc_room")/broadcasters/$(bc_urlencode "$bc_broadcaster")"
		# Not bc_api: clean-up reports and carries on rather than dying.
		local status
		status=$(bc_curl -sS --max-time 5 -X DELETE -o /dev/null -w '%{http_code}' "${bc_curl_tls[@]}" \
			"$SERVER_URL$path" 2>/dev/null) || status=unreachable
		case $status in
		2*) log "broadcaster $bc_broadcaster removed from room $bc_room" ;;
		404) log "broadcaster $bc_broadcaster was already gone" ;;
		*) warn "could not remove broadcaster $bc_broadcaster (server: $status); the server removes it with its room" ;;
		esac
	fi
	if [ -n "$bc_tmp" ]; then rm -rf "$bc_tmp"; fi
	exit "$rc"
}

# Installs the clean-up for every way out: normal end, error (set -e), Ctrl+C
# (INT) and kill (TERM). `exit` in the signal traps runs the EXIT trap.
bc_install_traps() {
	trap bc_cleanup EXIT
	trap 'bc_signal=INT; exit 130' INT
	trap 'bc_signal=TERM; exit 143' TERM
}

# bc_run_child COMMAND...: runs the media process and waits for it. It runs in
# the background because bash only runs traps between commands: waiting on a
# foreground process would delay Ctrl+C / kill until it ended by itself.
bc_run_child() {
	"$@" &
	bc_child=$!
	local rc=0
	wait "$bc_child" || rc=$?
	bc_child=''
	return "$rc"
}

bc_make_tmp() {
	bc_tmp=$(mktemp -d "${TMPDIR:-/tmp}/$BC_NAME.XXXXXX")
}

# --- ingest (ffmpeg.sh, gstreamer.sh) -------------------------------------------

# Filled in by bc_ingest_setup: where the media tool sends audio and video.
bc_audio_ip='' bc_audio_port='' bc_audio_rtcp_port=''
bc_video_ip='' bc_video_port='' bc_video_rtcp_port=''

# bc_ingest_setup DEVICE_NAME DEFAULT_DISPLAY_NAME
# Joins ROOM_ID as BROADCASTER_ID with one plain transport and one producer
# per kind (opus AUDIO_PT/AUDIO_SSRC, VP8 VIDEO_PT/VIDEO_SSRC).
bc_ingest_setup() {
	local device=$1
	ROOM_ID=${ROOM_ID:-demo}
	BROADCASTER_ID=${BROADCASTER_ID:-$(bc_default_id "$device")}
	DISPLAY_NAME=${DISPLAY_NAME:-$2}

	local members
	bc_create_broadcaster "$ROOM_ID" "$BROADCASTER_ID" "$DISPLAY_NAME" "$device"
	members=$(jq -r '[.peers[] | "\(.displayName) (\(.id))"] | if length == 0 then "nobody else yet" else join(", ") end' <<<"$bc_answer")
	log "joined room '$ROOM_ID' as broadcaster '$BROADCASTER_ID' (\"$DISPLAY_NAME\"); in the room: $members"

	local base
	base="/rooms/$(bc_urlencode "$ROOM_ID")/broadcasters/$(bc_urlencode "$BROADCASTER_ID")"
	# rtcpMux false: ffmpeg sends its RTCP sender reports from a socket of their
	# own (another local port than RTP's). With comedia the server learns each
	# tuple from the first packet on each of its ports; with RTCP muxed,
	# whichever arrived first would become the only accepted source and the
	# other stream would be dropped. (GStreamer sends no RTCP: gstreamer.sh.)
	local transport_body='{"type":"plain","comedia":true,"rtcpMux":false}'
	local audio video
	audio=$(bc_api POST "$base/transports" "$transport_body")
	video=$(bc_api POST "$base/transports" "$transport_body")
	read -r bc_audio_ip bc_audio_port bc_audio_rtcp_port < <(jq -r '"\(.ip) \(.port) \(.rtcpPort)"' <<<"$audio")
	read -r bc_video_ip bc_video_port bc_video_rtcp_port < <(jq -r '"\(.ip) \(.port) \(.rtcpPort)"' <<<"$video")

	# The producers exist before the first packet, so the server knows the
	# SSRCs when RTP starts and nothing is dropped as unknown.
	local audio_producer video_producer
	audio_producer=$(bc_api POST "$base/transports/$(jq -r .id <<<"$audio")/producers" "$(jq -nc \
		--argjson pt "$AUDIO_PT" --argjson ssrc "$AUDIO_SSRC" --arg cname "$BROADCASTER_ID" \
		'{kind: "audio", rtpParameters: {
			codecs: [{mimeType: "audio/opus", payloadType: $pt, clockRate: 48000, channels: 2,
			          parameters: {"sprop-stereo": 1}}],
			encodings: [{ssrc: $ssrc}], rtcp: {cname: $cname}}}')" | jq -r .id)
	video_producer=$(bc_api POST "$base/transports/$(jq -r .id <<<"$video")/producers" "$(jq -nc \
		--argjson pt "$VIDEO_PT" --argjson ssrc "$VIDEO_SSRC" --arg cname "$BROADCASTER_ID" \
		'{kind: "video", rtpParameters: {
			codecs: [{mimeType: "video/VP8", payloadType: $pt, clockRate: 90000}],
			encodings: [{ssrc: $ssrc}], rtcp: {cname: $cname}}}')" | jq -r .id)
	log "audio producer $audio_producer: opus pt $AUDIO_PT ssrc $AUDIO_SSRC -> $bc_audio_ip:$bc_audio_port (rtcp $bc_audio_rtcp_port)"
	log "video producer $video_producer: VP8 pt $VIDEO_PT ssrc $VIDEO_SSRC -> $bc_video_ip:$bc_video_port (rtcp $bc_video_rtcp_port)"
	log "watch it: $SERVER_URL/?roomId=$(bc_urlencode "$ROOM_ID")"
}

# bc_default_media: MEDIA_FILE, or the generated test file (made when missing).
bc_default_media() {
	if [ -n "${MEDIA_FILE:-}" ]; then
		[ -r "$MEDIA_FILE" ] || die "MEDIA_FILE=$MEDIA_FILE is not a readable file"
		printf '%s\n' "$MEDIA_FILE"
	else
		# make-test-media.sh reads MEDIA_FILE as its output; it is unset here.
		bash "$BC_ROOT/broadcasters/make-test-media.sh"
	fi
}

# bc_check_media FILE: dies unless FILE has an audio and a video stream, when
# ffprobe is there to tell (checked before joining, so a wrong file does not
# flash a peer into the room).
bc_check_media() {
	command -v ffprobe >/dev/null 2>&1 || return 0
	local kind
	for kind in audio video; do
		if [ -z "$(ffprobe -v error -select_streams "${kind:0:1}:0" -show_entries stream=index -of csv=p=0 "$1")" ]; then
			die "$1 has no $kind stream (or is not a media file)"
		fi
	done
}

# An IPv6 address in a URL needs brackets.
bc_url_host() { if [[ $1 == *:* ]]; then printf '[%s]\n' "$1"; else printf '%s\n' "$1"; fi; }

# bc_positive_number NAME VALUE: dies unless VALUE is a positive number.
bc_positive_number() {
	[[ $2 =~ ^[0-9]+([.][0-9]+)?$ && ! $2 =~ ^0+([.]0+)?$ ]] || die "$1 must be a positive number (got '$2')"
}
