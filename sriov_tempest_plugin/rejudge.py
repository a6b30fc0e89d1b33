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
"""Results files read back, and judged again offline.

A results file carries every sample and the settings that judged it, so
its verdicts can be recomputed without a cloud against other thresholds
(port speed, line-rate fraction or reference, margin, judged stream
counts): "would last night's run pass a 60 % margin?".
"""

import copy
import json

from sriov_tempest_plugin import report
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict

# Settings a re-judgement may change, and their types.
THRESHOLDS = {
    'port_speed_gbps': float,
    'line_rate_reference': str,
    'line_rate_fraction': float,
    'line_rate_streams': list,
    'margin_over_normal': float,
    'margin_streams': list,
}


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
    if document.get('format') != report.FORMAT_VERSION:
        raise ResultsFileError(
            '%s has results format %r; this version reads format %d'
            % (name, document.get('format'), report.FORMAT_VERSION))
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


def line_rate_of(settings):
    """``(threshold Gbit/s, reference text)`` of a document's settings."""
    return verdict.line_rate_threshold_gbps(
        settings['port_speed_gbps'], settings['line_rate_fraction'],
        settings.get('line_rate_reference', 'goodput_ceiling'),
        mtu=settings.get('mtu') or 1500, vlan_tagged=True,
        tcp_timestamps=settings.get('tcp_timestamps', True))


def points_of(document):
    """``{topology: {(vnic_type, streams): verdict.Point}}``."""
    out = {}
    for p in document['points']:
        out.setdefault(p['topology'], {})[(p['vnic_type'], p['streams'])] = \
            verdict.Point(p['topology'], p['vnic_type'], p['streams'],
                          tuple(p['samples_gbps']))
    return out


def judge(document, **overrides):
    """A copy of ``document`` with its verdicts recomputed.

    :param overrides: new values for keys of :data:`THRESHOLDS`; the rest
        of the settings are the file's own. The copy records the overrides
        under ``rejudged``.
    """
    unknown = sorted(set(overrides) - set(THRESHOLDS))
    if unknown:
        raise ValueError('cannot re-judge with %s; known: %s'
                         % (', '.join(unknown), ', '.join(sorted(THRESHOLDS))))
    overrides = {k: v for k, v in overrides.items() if v is not None}
    _check_thresholds(overrides)
    out = copy.deepcopy(document)
    settings = out['settings']
    settings.update(overrides)
    line_rate = line_rate_of(settings)
    verdicts = []
    for name, points in sorted(points_of(out).items()):
        verdicts.extend(verdict.judge_topology(
            points, settings['vnic_type'],
            topology.BY_NAME[name].crosses_wire,
            line_rate + (settings['line_rate_fraction'],),
            settings['line_rate_streams'], settings['margin_over_normal'],
            settings['margin_streams']))
    out['verdicts'] = sorted((v.as_dict() for v in verdicts),
                             key=report.verdict_key)
    out['passed'] = all(v['passed'] for v in out['verdicts'])
    if overrides:
        out['rejudged'] = dict(sorted(overrides.items()))
    return out


def _check_thresholds(values):
    for name, value in sorted(values.items()):
        why = verdict.threshold_problem(name, value)
        if why:
            raise ValueError('%s = %r %s' % (name, value, why))


def failed_messages(document):
    return [v['message'] for v in document['verdicts'] if not v['passed']]
