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
"""Regression of a run against a baseline run, point by point.

A point regresses when its median fell below the baseline's median by more
than the tolerance *plus* the run-to-run spread of the two runs (the larger
of their (max - min) / median): a drop the noise of either run explains is
not a regression. Points only one run measured are listed, not judged.
"""

import dataclasses
import typing

from sriov_tempest_plugin import verdict

DEFAULT_TOLERANCE = 0.10


@dataclasses.dataclass(frozen=True)
class Comparison(object):
    topology: str
    vnic_type: str
    streams: int
    baseline_median: float
    median: float
    spread: float
    tolerance: float

    @property
    def drop(self):
        """Fraction the median fell (negative when it rose)."""
        if not self.baseline_median:
            return 0.0
        return (self.baseline_median - self.median) / self.baseline_median

    @property
    def allowed(self):
        return self.tolerance + self.spread

    @property
    def regressed(self):
        return self.drop > self.allowed

    def label(self):
        return _label((self.topology, self.vnic_type, self.streams))

    def message(self, baseline_run):
        change = ('%.1f %% below' % (100 * self.drop) if self.drop > 0 else
                  '%.1f %% above' % (-100 * self.drop))
        text = ('%s: median %.2f Gbit/s is %s the baseline %.2f Gbit/s '
                '(run %s); allowed drop %.1f %% (tolerance %.0f %% + '
                'spread %.1f %%)'
                % (self.label(), self.median, change, self.baseline_median,
                   baseline_run, 100 * self.allowed, 100 * self.tolerance,
                   100 * self.spread))
        return text


@dataclasses.dataclass(frozen=True)
class Outcome(object):
    baseline_run: str
    compared: typing.Tuple[Comparison, ...]
    only_in_run: typing.Tuple[str, ...]
    only_in_baseline: typing.Tuple[str, ...]

    @property
    def regressions(self):
        return [c for c in self.compared if c.regressed]

    @property
    def passed(self):
        return not self.regressions

    def lines(self):
        """Readable lines: regressions first, then the rest."""
        out = ['REGRESSED ' + c.message(self.baseline_run)
               for c in self.regressions]
        out.extend('ok        ' + c.message(self.baseline_run)
                   for c in self.compared if not c.regressed)
        out.extend('not in the baseline: %s' % k for k in self.only_in_run)
        out.extend('not measured in this run: %s' % k
                   for k in self.only_in_baseline)
        return out


def _label(key):
    return verdict.point_label(*key)


def _spread(p):
    if 'spread' in p:
        return p['spread']
    return verdict.spread(p['min_gbps'], p['max_gbps'], p['median_gbps'])


def compare(document, baseline, tolerance=DEFAULT_TOLERANCE,
            topologies=None):
    """Compare two results documents; see the module doc for the rule.

    :param topologies: only these topologies (the gate compares each as it
        finishes); all when None.
    """
    if tolerance < 0:
        raise ValueError('tolerance must be 0 or more, got %r' % tolerance)

    def points(doc):
        return {verdict.point_key(p): p for p in doc['points']
                if topologies is None or p['topology'] in topologies}

    mine, base = points(document), points(baseline)
    compared = []
    for key in sorted(set(mine) & set(base)):
        m, b = mine[key], base[key]
        compared.append(Comparison(
            key[0], key[1], key[2], b['median_gbps'], m['median_gbps'],
            max(_spread(m), _spread(b)), tolerance))
    return Outcome(
        baseline.get('run_id', '?'), tuple(compared),
        tuple(_label(k) for k in sorted(set(mine) - set(base))),
        tuple(_label(k) for k in sorted(set(base) - set(mine))))
