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
"""Results files judged again offline.

A results file carries every sample and the settings that judged it, so
its verdicts can be recomputed without a cloud against other thresholds
(port speed, line-rate fraction or reference, margin, judged stream
counts, latency margin, QoS tolerance): "would last night's run pass a
60 % margin?". A fleet section's links are judged again by the same
line-rate rule, and its hosts blamed again.
"""

import copy

from sriov_tempest_plugin import fleet
from sriov_tempest_plugin import results
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict


def judge(document, **overrides):
    """A copy of ``document`` with its verdicts recomputed.

    :param overrides: new values for ``verdict.THRESHOLD_KEYS``; the rest
        of the settings are the file's own. The copy records the overrides
        under ``rejudged``.
    """
    unknown = sorted(set(overrides) - set(verdict.THRESHOLD_KEYS))
    if unknown:
        raise ValueError('cannot re-judge with %s; known: %s'
                         % (', '.join(unknown),
                            ', '.join(sorted(verdict.THRESHOLD_KEYS))))
    overrides = {k: v for k, v in overrides.items() if v is not None}
    _check_thresholds(overrides)
    out = copy.deepcopy(document)
    settings = out['settings']
    settings.update(overrides)
    thresholds = verdict.Thresholds.of(settings)
    verdicts = []
    unjudged = []
    for name, points in sorted(results.points_of(out).items()):
        crosses_wire = topology.BY_NAME[name].crosses_wire
        measured = sorted({streams for _, streams in points})
        if not verdict.planned(crosses_wire, measured,
                               thresholds.line_rate_streams,
                               thresholds.margin,
                               thresholds.margin_streams):
            unjudged.append('%s (measured at %s streams)' % (
                name, ','.join(str(n) for n in measured)))
        verdicts.extend(thresholds.judge(points, crosses_wire))
    if unjudged:
        raise NothingJudged(
            'with these thresholds no throughput verdict judges %s, so '
            'every such run would pass: line_rate_streams = %s, '
            'margin_streams = %s, margin_over_normal = %s. Name measured '
            'stream counts (--line-rate-streams, --margin-streams) and a '
            'margin above 0 (--margin-over-normal)' % (
                '; '.join(unjudged),
                _csv(thresholds.line_rate_streams),
                _csv(thresholds.margin_streams), thresholds.margin))
    for name, points in sorted(results.latency_of(out).items()):
        verdicts.extend(thresholds.judge_latency(points))
    for point, max_kbps in results.qos_of(out):
        verdicts.append(thresholds.judge_qos(point, max_kbps))
    out['verdicts'] = sorted((v.as_dict() for v in verdicts),
                             key=results.verdict_key)
    out['passed'] = all(v['passed'] for v in out['verdicts'])
    if out.get('fleet'):
        out['fleet'] = fleet.judged(out['fleet'], thresholds)[0]
        out['passed'] = out['passed'] and out['fleet']['passed']
    if overrides:
        out['rejudged'] = dict(sorted(overrides.items()))
    return out


class NothingJudged(ValueError):
    """The thresholds judge nothing of a topology the file measured."""


def _csv(values):
    return ','.join(str(v) for v in values) or '(none)'


def _check_thresholds(values):
    for name, value in sorted(values.items()):
        why = verdict.threshold_problem(name, value)
        if why:
            raise ValueError('%s = %r %s' % (name, value, why))
