# Copyright 2026 sriov-tempest-plugin developers
#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.
"""Every verdict of a run, judged by one path (:class:`Thresholds`).

The gate, re-judging and the chart all judge through :class:`Thresholds`:
the paper's two throughput claims, latency (:func:`judge_latency`) and
QoS (:func:`judge_rate_limit`). The throughput claims:

1. *Near line rate*: across the wire, the SR-IOV path reaches the practical
   limit of the port (the paper: 9.4 of 10 Gbit/s with 3 and 5 streams).
   "Line rate" is by default the TCP goodput ceiling of the port, not its
   raw speed: no TCP flow can carry 10 Gbit/s of payload over 10 GbE.
2. *Margin over OVS*: the SR-IOV path beats the OVS path (vnic_type normal)
   of the same topology and stream count, measured in the same run, by a
   configured fraction (the paper: 40-60 %).

Verdicts judge the median of several samples, never one sample, and carry
every number they used and one sentence that says what missed and by how
much.
"""

import dataclasses
import math
import statistics
import typing

from sriov_tempest_plugin import latency
from sriov_tempest_plugin import topology

# Bytes on the wire per Ethernet frame beyond the IP packet: preamble and
# start delimiter (8), MAC header (14), FCS (4), inter-frame gap (12).
ETHERNET_OVERHEAD_BYTES = 38
DOT1Q_TAG_BYTES = 4
IPV4_HEADER_BYTES = 20
TCP_HEADER_BYTES = 20
TCP_TIMESTAMP_OPTION_BYTES = 12


def goodput_ceiling_gbps(port_speed_gbps, mtu=1500, vlan_tagged=False,
                         tcp_timestamps=True):
    """Most TCP payload (IPv4) a port of this speed can carry, in Gbit/s.

    10 GbE, MTU 1500: 9.415 with timestamps, 9.39 with an 802.1Q tag,
    9.49 without timestamps; MTU 9000: 9.90.
    """
    if mtu <= IPV4_HEADER_BYTES + TCP_HEADER_BYTES:
        raise ValueError('MTU %d leaves no room for TCP payload' % mtu)
    payload = mtu - IPV4_HEADER_BYTES - TCP_HEADER_BYTES
    if tcp_timestamps:
        payload -= TCP_TIMESTAMP_OPTION_BYTES
    wire = mtu + ETHERNET_OVERHEAD_BYTES
    if vlan_tagged:
        wire += DOT1Q_TAG_BYTES
    return port_speed_gbps * payload / wire


def point_label(topology, vnic_type, streams):
    """How messages name a point: ``topology/vnic/3 streams``."""
    return '%s/%s/%d stream%s' % (topology, vnic_type, streams,
                                  '' if streams == 1 else 's')


def point_key(p):
    """A point's identity: ``(topology, vnic_type, streams)``.

    Of a point or verdict dict of a results document, or of a
    :class:`Point` or :class:`Verdict`.
    """
    if isinstance(p, dict):
        return (p['topology'], p['vnic_type'], p['streams'])
    return (p.topology, p.vnic_type, p.streams)


def spread(minimum, maximum, median):
    """Max minus min, relative to the median (0.05 = 5 %)."""
    return (maximum - minimum) / median if median else 0.0


@dataclasses.dataclass(frozen=True)
class Point(object):
    """The samples (Gbit/s) of one topology x vnic type x stream count."""

    topology: str
    vnic_type: str
    streams: int
    samples: typing.Tuple[float, ...]

    def __post_init__(self):
        if not self.samples:
            raise ValueError('a point needs at least one sample')

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def minimum(self):
        return min(self.samples)

    @property
    def maximum(self):
        return max(self.samples)

    @property
    def spread(self):
        return spread(self.minimum, self.maximum, self.median)

    def with_more(self, samples):
        return dataclasses.replace(self, samples=self.samples +
                                   tuple(samples))

    def label(self):
        return point_label(self.topology, self.vnic_type, self.streams)


@dataclasses.dataclass(frozen=True)
class Verdict(object):
    kind: str  # 'line_rate', 'margin', QOS_LIMIT or QOS_REMOVED
    topology: str
    vnic_type: str
    streams: int
    measured_gbps: float
    threshold_gbps: float
    passed: bool
    message: str
    compared_gbps: typing.Optional[float] = None  # margin: the OVS median

    def as_dict(self):
        return dataclasses.asdict(self)


#: What ``[sriov] line_rate_reference`` may name: the TCP goodput ceiling
#: of the port (frame overheads counted) or its raw speed.
LINE_RATE_REFERENCES = ('goodput_ceiling', 'port_speed')

#: The thresholds: the settings a results file can be judged again with
#: (``sriov-tempest-report --port-speed-gbps ...``).
THRESHOLD_KEYS = ('port_speed_gbps', 'line_rate_reference',
                  'line_rate_fraction', 'line_rate_streams',
                  'margin_over_normal', 'margin_streams', 'latency_margin',
                  'latency_max_loss', 'latency_topologies', 'qos_tolerance')

#: The settings a results file carries, in the order the page shows them:
#: everything that judged its points (the thresholds and what the line rate
#: follows from) and everything that measured them.
SETTINGS_KEYS = (('physical_network', 'vnic_type') +
                 THRESHOLD_KEYS +
                 ('tcp_timestamps', 'mtu', 'streams', 'iperf_mode',
                  'iperf_duration', 'iperf_omit', 'iperf_repeats',
                  'decide_early', 'latency_checks', 'latency_samples',
                  'qos_checks', 'qos_max_kbps'))


@dataclasses.dataclass(frozen=True)
class Thresholds(object):
    """What the verdicts of a run compare with: the one judging path.

    Built by :meth:`of` from a results document's settings, which the gate
    writes from ``[sriov]`` (``gate.settings_summary``) before it judges:
    the gate, a re-judgement and the chart get the same thresholds.
    """

    vnic_type: str
    line_rate_gbps: float
    line_rate_text: str
    line_rate_reference: str
    line_rate_fraction: float
    line_rate_streams: typing.Tuple[int, ...]
    margin: float
    margin_streams: typing.Tuple[int, ...]
    latency_margin: float = 0.0
    latency_max_loss: float = latency.DEFAULT_MAX_LOSS
    latency_topologies: typing.Optional[typing.Tuple[str, ...]] = None
    qos_tolerance: float = 0.1

    @classmethod
    def of(cls, settings):
        """From a results document's ``settings`` (keys of SETTINGS_KEYS).

        Files written before ``line_rate_reference``, ``mtu``,
        ``tcp_timestamps``, ``latency_margin``, ``latency_max_loss``,
        ``latency_topologies`` and ``qos_tolerance`` were recorded take
        their defaults.
        """
        reference = settings.get('line_rate_reference', 'goodput_ceiling')
        threshold, text = line_rate_threshold_of(settings)
        return cls(settings['vnic_type'], threshold, text, reference,
                   settings['line_rate_fraction'],
                   tuple(settings['line_rate_streams']),
                   settings['margin_over_normal'],
                   tuple(settings['margin_streams']),
                   settings.get('latency_margin', 0.0),
                   settings.get('latency_max_loss', latency.DEFAULT_MAX_LOSS),
                   tuple(settings['latency_topologies'])
                   if settings.get('latency_topologies') is not None
                   else None,
                   settings.get('qos_tolerance', 0.1))

    def judge(self, points, crosses_wire):
        """All verdicts of one topology's points (:func:`judge_topology`).
        """
        return judge_topology(
            points, self.vnic_type, crosses_wire,
            (self.line_rate_gbps, self.line_rate_text,
             self.line_rate_fraction),
            self.line_rate_streams, self.margin, self.margin_streams)

    def judge_line_rate(self, point):
        """The near-line-rate verdict of one point (:func:`judge_line_rate`),
        e.g. a fleet link's.
        """
        return judge_line_rate(point, self.line_rate_gbps,
                               self.line_rate_text, self.line_rate_fraction)

    def judge_latency(self, points):
        """The latency verdict of one topology's latency points.

        :param points: ``{vnic_type: latency.LatencyPoint}``; no verdict
            unless both the SR-IOV vnic type and normal were measured. In
            a topology ``latency_topologies`` leaves out (None: every
            topology) the p50s are not compared, but the pairs' loss is
            (:func:`judge_latency_loss`).
        """
        sriov, normal = points.get(self.vnic_type), points.get('normal')
        if sriov is None or normal is None:
            return []
        if self.latency_topologies is not None and \
                sriov.topology not in self.latency_topologies:
            return [judge_latency_loss(sriov, normal,
                                       self.latency_max_loss)]
        return [judge_latency(sriov, normal, self.latency_margin,
                              self.latency_max_loss)]

    def judge_qos(self, point, max_kbps):
        """The verdict of a QoS point (:func:`judge_rate_limit`).

        :param max_kbps: the bandwidth limit in force while ``point`` was
            measured; 0 after the rule was deleted, when the VF must be
            near line rate again (:func:`judge_line_rate`).
        """
        if max_kbps:
            return judge_rate_limit(point, max_kbps, self.qos_tolerance)
        v = self.judge_line_rate(point)
        return dataclasses.replace(
            v, kind=QOS_REMOVED,
            message='with the bandwidth limit deleted, %s' % v.message)

    def line_rate_label(self):
        """The line-rate threshold in a few words, for a chart legend."""
        return 'near line rate %.2f Gbit/s (%.0f %% of %s)' % (
            self.line_rate_gbps, 100 * self.line_rate_fraction,
            self.line_rate_reference.replace('_', ' '))


def threshold_problem(option, value):
    """Why ``value`` cannot be the threshold setting ``option``, or None.

    The one rule for the judged settings, whether they come from
    tempest.conf (``config.load_settings``) or from a results file being
    re-judged offline (``rejudge``).
    """
    if option == 'line_rate_reference':
        if value not in LINE_RATE_REFERENCES:
            return 'must be one of %s' % ', '.join(LINE_RATE_REFERENCES)
    elif option == 'port_speed_gbps':
        if not value or value <= 0:
            return 'must be a speed above 0 Gbit/s'
    elif option == 'line_rate_fraction':
        if value is None or not 0 < value <= 1:
            return 'must be in (0, 1], e.g. 0.9 for 90 % of line rate'
    elif option == 'margin_over_normal':
        if value is None or value < 0:
            return 'must be 0 or more, e.g. 0.4 for "40 % faster than OVS"'
    elif option == 'latency_margin':
        if value is None or not 0 <= value < 1:
            return ('must be in [0, 1), e.g. 0 for "no slower than OVS", '
                    '0.2 for "20 % lower round-trip time than OVS"')
    elif option == 'latency_max_loss':
        if value is None or not 0 <= value < 1:
            return ('must be in [0, 1), e.g. 0.04 for "at most 2 of 50 echo '
                    'requests lost"')
    elif option == 'qos_tolerance':
        if value is None or not 0 < value < 1:
            return 'must be in (0, 1), e.g. 0.1 for "within 10 % of the limit"'
    elif option == 'latency_topologies':
        unknown = sorted(set(value or ()) - set(topology.BY_NAME))
        if unknown:
            return 'names unknown topologies %s; known: %s' % (
                ', '.join(unknown),
                ', '.join(t.name for t in topology.TOPOLOGIES))
    return None


def qos_limit_problem(settings):
    """Why ``qos_max_kbps`` cannot be told from no limit, or None.

    Goodput within ``qos_tolerance`` above the limit must stay below the
    near-line-rate threshold that the VF must reach once the limit is
    deleted; else a VF that ignores the limit could pass both verdicts.
    """
    limit = settings['qos_max_kbps'] / KBPS_PER_GBPS
    threshold, text = line_rate_threshold_of(settings)
    highest = limit * (1 + settings['qos_tolerance'])
    if highest >= threshold:
        return ('the limit %.3f Gbit/s plus qos_tolerance (%.3f Gbit/s) '
                'reaches the near-line-rate threshold %.3f Gbit/s (%s): a VF '
                'that ignores the limit would pass; use a limit below %d '
                'kbit/s' % (limit, highest, threshold, text,
                            threshold / (1 + settings['qos_tolerance']) *
                            KBPS_PER_GBPS))
    return None


def line_rate_threshold_of(settings):
    """``(Gbit/s, text)`` of the line-rate threshold of judged settings.

    ``settings`` has ``port_speed_gbps`` and ``line_rate_fraction``;
    ``line_rate_reference``, ``mtu`` and ``tcp_timestamps`` take their
    defaults when absent (results files written before they were
    recorded; the lab's capacity check, which sets only the first two).
    """
    return line_rate_threshold_gbps(
        settings['port_speed_gbps'], settings['line_rate_fraction'],
        settings.get('line_rate_reference', 'goodput_ceiling'),
        mtu=settings.get('mtu') or 1500, vlan_tagged=True,
        tcp_timestamps=settings.get('tcp_timestamps', True))


def line_rate_threshold_gbps(port_speed_gbps, fraction,
                             reference='goodput_ceiling', mtu=1500,
                             vlan_tagged=True, tcp_timestamps=True):
    """The median goodput the SR-IOV path must reach, and what it is of."""
    if reference == 'port_speed':
        base = port_speed_gbps
        what = 'port speed %.2f Gbit/s' % port_speed_gbps
    else:
        base = goodput_ceiling_gbps(port_speed_gbps, mtu, vlan_tagged,
                                    tcp_timestamps)
        what = ('TCP goodput ceiling %.3f Gbit/s of a %.4g Gbit/s port '
                '(MTU %d%s)' % (base, port_speed_gbps, mtu,
                                ', 802.1Q' if vlan_tagged else ''))
    return base * fraction, what


def decided(points, planned, sriov_vnic_type, judge):
    """Whether the samples still to come could not fail any verdict.

    Every point is filled up to ``planned`` samples with the worst values
    for the SR-IOV side: 0 Gbit/s for its samples, unbounded for normal's.
    Medians only rise with their samples, and every verdict needs the
    SR-IOV median high (line rate) or high against the normal median
    (margin): if the verdicts pass on those worst points, they pass on
    whatever the real samples would have been.

    :param points: ``{(vnic_type, streams): verdict.Point}``.
    :param judge: ``judge(points) -> [verdict.Verdict]``.
    """
    worst = {}
    for key, point in points.items():
        missing = planned - len(point.samples)
        fill = 0.0 if key[0] == sriov_vnic_type else math.inf
        worst[key] = point.with_more([fill] * max(missing, 0))
    return all(v.passed for v in judge(worst))


def judge_line_rate(point, threshold_gbps, reference_text, fraction):
    measured = point.median
    passed = measured >= threshold_gbps
    if passed:
        message = ('%s: median %.2f Gbit/s >= %.2f Gbit/s (%.0f %% of %s)'
                   % (point.label(), measured, threshold_gbps,
                      fraction * 100, reference_text))
    else:
        message = ('%s: median %.2f Gbit/s is below the near-line-rate '
                   'threshold %.2f Gbit/s (%.0f %% of %s) by %.2f Gbit/s '
                   '(%.1f %%); samples %s'
                   % (point.label(), measured, threshold_gbps,
                      fraction * 100, reference_text,
                      threshold_gbps - measured,
                      100.0 * (threshold_gbps - measured) / threshold_gbps,
                      _fmt_samples(point.samples)))
    return Verdict('line_rate', point.topology, point.vnic_type,
                   point.streams, measured, threshold_gbps, passed, message)


#: Verdict kinds of the QoS check: goodput under a bandwidth limit, and
#: after the limit was deleted.
QOS_LIMIT = 'qos_limit'
QOS_REMOVED = 'qos_removed'
QOS_KINDS = (QOS_LIMIT, QOS_REMOVED)
KBPS_PER_GBPS = 1e6


def qos_kind(max_kbps):
    """The verdict kind of a QoS point measured under ``max_kbps``."""
    return QOS_LIMIT if max_kbps else QOS_REMOVED


def judge_rate_limit(point, max_kbps, tolerance):
    """Median goodput within ``tolerance`` of a bandwidth limit.

    Above it: the VF does not enforce ``max_tx_rate``. Below it: it
    limits harder than asked (or something else on the path does).
    """
    limit = max_kbps / KBPS_PER_GBPS
    measured = point.median
    off = (measured - limit) / limit
    passed = abs(off) <= tolerance
    head = ('%s under a bandwidth limit of %d kbit/s: median %.3f Gbit/s'
            % (point.label(), max_kbps, measured))
    if passed:
        message = ('%s is within %.0f %% of the limit %.3f Gbit/s '
                   '(%+.1f %%)' % (head, tolerance * 100, limit, off * 100))
    elif off > 0:
        message = ('%s is %.1f %% above the limit %.3f Gbit/s (tolerance '
                   '%.0f %%); samples %s: the VF does not enforce its '
                   'max_tx_rate, or the SR-IOV agent did not set it (its '
                   '[agent] extensions must include qos)'
                   % (head, off * 100, limit, tolerance * 100,
                      _fmt_samples(point.samples)))
    else:
        message = ('%s is %.1f %% below the limit %.3f Gbit/s (tolerance '
                   '%.0f %%); samples %s: the VF is limited harder than '
                   'the rule asks, or another hop on the path is slower'
                   % (head, -off * 100, limit, tolerance * 100,
                      _fmt_samples(point.samples)))
    return Verdict(QOS_LIMIT, point.topology, point.vnic_type, point.streams,
                   measured, limit, passed, message)


def judge_margin(sriov, normal, margin):
    """SR-IOV must reach (1 + margin) x the OVS median of the same point."""
    if (sriov.topology, sriov.streams) != (normal.topology, normal.streams):
        raise ValueError('margin compares the same topology and stream '
                         'count, got %s vs %s' % (sriov.label(),
                                                  normal.label()))
    threshold = (1.0 + margin) * normal.median
    measured = sriov.median
    ratio = measured / normal.median if normal.median else float('inf')
    passed = measured >= threshold
    if passed:
        message = ('%s: median %.2f Gbit/s is %.2fx the normal (OVS) '
                   'median %.2f Gbit/s, >= the required %.2fx'
                   % (sriov.label(), measured, ratio, normal.median,
                      1.0 + margin))
    else:
        message = ('%s: median %.2f Gbit/s is only %.2fx the normal (OVS) '
                   'median %.2f Gbit/s; the required margin is %.0f %% '
                   '(>= %.2f Gbit/s), missed by %.2f Gbit/s; samples %s vs '
                   'OVS %s'
                   % (sriov.label(), measured, ratio, normal.median,
                      margin * 100, threshold, threshold - measured,
                      _fmt_samples(sriov.samples),
                      _fmt_samples(normal.samples)))
    return Verdict('margin', sriov.topology, sriov.vnic_type, sriov.streams,
                   measured, threshold, passed, message,
                   compared_gbps=normal.median)


def _fmt_samples(samples):
    return '[%s]' % ', '.join('%.2f' % s for s in samples)


def planned(crosses_wire, streams, line_rate_streams, margin,
            margin_streams):
    """``[(kind, streams)]``: the throughput verdicts a topology gets.

    The one rule for what is judged where: a line-rate verdict at each
    of ``line_rate_streams`` where the traffic crosses the wire, a margin
    verdict at each of ``margin_streams`` when ``margin`` > 0; only at
    measured ``streams``. The live gate refuses settings that plan none
    (``gate.no_verdict_reason``), and so does a re-judgement
    (``rejudge``).
    """
    out = []
    for n in streams:
        if crosses_wire and n in line_rate_streams:
            out.append(('line_rate', n))
        if margin > 0 and n in margin_streams:
            out.append(('margin', n))
    return out


def judge_topology(points, sriov_vnic_type, crosses_wire, line_rate,
                   line_rate_streams, margin, margin_streams):
    """All verdicts of one topology.

    :param points: ``{(vnic_type, streams): Point}`` of one topology.
    :param crosses_wire: False for same-host VF-to-VF traffic, which stays
        in the NIC's embedded switch and may exceed the port speed (the
        paper: ~14 Gbit/s on 10 GbE), so no line-rate verdict applies.
    :param line_rate: ``(threshold_gbps, reference_text, fraction)``.
    """
    verdicts = []
    for (vnic_type, streams), point in sorted(points.items()):
        if vnic_type != sriov_vnic_type:
            continue
        if crosses_wire and streams in line_rate_streams:
            verdicts.append(judge_line_rate(point, *line_rate))
        normal = points.get(('normal', streams))
        if margin > 0 and streams in margin_streams and normal is not None:
            verdicts.append(judge_margin(point, normal, margin))
    return verdicts


@dataclasses.dataclass(frozen=True)
class LatencyVerdict(object):
    """A latency verdict, keyed as ``verdict.Verdict`` is.

    Kind, topology, vnic type, streams, passed and message as there, so
    results files list and group both alike.
    """
    kind: str
    topology: str
    vnic_type: str
    streams: int          # LATENCY_STREAMS
    measured_ms: typing.Optional[float]
    threshold_ms: typing.Optional[float]
    passed: bool
    message: str
    compared_ms: typing.Optional[float] = None

    def as_dict(self):
        return dataclasses.asdict(self)


LATENCY = 'latency'
#: The verdict of a topology whose latency is recorded, not compared
#: (``[sriov] latency_topologies`` leaves it out): its pairs' loss only.
LATENCY_LOSS = 'latency_loss'
#: The kinds of latency verdicts, one per topology.
LATENCY_KINDS = (LATENCY, LATENCY_LOSS)
#: The stream count latency verdicts are filed under: no iperf3 stream,
#: so that they never group with a throughput point's verdicts.
LATENCY_STREAMS = 0


def judge_latency(sriov, normal, margin,
                  max_loss=latency.DEFAULT_MAX_LOSS):
    """SR-IOV p50 must be <= normal p50 x (1 - margin), with neither
    pair losing more than ``max_loss`` of its echo requests.
    """
    if sriov.topology != normal.topology:
        raise ValueError('latency compares one topology, got %s vs %s'
                         % (sriov.label(), normal.label()))
    for side in (sriov, normal):
        if not side.samples_ms:
            return LatencyVerdict(
                LATENCY, sriov.topology, sriov.vnic_type, LATENCY_STREAMS,
                None, None, False, '%s latency: none of %d echo requests '
                'from the %s pair\'s client was answered, so there is no '
                'latency to compare; the connectivity tests say why'
                % (sriov.label(), side.sent, side.vnic_type))
    threshold = normal.p50 * (1.0 - margin)
    lossy = _latency_lossy(sriov, normal, max_loss)
    if lossy:
        return LatencyVerdict(
            LATENCY, sriov.topology, sriov.vnic_type, LATENCY_STREAMS,
            sriov.p50, threshold, False, '%s latency: %s: the p50 of the '
            'replies that came back (%.3f vs %.3f ms) says nothing of a '
            'path that drops frames'
            % (sriov.label(), lossy, sriov.p50, normal.p50),
            compared_ms=normal.p50)
    passed = sriov.p50 <= threshold
    lost = ''
    if sriov.lost or normal.lost:
        lost = ' (%d of %d and %d of %d echo requests lost)' % (
            sriov.lost, sriov.sent, normal.lost, normal.sent)
    if passed:
        message = ('%s latency: p50 %.3f ms <= %.3f ms (normal (OVS) p50 '
                   '%.3f ms x %.2f); p99 %.3f vs %.3f ms%s'
                   % (sriov.label(), sriov.p50, threshold, normal.p50,
                      1.0 - margin, sriov.p99, normal.p99, lost))
    else:
        message = ('%s latency: p50 %.3f ms is above %.3f ms, the normal '
                   '(OVS) p50 %.3f ms x %.2f ([sriov] latency_margin %.2f); '
                   'p99 %.3f vs %.3f ms over %d and %d samples%s'
                   % (sriov.label(), sriov.p50, threshold, normal.p50,
                      1.0 - margin, margin, sriov.p99, normal.p99,
                      len(sriov.samples_ms), len(normal.samples_ms), lost))
    return LatencyVerdict(LATENCY, sriov.topology, sriov.vnic_type,
                          LATENCY_STREAMS,
                          sriov.p50, threshold, passed, message,
                          compared_ms=normal.p50)


def _latency_lossy(sriov, normal, max_loss):
    """What the pairs that lost more than ``max_loss`` lost, or ''."""
    lossy = [side for side in (sriov, normal)
             if side.lost > max_loss * side.sent]
    if not lossy:
        return ''
    return '%s, more than [sriov] latency_max_loss %.0f %% allows' % (
        '; '.join('the %s pair lost %d of %d echo requests (%.0f %%)'
                  % (side.vnic_type, side.lost, side.sent,
                     100.0 * side.lost / side.sent) for side in lossy),
        100 * max_loss)


def judge_latency_loss(sriov, normal, max_loss=latency.DEFAULT_MAX_LOSS):
    """The loss verdict of a topology whose latency is recorded only.

    Its p50s are not compared (``[sriov] latency_topologies`` leaves it
    out), but a pair that lost its echo requests is a path that drops
    frames, judged or not.
    """
    if sriov.topology != normal.topology:
        raise ValueError('latency compares one topology, got %s vs %s'
                         % (sriov.label(), normal.label()))
    lossy = _latency_lossy(sriov, normal, max_loss)
    why = ('latency recorded, not compared ([sriov] latency_topologies '
           'leaves %s out)' % sriov.topology)
    if lossy:
        message = '%s ping loss: %s; %s' % (sriov.label(), lossy, why)
    else:
        message = ('%s ping loss: %d of %d and %d of %d echo requests lost '
                   '(the %s and normal pairs), within [sriov] '
                   'latency_max_loss %.0f %%; %s'
                   % (sriov.label(), sriov.lost, sriov.sent, normal.lost,
                      normal.sent, sriov.vnic_type, 100 * max_loss, why))
    return LatencyVerdict(
        LATENCY_LOSS, sriov.topology, sriov.vnic_type, LATENCY_STREAMS,
        sriov.p50 if sriov.samples_ms else None, None, not lossy, message,
        compared_ms=normal.p50 if normal.samples_ms else None)
