#!/usr/bin/python3
# The HLS composer of one room, run by server/hls/HlsComposer.ts: one
# long-running GStreamer pipeline that lays the room's videos out in a grid,
# mixes its audio, encodes H.264 + AAC and writes a live HLS playlist. Inputs
# (one per producer: RTP on a local UDP port from a mediasoup PlainTransport)
# are added and removed while it runs, which gst-launch cannot do; the grid is
# laid out again on every change, and a black picture and silence keep the
# stream going with no input at all.
#
# Debian's python3 with python3-gi and GStreamer's introspection data
# (gir1.2-gstreamer-1.0, gir1.2-gst-plugins-base-1.0); nothing from PyPI.
#
# Talks JSON lines. Its one argument is the settings object (HlsComposer.ts).
# stdin, one command a line:
#   {"id": N, "cmd": "add", "input": ID, "kind": "video"|"audio",
#    "encodingName": "VP8"|"VP9"|"H264"|"OPUS", "payloadType": PT, "clockRate": HZ}
#     -> {"id": N, "ok": true, "rtpPort": P}: send the input's RTP there
#   {"id": N, "cmd": "remove", "input": ID} -> {"id": N, "ok": true}
#   {"id": N, "cmd": "speaker", "input": ID or null} -> {"id": N, "ok": true}: whose
#     video the speaker layout shows large
#   a failed command -> {"id": N, "ok": false, "error": "..."}
# stdout, besides the answers:
#   {"event": "ready", "rtcpPort": P}: the pipeline runs; every input's RTCP goes to P
#   {"event": "keyFrameNeeded", "input": ID}: its decoder lost a reference frame
#   {"event": "inputFailed", "input": ID, "error": "..."}: the input was taken out
#   {"event": "error", "error": "..."}: the pipeline failed; the process then exits 1
# The process ends when stdin closes (the server went away) or on SIGTERM.
import json
import math
import signal
import sys
import threading


def say(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


try:
    import gi

    gi.require_version('Gst', '1.0')
    gi.require_version('Gio', '2.0')
    gi.require_version('GstVideo', '1.0')
    from gi.repository import Gio, GLib, Gst, GstVideo
except (ImportError, ValueError) as missing:
    say({
        'event': 'error',
        'error': "GStreamer's Python bindings are missing (Debian packages python3-gi, "
        f'gir1.2-gstreamer-1.0, gir1.2-gst-plugins-base-1.0): {missing}',
    })
    sys.exit(1)

# How long an input's jitter buffer holds packets to put them back in order.
JITTER_LATENCY_MS = 100
# How late a frame may reach the mixers (after its capture time) and still be
# shown: the jitter buffer plus decoding, with room to spare on a busy machine.
MIXER_LATENCY_MS = 600
# How late a composed frame may be before the mixer is told to skip frames (ns).
LATE_NS = 200 * 1000 * 1000
# How far behind the encoder may fall before frames are dropped (ns).
ENCODER_QUEUE_NS = 500 * 1000 * 1000
# The gap between tiles, in pixels of the output.
TILE_GAP = 4
AUDIO_CAPS = 'audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2'

DEPAYLOADERS = {
    'VP8': ['rtpvp8depay', 'vp8dec'],
    'VP9': ['rtpvp9depay', 'vp9dec'],
    'H264': ['rtph264depay', 'h264parse', None],  # None: the H.264 decoder there is
    'OPUS': ['rtpopusdepay', 'opusdec'],
}


def h264_decoder():
    for name in ('avdec_h264', 'openh264dec'):
        if Gst.ElementFactory.find(name):
            return name
    raise RuntimeError('no H.264 decoder (Debian package gstreamer1.0-libav)')


def make(factory, properties=None):
    element = Gst.ElementFactory.make(factory, None)
    if element is None:
        raise RuntimeError(f'no GStreamer element "{factory}"')
    for name, value in (properties or {}).items():
        element.set_property(name, value)
    return element


def drop_qos(_pad, info):
    event = info.get_event()
    if event is not None and event.type == Gst.EventType.QOS:
        return Gst.PadProbeReturn.DROP
    return Gst.PadProbeReturn.OK


def drop_untimed(_pad, info):
    buffer = info.get_buffer()
    if buffer is not None and buffer.pts == Gst.CLOCK_TIME_NONE:
        return Gst.PadProbeReturn.DROP
    return Gst.PadProbeReturn.OK


def bind_udp():
    """A UDP socket on a free loopback port: bound here, so no other process can take the port first."""
    sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
    sock.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), False)
    return sock, sock.get_local_address().get_port()


class Input:
    def __init__(self, input_id, kind, elements, mixer, pad, port):
        self.id = input_id
        self.kind = kind
        self.elements = elements
        self.mixer = mixer
        self.pad = pad
        self.port = port


class Composer:
    def __init__(self, settings):
        self.settings = settings
        self.inputs = {}  # id -> Input, in the order they came: the grid's order
        self.speaker = None  # the id of the input shown large in the speaker layout
        self.loop = GLib.MainLoop()
        width, height, fps = settings['width'], settings['height'], settings['framerate']
        self.width, self.height = width, height
        latency = MIXER_LATENCY_MS * Gst.MSECOND
        segment = settings['segmentSeconds']
        video = f'video/x-raw,width={width},height={height},framerate={fps}/1,pixel-aspect-ratio=1/1'
        self.pipeline = Gst.parse_launch(
            f'compositor name=vmix background=black latency={latency} ignore-inactive-pads=true ! {video} '
            # When the encoder falls behind (a busy machine), frames are dropped
            # here rather than queued: the stream's delay stays bounded.
            f'! queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time={ENCODER_QUEUE_NS} '
            '! videoconvert ! video/x-raw,format=I420 '
            f'! x264enc tune=zerolatency speed-preset={settings["x264Preset"]} '
            f'bitrate={settings["videoBitrateKbps"]} key-int-max={segment * fps} '
            '! h264parse name=vparse ! queue ! hls.video '
            f'videotestsrc pattern=black is-live=true ! {video} ! vmix. '
            f'audiotestsrc wave=silence is-live=true ! {AUDIO_CAPS} ! amix. '
            f'audiomixer name=amix latency={latency} ignore-inactive-pads=true ! {AUDIO_CAPS} '
            f'! audioconvert ! voaacenc bitrate={settings["audioBitrate"]} ! aacparse name=aparse ! queue ! hls.audio '
            f'hlssink2 name=hls target-duration={segment} playlist-length={settings["playlistLength"]} '
            f'max-files={settings["playlistLength"] + 4} '
            'udpsrc name=rtcp ! fakesink sync=false async=false'
        )
        hls = self.pipeline.get_by_name('hls')
        directory = settings['directory']
        hls.set_property('location', f'{directory}/{settings["segments"]}')
        hls.set_property('playlist-location', f'{directory}/index.m3u8')
        self.video_mixer = self.pipeline.get_by_name('vmix')
        self.audio_mixer = self.pipeline.get_by_name('amix')
        # Where mediasoup sends the inputs' RTCP (sender reports): read and dropped.
        rtcp_socket, self.rtcp_port = bind_udp()
        self.pipeline.get_by_name('rtcp').set_property('socket', rtcp_socket)
        self.keep_up(self.video_mixer.get_static_pad('src'), latency)
        self.start_together(self.pipeline.get_by_name('vparse'), self.pipeline.get_by_name('aparse'))
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect('message', self.on_message)
        self.ready = False
        self.failed = False

    @staticmethod
    def start_together(video, audio):
        """
        The segments' muxer (mpegtsmux in hlssink2) fails when one of its
        streams has data before the other has caps ("Could not create handler
        for stream"), and which comes first at the start is a race: each
        stream waits for the other's caps, and the video then for a key frame.
        """
        video_src = video.get_static_pad('src')
        audio_src = audio.get_static_pad('src')
        started = {'video': False, 'asked': False}

        def on_video(pad, info):
            if started['video']:
                return Gst.PadProbeReturn.REMOVE
            if audio_src.get_current_caps() is None:
                return Gst.PadProbeReturn.DROP
            if info.get_buffer().has_flags(Gst.BufferFlags.DELTA_UNIT):
                # The audio is ready now: a key frame at once rather than at the next interval.
                if not started['asked']:
                    started['asked'] = True
                    pad.send_event(GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0))
                return Gst.PadProbeReturn.DROP
            started['video'] = True
            return Gst.PadProbeReturn.OK

        def on_audio(_pad, _info):
            if video_src.get_current_caps() is None:
                return Gst.PadProbeReturn.DROP
            return Gst.PadProbeReturn.REMOVE

        video_src.add_probe(Gst.PadProbeType.BUFFER, on_video)
        audio_src.add_probe(Gst.PadProbeType.BUFFER, on_audio)

    def keep_up(self, pad, latency):
        """
        Tells the video mixer when its frames come out late, as a sink that
        syncs to the clock would (a QoS event): it then skips composing frames
        until it has caught up, so that a busy machine makes the picture jerky
        instead of making the stream's delay grow. Nothing downstream syncs
        (the segments are files), so nothing else would tell it.
        """

        def on_buffer(_pad, info):
            buffer = info.get_buffer()
            clock = self.pipeline.get_clock()
            if buffer is None or clock is None or buffer.pts == Gst.CLOCK_TIME_NONE:
                return Gst.PadProbeReturn.OK
            now = clock.get_time() - self.pipeline.get_base_time()
            late = now - (buffer.pts + latency)
            if late > LATE_NS:
                pad.send_event(Gst.Event.new_qos(Gst.QOSType.UNDERFLOW, 1.0, late, buffer.pts))
            return Gst.PadProbeReturn.OK

        pad.add_probe(Gst.PadProbeType.BUFFER, on_buffer)

    def run(self):
        """Plays until stopped; answers the exit status."""
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            say({'event': 'error', 'error': 'the pipeline cannot play'})
            return 1
        threading.Thread(target=self.read_commands, daemon=True).start()
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return 1 if self.failed else 0

    def stop(self):
        self.loop.quit()

    # --- commands ------------------------------------------------------------

    def read_commands(self):
        for line in sys.stdin:
            if line.strip():
                GLib.idle_add(self.on_command, line)
        GLib.idle_add(self.stop)

    def on_command(self, line):
        try:
            command = json.loads(line)
        except ValueError:
            say({'event': 'error', 'error': f'not JSON: {line.strip()[:200]}'})
            return False
        answer_id = command.get('id')
        try:
            name = command.get('cmd')
            if name == 'add':
                port = self.add(command)
                say({'id': answer_id, 'ok': True, 'rtpPort': port})
            elif name == 'remove':
                self.remove(command['input'])
                say({'id': answer_id, 'ok': True})
            elif name == 'speaker':
                self.speaker = command.get('input')
                self.layout()
                say({'id': answer_id, 'ok': True})
            else:
                raise ValueError(f'unknown command {name!r}')
        except Exception as error:  # noqa: BLE001: every failure is answered
            say({'id': answer_id, 'ok': False, 'error': str(error)})
        return False

    def add(self, command):
        input_id = str(command['input'])
        if input_id in self.inputs:
            raise ValueError(f'input {input_id} exists')
        kind = command['kind']
        encoding = str(command['encodingName']).upper()
        chain = DEPAYLOADERS.get(encoding)
        if chain is None or (kind == 'audio') != (encoding == 'OPUS'):
            raise ValueError(f'cannot compose {kind} {encoding}')
        sock, port = bind_udp()
        caps = Gst.Caps.from_string(
            f'application/x-rtp,media={kind},encoding-name={encoding},'
            f'clock-rate={int(command["clockRate"])},payload={int(command["payloadType"])}'
        )
        elements = [
            make('udpsrc', {'socket': sock, 'caps': caps}),
            make('rtpjitterbuffer', {'latency': JITTER_LATENCY_MS}),
        ]
        for factory in chain:
            element = make(factory or h264_decoder())
            # Depayloaders: no broken pictures after a loss, and say when a key frame is needed.
            # A decoder that meets a bad frame goes on with the next one; opus conceals a lost packet.
            for name, value in (('wait-for-keyframe', True), ('request-keyframe', True), ('max-errors', -1), ('plc', True)):
                if element.find_property(name) is not None:
                    element.set_property(name, value)
            elements.append(element)
        if kind == 'video':
            elements += [make('videoconvert'), make('queue', {'max-size-buffers': 3})]
            mixer = self.video_mixer
        else:
            elements += [
                make('audioconvert'),
                make('audioresample'),
                make('capsfilter', {'caps': Gst.Caps.from_string(AUDIO_CAPS)}),
                make('queue'),
            ]
            mixer = self.audio_mixer
        for element in elements:
            self.pipeline.add(element)
        pad = None
        try:
            for upstream, downstream in zip(elements, elements[1:]):
                if not upstream.link(downstream):
                    raise RuntimeError(f'cannot link {upstream.get_name()} to {downstream.get_name()}')
            pad = mixer.request_pad_simple('sink_%u')
            if kind == 'video':
                pad.set_property('zorder', 1)
                Gst.util_set_object_arg(pad, 'sizing-policy', 'keep-aspect-ratio')
                pad.set_property('width', 1)  # placed by layout() below, before any frame arrives
                pad.set_property('height', 1)
            linked = elements[-1].get_static_pad('src').link(pad)
            if linked != Gst.PadLinkReturn.OK:
                raise RuntimeError(f'cannot link the input to the mixer: {linked.value_nick}')
        except Exception:
            if pad is not None:
                mixer.release_request_pad(pad)
            self.discard(elements)
            raise
        self.watch_key_frames(input_id, elements)
        # The mixer passes the QoS events of keep_up() upstream too: a decoder
        # would take them as its own lateness and drop frames (an H.264 one all
        # of them until a key frame). They are for the mixer only.
        elements[-1].get_static_pad('src').add_probe(Gst.PadProbeType.EVENT_UPSTREAM, drop_qos)
        # The mixer fails on a frame without a timestamp ("Need timestamped
        # buffers!"), which a decoder can put out after its input's clock skew
        # was reset (seen with H.264 on a busy machine): such a frame is dropped.
        elements[-1].get_static_pad('src').add_probe(Gst.PadProbeType.BUFFER, drop_untimed)
        self.inputs[input_id] = Input(input_id, kind, elements, mixer, pad, port)
        self.layout()
        for element in reversed(elements):
            element.sync_state_with_parent()
        return port

    def watch_key_frames(self, input_id, elements):
        """A depayloader asks upstream for a key frame: the server asks the producer."""

        def on_event(_pad, info):
            event = info.get_event()
            if event is not None and event.type == Gst.EventType.CUSTOM_UPSTREAM:
                structure = event.get_structure()
                if structure is not None and structure.get_name() == 'GstForceKeyUnit':
                    GLib.idle_add(lambda: say({'event': 'keyFrameNeeded', 'input': input_id}) and False)
            return Gst.PadProbeReturn.OK

        # The jitter buffer's source pad sees what the depayloader sends upstream.
        elements[1].get_static_pad('src').add_probe(Gst.PadProbeType.EVENT_UPSTREAM, on_event)

    def remove(self, input_id):
        found = self.inputs.pop(str(input_id), None)
        if found is None:
            return
        # Sources first, so nothing pushes into what is being taken down; the
        # mixer's pad last, so a queue waiting on it is let go.
        for element in found.elements:
            element.set_state(Gst.State.NULL)
        queue_src = found.elements[-1].get_static_pad('src')
        queue_src.unlink(found.pad)
        found.mixer.release_request_pad(found.pad)
        self.discard(found.elements)
        self.layout()

    def discard(self, elements):
        for element in elements:
            element.set_state(Gst.State.NULL)
            if element.get_parent() is self.pipeline:
                self.pipeline.remove(element)

    # --- layout ----------------------------------------------------------------

    def layout(self):
        """
        A grid of the video inputs, in the order they came; in the speaker
        layout, with someone speaking and others to show, the speaker's tile
        takes the left three quarters and the others a grid in the rest.
        """
        tiles = [found for found in self.inputs.values() if found.kind == 'video']
        speaker = next((tile for tile in tiles if tile.id == self.speaker), None)
        if self.settings.get('layout') == 'speaker' and speaker is not None and len(tiles) > 1:
            big = self.width * 3 // 4
            self.place(speaker, 0, 0, big, self.height)
            others = [tile for tile in tiles if tile is not speaker]
            # A column beside the speaker, up to four high.
            self.grid(others, big, 0, self.width - big, self.height, math.ceil(len(others) / 4))
        else:
            self.grid(tiles, 0, 0, self.width, self.height)

    def grid(self, tiles, left, top, width, height, columns=None):
        """
        Tiles in rows of `columns`, by default the square root of their count
        rounded up; the last row centred.
        """
        count = len(tiles)
        if count == 0:
            return
        columns = columns or math.ceil(math.sqrt(count))
        rows = math.ceil(count / columns)
        cell_width = width // columns
        cell_height = height // rows
        for index, tile in enumerate(tiles):
            row, column = divmod(index, columns)
            in_row = min(columns, count - row * columns)
            x = left + (width - in_row * cell_width) // 2 + column * cell_width
            y = top + (height - rows * cell_height) // 2 + row * cell_height
            self.place(tile, x, y, cell_width, cell_height)

    @staticmethod
    def place(tile, x, y, width, height):
        tile.pad.set_property('xpos', x + TILE_GAP // 2)
        tile.pad.set_property('ypos', y + TILE_GAP // 2)
        tile.pad.set_property('width', width - TILE_GAP)
        tile.pad.set_property('height', height - TILE_GAP)

    # --- the bus -----------------------------------------------------------------

    def input_of(self, element):
        while element is not None:
            for found in self.inputs.values():
                if element in found.elements:
                    return found
            element = element.get_parent()
        return None

    def on_message(self, _bus, message):
        if message.type == Gst.MessageType.STATE_CHANGED and message.src is self.pipeline:
            _old, new, _pending = message.parse_state_changed()
            # PAUSED: a live pipeline is there at once; its sinks reach PLAYING
            # only with their first data, which the server waits for anyway
            # (the playlist appearing), and which must not hold up the inputs.
            if new in (Gst.State.PAUSED, Gst.State.PLAYING) and not self.ready:
                self.ready = True
                say({'event': 'ready', 'rtcpPort': self.rtcp_port})
        elif message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            found = self.input_of(message.src)
            if found is not None:
                # One input's failure (a stream its decoder cannot take) takes out that input only.
                self.remove(found.id)
                say({'event': 'inputFailed', 'input': found.id, 'error': error.message})
            elif message.src is self.pipeline or self.pipeline_has(message.src):
                say({'event': 'error', 'error': f'{error.message} ({debug or "no details"})'})
                self.failed = True
                self.stop()
            # Otherwise an element of an input already removed, stopping: nothing to do.
        return True

    def pipeline_has(self, element):
        while element is not None:
            if element is self.pipeline:
                return True
            element = element.get_parent()
        return False


def main():
    Gst.init(None)
    settings = json.loads(sys.argv[1])
    try:
        composer = Composer(settings)
    except GLib.Error as error:
        say({
            'event': 'error',
            'error': f'cannot build the HLS pipeline: {error.message} (x264enc is in the Debian package '
            'gstreamer1.0-plugins-ugly; voaacenc and hlssink2 in gstreamer1.0-plugins-bad)',
        })
        sys.exit(1)
    # SIGTERM (the server stops the stream): leave the main loop, then stop the pipeline.
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: composer.stop() or False)
    sys.exit(composer.run())


if __name__ == '__main__':
    main()
