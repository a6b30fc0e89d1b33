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
"""The unit tests' base class and fixture reader."""

import os

from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

from sriov_tempest_plugin import config

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


class FakeClock(object):
    """A monotonic clock and its sleep, for bounded waits in unit tests."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class TestCase(base.BaseTestCase):
    """Unit test base: a private ConfigOpts with the [sriov] group."""

    def setUp(self):
        super(TestCase, self).setUp()
        self.conf = cfg.ConfigOpts()
        self.conf.register_group(config.sriov_group)
        self.conf.register_opts(config.sriov_opts, group=config.GROUP)
        self.conf([], project='sriov-unit-tests', default_config_files=[])
        self.cfg = self.useFixture(config_fixture.Config(self.conf))

    def flags(self, **kw):
        for name, value in kw.items():
            self.cfg.config(group=config.GROUP, **{name: value})

    def settings(self, **kw):
        self.flags(**kw)
        return config.load_settings(self.conf.sriov)


# Lab-like medians (Gbit/s) per topology, vnic type and stream count.
LAB_SAMPLES = {
    'same_subnet_same_host': {'direct': (1.22, 1.25, 1.24),
                              'normal': (0.70, 0.71, 0.70)},
    'same_subnet_different_hosts': {'direct': (0.86, 0.87, 0.86),
                                    'normal': (0.47, 0.48, 0.47)},
    'different_subnets_same_host': {'direct': (0.78, 0.79, 0.80),
                                    'normal': (0.37, 0.39, 0.38)},
}


def results_document(run_id='20261125T060000Z', samples=None, scale=None,
                     **settings):
    """A results document made by the plugin's own code path.

    :param scale: ``{(topology, vnic, streams): factor}`` applied to the
        samples of those points.
    """
    from sriov_tempest_plugin import iperf
    from sriov_tempest_plugin import results as results_file
    from sriov_tempest_plugin import topology
    from sriov_tempest_plugin import verdict

    summary = {'physical_network': 'physnet1', 'vnic_type': 'direct',
               'port_speed_gbps': 1.0,
               'line_rate_reference': 'goodput_ceiling',
               'line_rate_fraction': 0.75, 'line_rate_streams': [3, 5],
               'margin_over_normal': 0.4, 'margin_streams': [3, 5],
               'tcp_timestamps': True, 'mtu': 1500, 'streams': [1, 3, 5],
               'iperf_mode': 'processes', 'iperf_duration': 10,
               'iperf_omit': 2, 'iperf_repeats': 3}
    summary.update(settings)
    run = iperf.parse_client_output(fixture('iperf3-3.12-1stream.json'))
    results = results_file.Results(run_id, summary)
    scale = scale or {}
    thresholds = verdict.Thresholds.of(summary)
    for name, by_vnic in (samples or LAB_SAMPLES).items():
        points = {}
        for vnic, values in by_vnic.items():
            for streams in summary['streams']:
                factor = scale.get((name, vnic, streams), 1.0)
                point = verdict.Point(name, vnic, streams,
                                      tuple(factor * v for v in values))
                points[(vnic, streams)] = point
                results.add_point(point, [run] * len(values), 90,
                                  {'client': 'compute1',
                                   'server': 'compute1'})
        results.add_verdicts(thresholds.judge(
            points, topology.BY_NAME[name].crosses_wire))
    return results.document()


def write_json(directory, document, name=None):
    import json
    path = os.path.join(directory, name or 'sriov-throughput-%s.json'
                        % document['run_id'])
    with open(path, 'w') as handle:
        json.dump(document, handle)
    return path
