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
"""The results file of a throughput run: written, read and checked.

One JSON document per run (``format`` version 1, described in README.rst):
the settings that judged it, then for each topology, vnic type and stream
count the samples in Gbit/s with median, min, max and spread, how the
connections were run, whether any run was CPU-bound, where the VMs
really were, and every verdict with its threshold and pass/fail.
"""

import datetime
import json
import os

from sriov_tempest_plugin import latency
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict

FORMAT_VERSION = 1
#: The paper's order of the topologies.
TOPOLOGY_ORDER = tuple(t.name for t in topology.TOPOLOGIES)


class Results(object):
    """Collects a run's points and verdicts; writes them as one document."""

    def __init__(self, run_id, settings, started=None):
        self.run_id = run_id
        self.started = (started or datetime.datetime.now(
            datetime.timezone.utc)).isoformat()
        self.settings = settings
        self.points = []
        self.latency = []
        self.qos = []
        self.verdicts = []
        self.fleet = None
        self.iperf_versions = set()

    def add_point(self, point, runs, cpu_bound_percent, hosts,
                  remeasured=False, planned=None):
        """Record one measured point.

        :param point: :class:`verdict.Point` (its samples are the runs').
        :param runs: the :class:`iperf.IperfRun` of each sample.
        :param hosts: ``{'client': host, 'server': host}`` as the API says.
        :param planned: the samples the settings plan (``iperf_repeats``);
            fewer were taken when the gate decided early, more when the
            point was measured again. Default: as many as were taken.
        """
        self.iperf_versions.update(r.version for r in runs)
        self.points = [p for p in self.points
                       if verdict.point_key(p) != verdict.point_key(point)]
        self.points.append(_point_record(point, runs, cpu_bound_percent,
                                         hosts, remeasured, planned))

    def add_qos(self, point, max_kbps, runs, cpu_bound_percent, hosts,
                remeasured=False):
        """Record one point of the QoS check.

        :param max_kbps: the bandwidth limit in force while it was
            measured; 0 once the rule was deleted.
        """
        self.iperf_versions.update(r.version for r in runs)
        record = dict(_point_record(point, runs, cpu_bound_percent, hosts,
                                    remeasured, None), max_kbps=max_kbps)
        self.qos = [p for p in self.qos if qos_key(p) != qos_key(record)]
        self.qos.append(record)

    def add_latency(self, point, hosts):
        """Record one latency point (:class:`latency.LatencyPoint`)."""
        self.latency = [p for p in self.latency
                        if (p['topology'], p['vnic_type']) !=
                        (point.topology, point.vnic_type)]
        self.latency.append(dict(point.as_dict(), hosts=hosts))

    def add_verdicts(self, verdicts):
        keys = {(v.kind,) + verdict.point_key(v) for v in verdicts}
        self.verdicts = [v for v in self.verdicts
                         if (v['kind'],) + verdict.point_key(v) not in keys]
        self.verdicts.extend(v.as_dict() for v in verdicts)

    def set_fleet(self, section):
        """Record the fleet test's judged section (``fleet.judged``)."""
        self.fleet = section

    @property
    def passed(self):
        return all(v['passed'] for v in self.verdicts) and \
            (self.fleet is None or self.fleet['passed'])

    def document(self):
        fleet = {} if self.fleet is None else {'fleet': self.fleet}
        return dict(fleet, **{
            'format': FORMAT_VERSION,
            'tool': 'sriov-tempest-plugin',
            'run_id': self.run_id,
            'started': self.started,
            'iperf3_versions': sorted(self.iperf_versions),
            'settings': self.settings,
            'points': sorted(self.points, key=point_order),
            'latency': sorted(self.latency, key=latency_order),
            'qos': sorted(self.qos, key=qos_key),
            'verdicts': sorted(self.verdicts, key=verdict_key),
            'passed': self.passed,
        })

    def write(self, directory):
        """Write the document atomically; return its path."""
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, 'sriov-throughput-%s.json'
                            % self.run_id)
        tmp = path + '.tmp'
        with open(tmp, 'w') as handle:
            json.dump(self.document(), handle, indent=2, sort_keys=True)
            handle.write('\n')
        os.replace(tmp, path)
        return path


def _point_record(point, runs, cpu_bound_percent, hosts, remeasured,
                  planned):
    """A measured point as the results document keeps it."""
    cpu_bound = [i for i, r in enumerate(runs)
                 if r.cpu_bound(cpu_bound_percent)]
    return {
        'topology': point.topology,
        'vnic_type': point.vnic_type,
        'streams': point.streams,
        'samples_gbps': [round(s, 4) for s in point.samples],
        'samples': len(point.samples),
        'planned_samples': len(point.samples) if planned is None
        else planned,
        'median_gbps': round(point.median, 4),
        'min_gbps': round(point.minimum, 4),
        'max_gbps': round(point.maximum, 4),
        'spread': round(point.spread, 4),
        'sent_gbps': [round(r.sent_gbps, 4) for r in runs],
        'retransmits': [r.retransmits for r in runs],
        'attempts': [r.attempts for r in runs],
        'skew_seconds': [None if r.skew_seconds is None
                         else round(r.skew_seconds, 3) for r in runs],
        'starved_clients': [r.starved for r in runs],
        'cpu_percent': [{'sender': r.sender_cpu_percent,
                         'receiver': r.receiver_cpu_percent}
                        for r in runs],
        'cpu_bound_samples': cpu_bound,
        'processes': runs[0].processes if runs else None,
        'remeasured': remeasured,
        'hosts': hosts,
    }


def _topology_rank(name):
    """The paper's order of the topologies; unknown names after them."""
    return (TOPOLOGY_ORDER.index(name) if name in TOPOLOGY_ORDER
            else len(TOPOLOGY_ORDER), name)


def point_order(p):
    return (_topology_rank(p['topology']), p['vnic_type'] == 'normal',
            p['vnic_type'], p['streams'])


def latency_order(p):
    return (_topology_rank(p['topology']), p['vnic_type'] == 'normal',
            p['vnic_type'])


def qos_key(p):
    """A QoS record's identity, as :func:`qos_verdicts` keys its verdict.

    ``(kind, topology, vnic_type, streams)``.
    """
    return (verdict.qos_kind(p['max_kbps']),) + verdict.point_key(p)


def verdict_key(v):
    return (_topology_rank(v['topology']), v['kind'], v['vnic_type'],
            v['streams'])


def verdicts_by_point(document):
    """``{(topology, vnic_type, streams): [verdict dict]}`` of a document.
    """
    verdicts = {}
    for v in document.get('verdicts', []):
        if v['kind'] not in verdict.QOS_KINDS:
            verdicts.setdefault(verdict.point_key(v), []).append(v)
    return verdicts


class ResultsFileError(ValueError):
    """A results file cannot be read or is not in the expected format."""


def load(path):
    """The results document in ``path``, checked for what judging needs."""
    try:
        with open(path) as handle:
            document = json.load(handle)
    except OSError as exc:
        raise ResultsFileError('cannot read results file %s: %s'
                               % (path, exc.strerror or exc))
    except ValueError as exc:
        raise ResultsFileError('results file %s is not JSON (%s); was the '
                               'run interrupted while writing it?'
                               % (path, exc))
    check(document, path)
    return document


def check(document, name='results document'):
    if not isinstance(document, dict) or \
            document.get('tool') != 'sriov-tempest-plugin':
        raise ResultsFileError('%s is not a results file of '
                               'sriov-tempest-plugin' % name)
    if document.get('format') != FORMAT_VERSION:
        raise ResultsFileError(
            '%s has results format %r; this version reads format %d'
            % (name, document.get('format'), FORMAT_VERSION))
    for key in ('run_id', 'settings', 'points', 'verdicts'):
        if key not in document:
            raise ResultsFileError('%s lacks "%s"' % (name, key))
    for p in document['points']:
        if p.get('topology') not in topology.BY_NAME:
            raise ResultsFileError('%s: unknown topology %r'
                                   % (name, p.get('topology')))
        if not p.get('samples_gbps'):
            raise ResultsFileError('%s: point %s/%s/%s has no samples'
                                   % (name, p['topology'], p.get('vnic_type'),
                                      p.get('streams')))


def latency_verdicts(document):
    """``{(topology, vnic_type): latency verdict dict}`` of a document."""
    return {(v['topology'], v['vnic_type']): v
            for v in document.get('verdicts', [])
            if v['kind'] in verdict.LATENCY_KINDS}


def latency_of(document):
    """``{topology: {vnic_type: latency.LatencyPoint}}`` of a document."""
    out = {}
    for p in document.get('latency') or []:
        out.setdefault(p['topology'], {})[p['vnic_type']] = \
            latency.LatencyPoint.of(p)
    return out


def qos_verdicts(document):
    """``{(kind, topology, vnic_type, streams): QoS verdict dict}``."""
    return {(v['kind'],) + verdict.point_key(v): v
            for v in document.get('verdicts', [])
            if v['kind'] in verdict.QOS_KINDS}


def qos_of(document):
    """``[(verdict.Point, max_kbps)]``: the QoS points of a document."""
    return [(verdict.Point(p['topology'], p['vnic_type'], p['streams'],
                           tuple(p['samples_gbps'])), p['max_kbps'])
            for p in sorted(document.get('qos') or [], key=qos_key)]


def points_of(document):
    """``{topology: {(vnic_type, streams): verdict.Point}}``."""
    out = {}
    for p in document['points']:
        out.setdefault(p['topology'], {})[(p['vnic_type'], p['streams'])] = \
            verdict.Point(p['topology'], p['vnic_type'], p['streams'],
                          tuple(p['samples_gbps']))
    return out


def failed_messages(document):
    """Every failed verdict's message, and the fleet's."""
    fleet = document.get('fleet') or {}
    return [v['message'] for v in document['verdicts']
            if not v['passed']] + ([fleet['message']]
                                   if fleet.get('message') else [])
