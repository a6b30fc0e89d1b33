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
of their (max - min) / median), counted up to :data:`MAX_SPREAD`: a drop
the noise of either run explains is not a regression, but a noisy run
cannot excuse any drop. Points only one run measured are listed, not
judged; a comparison that compares no point fails.
"""

import dataclasses
import typing

from sriov_tempest_plugin import verdict

DEFAULT_TOLERANCE = 0.10
#: The most run-to-run spread a comparison counts: beyond it a run is too
#: noisy to excuse a drop (the allowance would otherwise grow with the
#: noise, past 100 % for a run whose samples spread more than its
#: median).
MAX_SPREAD = 0.25


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
    def counted_spread(self):
        return min(self.spread, MAX_SPREAD)

    @property
    def allowed(self):
        return self.tolerance + self.counted_spread

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
                'spread %.1f %%%s)'
                % (self.label(), self.median, change, self.baseline_median,
                   baseline_run, 100 * self.allowed, 100 * self.tolerance,
                   100 * self.counted_spread,
                   '' if self.spread <= MAX_SPREAD else
                   ', counted up to %.0f %% of the runs\' %.1f %%'
                   % (100 * MAX_SPREAD, 100 * self.spread)))
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
        return bool(self.compared) and not self.regressions

    def failures(self, topology=None):
        """What fails: each regression, or that nothing was compared
        (of ``topology`` only, when given).
        """
        compared = [c for c in self.compared
                    if topology is None or c.topology == topology]
        if not compared:
            return ['compared no point%s with the baseline (run %s): '
                    'measure the points it has, or give a baseline of the '
                    'same settings' % (' of %s' % topology if topology
                                       else '', self.baseline_run)]
        return [c.message(self.baseline_run) for c in compared
                if c.regressed]

    def lines(self):
        """Readable lines: regressions first, then the rest."""
        out = ['REGRESSED ' + c.message(self.baseline_run)
               for c in self.regressions]
        if not self.compared:
            out.extend('FAILED    ' + m for m in self.failures())
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
