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
"""Throughput gate: near line rate, margin over OVS and latency."""


from oslo_log import log
from tempest.common import utils
from tempest.lib import decorators

from sriov_tempest_plugin import gate
from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin.tests.scenario import measuring
from sriov_tempest_plugin import topology

LOG = log.getLogger(__name__)


@decorators.serial
class SriovThroughputTest(measuring.Measuring, base.SriovScenarioTest):
    """Paper Fig. 6/7: SR-IOV near line rate, faster than OVS, and no
    slower to answer.

    One test per claim and topology: ``test_line_rate_<topology>``,
    ``test_margin_over_normal_<topology>`` and ``test_latency_<topology>``.
    The claims of a topology share one measurement, taken by the first of
    its tests that runs and kept for the class: the full matrix
    {direct, normal} x [sriov] streams, each point [sriov] iperf_repeats
    times, judged on medians (``gate.run_topology``), and one ping run
    per pair (``gate.run_latency``). The class is serial: no other test
    shares the wire while it measures. After each measurement the results
    file is rewritten in [sriov] results_dir.
    """

    @classmethod
    def resource_setup(cls):
        super(SriovThroughputTest, cls).resource_setup()
        cls.deploy_plan(topology.plan([cls.settings.vnic_type, 'normal']))
        cls.mtu = cls.networks[topology.SUBNET1].get('mtu') or 1500
        cls.results = cls.run_results(cls.mtu)
        # (measurement, topology name) -> gate.Measured, or the skip
        # message of a measurement that could not start.
        cls.measured = {}

    def _latency(self, topo, pair, hosts):
        """The latency verdict of ``topo`` (``gate.run_latency``).

        Each pair's client pings its server; no iperf3 runs meanwhile (the
        class is serial and measures one thing at a time).
        """
        def ping(vnic_type, count):
            client, server = pair(vnic_type)
            return self.guest(client).ping_samples(server.ip, count)

        try:
            return gate.run_latency(topo, self.settings, self.mtu, ping,
                                    self.results, hosts)
        except ValueError as exc:
            self.fail('latency of %s: %s ([sriov] latency_checks = False '
                      'turns the latency verdict off)' % (topo.name, exc))

    def _pair(self, topo, vnic_type):
        """``[client, server]`` of a topology's pair of one vnic type."""
        return [self.vms[n] for n in self.plan.pairs[(topo.name, vnic_type)]]

    def _hosts(self, topo, vnic_type):
        client, server = self._pair(topo, vnic_type)
        return {'client': client.host, 'server': server.host}

    def _run(self, what, topo):
        """Measure ``topo`` for ``what`` (``gate.MEASUREMENT_OF``) and
        judge it; return its verdicts.
        """
        def pair(vnic_type):
            return self._pair(topo, vnic_type)

        def hosts(vnic_type):
            return self._hosts(topo, vnic_type)

        if what == 'latency':
            return self._latency(topo, pair, hosts)
        self.prepare_iperf3([pair(self.settings.vnic_type),
                             pair('normal')])

        def measure(vnic_type, streams, count):
            client, server = pair(vnic_type)
            return self.iperf3_runs(client, server, streams, count)

        return gate.run_topology(topo, self.settings, self.mtu, measure,
                                 self.results, hosts)

    def _measured(self, what, topo):
        """``topo``'s measurement for ``what`` (a ``gate.Measured``),
        taken now if no test of the class took it yet.

        A measurement that stops (iperf3, SSH, ping) is kept with its
        error, so each claim judged on it fails with that message; one
        that cannot start skips each of them alike.
        """
        key = (what, topo.name)
        if key not in self.measured:
            verdicts, error = (), None
            try:
                verdicts = tuple(self._run(what, topo))
            except self.skipException as exc:
                self.measured[key] = str(exc)
                raise
            except Exception as exc:
                error = str(exc) or type(exc).__name__
            published = self.publish(topo.name)
            self.measured[key] = gate.Measured(
                topo.name, what, verdicts, error,
                tuple(published.regressions), published.where())
        measured = self.measured[key]
        if isinstance(measured, str):
            raise self.skipException(measured)
        return measured

    def _claim(self, claim, topo):
        """Judge ``claim`` (``gate.CLAIMS``) in ``topo``: skip when the
        settings do not ask it, fail with its failed verdicts' messages.
        """
        reason = gate.claim_skip_reason(claim, topo, self.settings)
        if reason:
            raise self.skipException(reason)
        measured = self._measured(gate.MEASUREMENT_OF[claim], topo)
        failed = gate.claim_failures(claim, measured)
        if failed:
            self.fail('%d verdict(s) failed for %s:\n%s\n%s'
                      % (len(failed), topo.description, '\n'.join(failed),
                         measured.where))

    @decorators.idempotent_id('914c8f0a-d51b-49c7-9329-fbdc92648ecd')
    @utils.services('compute', 'network')
    def test_latency_same_subnet_same_host(self):
        """Scenario 1 latency: both pairs answer pings within [sriov]
        latency_max_loss, and where [sriov] latency_topologies names this
        topology the VF pair's p50 is at most [sriov] latency_margin x the
        OVS pair's.
        """
        self._claim('latency', topology.SAME_SUBNET_SAME_HOST)

    @decorators.idempotent_id('4299a99f-8524-4286-8527-4087427bc8df')
    @utils.services('compute', 'network')
    def test_latency_same_subnet_different_hosts(self):
        """Scenario 2 latency: across the wire, as scenario 1's: loss
        within [sriov] latency_max_loss, and the p50 comparison where
        [sriov] latency_topologies names the topology.
        """
        self._claim('latency', topology.SAME_SUBNET_DIFFERENT_HOSTS)

    @decorators.idempotent_id('20a401b8-7245-4e92-b484-4c19384de337')
    @utils.services('compute', 'network')
    def test_latency_different_subnets_same_host(self):
        """Scenario 3 latency: through the router, as scenario 1's: loss
        within [sriov] latency_max_loss, and the p50 comparison where
        [sriov] latency_topologies names the topology.
        """
        self._claim('latency', topology.DIFFERENT_SUBNETS_SAME_HOST)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('0cbe2a81-7c45-4e5e-8aba-b08da9f92908')
    @utils.services('compute', 'network')
    def test_line_rate_same_subnet_different_hosts(self):
        """Scenario 2: the VF pair's median goodput across the wire is near
        line rate ([sriov] line_rate_fraction) at each of [sriov]
        line_rate_streams.
        """
        self._claim('line_rate', topology.SAME_SUBNET_DIFFERENT_HOSTS)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('f886259e-9f8a-4e10-92f0-154523af070f')
    @utils.services('compute', 'network')
    def test_line_rate_different_subnets_same_host(self):
        """Scenario 3: the VF pair's median goodput through the router is
        near line rate at each of [sriov] line_rate_streams.
        """
        self._claim('line_rate', topology.DIFFERENT_SUBNETS_SAME_HOST)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('348751d7-b97c-4ba3-a3a8-0694f8c331b1')
    @utils.services('compute', 'network')
    def test_margin_over_normal_same_subnet_same_host(self):
        """Scenario 1: VF to VF in one NIC beats the OVS pair of the same
        run by [sriov] margin_over_normal at each of [sriov]
        margin_streams. No line-rate test here: this traffic never leaves
        the NIC and may exceed the port speed (the paper: ~14 Gbit/s on
        10 GbE).
        """
        self._claim('margin', topology.SAME_SUBNET_SAME_HOST)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('6c375958-eef7-43ea-92dc-1e5c863ad700')
    @utils.services('compute', 'network')
    def test_margin_over_normal_same_subnet_different_hosts(self):
        """Scenario 2: the VF pair beats the OVS pair across the wire by
        [sriov] margin_over_normal at each of [sriov] margin_streams.
        """
        self._claim('margin', topology.SAME_SUBNET_DIFFERENT_HOSTS)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('1c402237-1c3e-4b85-bfa9-173ff7a1ad60')
    @utils.services('compute', 'network')
    def test_margin_over_normal_different_subnets_same_host(self):
        """Scenario 3: the VF pair beats the OVS pair through the router by
        [sriov] margin_over_normal at each of [sriov] margin_streams.
        """
        self._claim('margin', topology.DIFFERENT_SUBNETS_SAME_HOST)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('28be6944-8296-48d1-8676-1ab5a2fb8c53')
    @utils.services('compute', 'network')
    def test_no_regression_against_baseline(self):
        """No throughput point of any topology regressed against the
        results file [sriov] baseline_results names, beyond [sriov]
        baseline_tolerance, and each topology compared at least one.
        """
        if not self.settings.baseline_results:
            raise self.skipException(
                '[sriov] baseline_results is unset: no baseline to compare '
                'with')
        failed = []
        for topo in topology.TOPOLOGIES:
            measured = self._measured('throughput', topo)
            if measured.error:
                failed.append('the throughput measurement of %s stopped: '
                              '%s' % (topo.name, measured.error))
            failed.extend(measured.regressions)
        if failed:
            self.fail('%d baseline regression(s) or failures:\n%s'
                      % (len(failed), '\n'.join(failed)))
