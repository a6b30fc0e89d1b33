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
"""Round-trip latency of a VM pair: ping samples, percentiles, verdict.

Many NFV users care more for latency than for bulk throughput. For each
topology the gate pings from the client VM to the server VM of the
SR-IOV pair and of the normal pair, ``[sriov] latency_samples`` echo
requests each (one every 0.2 s, the shortest interval ``ping`` grants a
user that is not root), before iperf3 loads the path. Every reply's
``time=`` is a sample; the results file keeps p50 and p99 (nearest rank:
of 50 samples, p99 is the largest) and the verdict compares medians:

    SR-IOV p50 <= normal (OVS) p50 x (1 - latency_margin)

The default margin 0 asks "no worse than OVS". A median of the few
replies that came back says nothing of a path that lost the rest: the
verdict fails when either pair lost more than ``[sriov]
latency_max_loss`` of its echo requests.
"""

import dataclasses
import math
import re
import shlex
import typing

#: Seconds between echo requests: ping's floor for a user that is not root.
INTERVAL = 0.2
#: A reply later than this (s) counts as lost.
REPLY_WAIT = 2
#: ``[sriov] latency_max_loss``'s default: the fraction of echo requests
#: either pair may lose: 2 of 50. A healthy path loses none (the lab,
#: 2026-12-02: 0 of 50 on each of 10 points in three runs, one of them
#: across a wire slowed to 25 %); one lost reply in 50 is noise, three
#: are a path that drops frames.
DEFAULT_MAX_LOSS = 0.04
# iputils says icmp_seq= (icmp_req= from s20101006 to s20121221), BusyBox
# seq=; old netkit ping says "msec".
_REPLY = re.compile(r'\b(?:icmp_seq|icmp_req|seq)=(?P<seq>\d+)\b.*'
                    r'\btime=(?P<ms>[\d.]+) ms')
_SUMMARY = re.compile(r'(?P<sent>\d+) packets transmitted, '
                      r'(?P<received>\d+) (?:packets )?received')


def ping_command(address, count):
    """The guest command that takes ``count`` RTT samples to ``address``.
    """
    return 'ping -c %d -i %s -W %d %s' % (
        count, INTERVAL, REPLY_WAIT, shlex.quote(address))


def command_timeout(count):
    """Seconds :func:`ping_command` may take, with room to spare."""
    return int(math.ceil(count * INTERVAL + REPLY_WAIT + 30))


def parse_ping(text):
    """``(rtts_ms, sent)`` of ``ping`` output (iputils or BusyBox).

    Duplicate replies (the same ``icmp_seq``) count once.
    """
    summary = _SUMMARY.search(text or '')
    if summary is None:
        raise ValueError('not ping output (no "packets transmitted" '
                         'line): %r' % (text or '')[-200:])
    return replies(text), int(summary.group('sent'))


def replies(text):
    """The RTTs (ms) of the echo replies ``ping`` printed, in sequence
    order; a duplicate reply (the same sequence number) counts once.
    """
    rtts = {}
    for match in _REPLY.finditer(text or ''):
        rtts.setdefault(int(match.group('seq')), float(match.group('ms')))
    return tuple(rtts[k] for k in sorted(rtts))


def percentile(values, q):
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values``.
    """
    if not values:
        raise ValueError('no samples')
    ordered = sorted(values)
    rank = max(1, int(math.ceil(q / 100.0 * len(ordered))))
    return ordered[rank - 1]


@dataclasses.dataclass(frozen=True)
class LatencyPoint(object):
    """The RTT samples of one vnic type's pair in one topology."""
    topology: str
    vnic_type: str
    samples_ms: typing.Tuple[float, ...]
    sent: int

    @property
    def lost(self):
        return self.sent - len(self.samples_ms)

    @property
    def p50(self):
        return percentile(self.samples_ms, 50)

    @property
    def p99(self):
        return percentile(self.samples_ms, 99)

    def label(self):
        return '%s/%s' % (self.topology, self.vnic_type)

    def as_dict(self):
        out = {'topology': self.topology, 'vnic_type': self.vnic_type,
               'sent': self.sent, 'received': len(self.samples_ms),
               'samples_ms': [round(s, 3) for s in self.samples_ms]}
        if self.samples_ms:
            out.update(p50_ms=round(self.p50, 3), p99_ms=round(self.p99, 3),
                       min_ms=round(min(self.samples_ms), 3),
                       max_ms=round(max(self.samples_ms), 3))
        return out

    @classmethod
    def of(cls, document_point):
        p = document_point
        return cls(p['topology'], p['vnic_type'], tuple(p['samples_ms']),
                   p['sent'])


@dataclasses.dataclass(frozen=True)
class LatencyVerdict(object):
    """A latency verdict, keyed as ``verdict.Verdict`` is.

    Kind, topology, vnic type, streams, passed and message as there, so
    results files list and group both alike.
    """
    kind: str
    topology: str
    vnic_type: str
    streams: int          # STREAMS
    measured_ms: typing.Optional[float]
    threshold_ms: typing.Optional[float]
    passed: bool
    message: str
    compared_ms: typing.Optional[float] = None

    def as_dict(self):
        return dataclasses.asdict(self)


KIND = 'latency'
#: The verdict of a topology whose latency is recorded, not compared
#: (``[sriov] latency_topologies`` leaves it out): its pairs' loss only.
LOSS_KIND = 'latency_loss'
#: The kinds of latency verdicts, one per topology.
KINDS = (KIND, LOSS_KIND)
#: The stream count latency verdicts are filed under: no iperf3 stream,
#: so that they never group with a throughput point's verdicts.
STREAMS = 0


def judge(sriov, normal, margin, max_loss=DEFAULT_MAX_LOSS):
    """SR-IOV p50 must be <= normal p50 x (1 - margin), with neither
    pair losing more than ``max_loss`` of its echo requests.
    """
    if sriov.topology != normal.topology:
        raise ValueError('latency compares one topology, got %s vs %s'
                         % (sriov.label(), normal.label()))
    for side in (sriov, normal):
        if not side.samples_ms:
            return LatencyVerdict(
                KIND, sriov.topology, sriov.vnic_type, STREAMS, None, None,
                False, '%s latency: none of %d echo requests from the %s '
                'pair\'s client was answered, so there is no latency to '
                'compare; the connectivity tests say why'
                % (sriov.label(), side.sent, side.vnic_type))
    threshold = normal.p50 * (1.0 - margin)
    lossy = _lossy(sriov, normal, max_loss)
    if lossy:
        return LatencyVerdict(
            KIND, sriov.topology, sriov.vnic_type, STREAMS, sriov.p50,
            threshold, False, '%s latency: %s: the p50 of the replies that '
            'came back (%.3f vs %.3f ms) says nothing of a path that drops '
            'frames' % (sriov.label(), lossy, sriov.p50, normal.p50),
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
    return LatencyVerdict(KIND, sriov.topology, sriov.vnic_type, STREAMS,
                          sriov.p50, threshold, passed, message,
                          compared_ms=normal.p50)


def _lossy(sriov, normal, max_loss):
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


def judge_loss(sriov, normal, max_loss=DEFAULT_MAX_LOSS):
    """The loss verdict of a topology whose latency is recorded only.

    Its p50s are not compared (``[sriov] latency_topologies`` leaves it
    out), but a pair that lost its echo requests is a path that drops
    frames, judged or not.
    """
    if sriov.topology != normal.topology:
        raise ValueError('latency compares one topology, got %s vs %s'
                         % (sriov.label(), normal.label()))
    lossy = _lossy(sriov, normal, max_loss)
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
        LOSS_KIND, sriov.topology, sriov.vnic_type, STREAMS,
        sriov.p50 if sriov.samples_ms else None, None, not lossy, message,
        compared_ms=normal.p50 if normal.samples_ms else None)
