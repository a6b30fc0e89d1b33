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
"""Round-trip latency of a VM pair: ping command, samples, percentiles.

Many NFV users care more for latency than for bulk throughput. For each
topology the gate pings from the client VM to the server VM of the
SR-IOV pair and of the normal pair, ``[sriov] latency_samples`` echo
requests each (one every 0.2 s, the shortest interval ``ping`` grants a
user that is not root), before iperf3 loads the path. Every reply's
``time=`` is a sample; the results file keeps p50 and p99 (nearest rank:
of 50 samples, p99 is the largest) and the verdict
(``verdict.judge_latency``) compares medians:

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
