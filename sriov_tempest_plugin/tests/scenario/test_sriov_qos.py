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
"""QoS: a bandwidth limit on a direct port holds its VF to the limit."""

from tempest.common import utils
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators

from sriov_tempest_plugin import gate
from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin.tests.scenario import measuring
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import vf


@decorators.serial
class SriovQosTest(measuring.Measuring, base.SriovScenarioTest):
    """Neutron's QoS bandwidth limit on a VF (the SR-IOV agent's
    max_tx_rate), with traffic.

    One SR-IOV pair of scenario 2 (same subnet, different hosts): the
    client's VF is limited, measured, freed and measured again. The
    class is serial: no other test shares the wire while it measures.
    Its points and verdicts go in the run's results file, beside the
    throughput gate's.
    """

    TOPOLOGY = topology.SAME_SUBNET_DIFFERENT_HOSTS

    @classmethod
    def skip_checks(cls):
        super(SriovQosTest, cls).skip_checks()
        if not cls.settings.qos_checks:
            raise cls.skipException('[sriov] qos_checks is False')
        if not utils.is_extension_enabled('qos', 'network'):
            raise cls.skipException(
                'the network service has no qos extension '
                '([network-feature-enabled] api_extensions)')
        cls.require_vf('the QoS check (a VF\'s max_tx_rate)')

    @classmethod
    def resource_setup(cls):
        super(SriovQosTest, cls).resource_setup()
        cls.deploy_plan(topology.plan([cls.settings.vnic_type],
                                      (cls.TOPOLOGY,)))
        cls.mtu = cls.networks[topology.SUBNET1].get('mtu') or 1500
        cls.results = cls.run_results(cls.mtu)

    def _qos_limiter(self, vm):
        """``limit(max_kbps)`` for ``gate.run_qos`` on ``vm``'s port.

        The port gets a QoS policy of its own now; ``limit(n)`` adds a
        bandwidth_limit rule of n kbit/s to it, ``limit(0)`` deletes the
        rule. Each returns once the port's host reports the VF's
        max_tx_rate as asked (:meth:`check_host_vf_flags`).
        """
        policies = self.os_admin.qos_client
        rules = self.os_admin.qos_limit_bw_client
        policy = policies.create_qos_policy(
            name=self._name('qos'), shared=False)['policy']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        policies.delete_qos_policy, policy['id'])
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.a_ports.update_port, vm.port['id'],
                        qos_policy_id=None)
        self.a_ports.update_port(vm.port['id'], qos_policy_id=policy['id'])
        made = []

        def limit(max_kbps):
            if max_kbps:
                made.append(rules.create_limit_bandwidth_rule(
                    policy['id'], max_kbps=max_kbps)['bandwidth_limit_rule'])
                why = ('QoS policy %s: bandwidth limit %d kbit/s, which '
                       'the agent applies with [agent] extensions = qos'
                       % (policy['id'], max_kbps))
            else:
                rules.delete_limit_bandwidth_rule(policy['id'],
                                                  made.pop()['id'])
                why = 'QoS policy %s: bandwidth limit deleted' % policy['id']
            self.check_host_vf_flags(
                vm, why, max_tx_rate=vf.max_tx_rate_mbps(max_kbps))

        return limit

    @decorators.attr(type='slow')
    @decorators.idempotent_id('88208888-44ba-480a-bf2e-2c68cd3d8ff7')
    @utils.requires_ext(extension='qos', service='network')
    @utils.services('compute', 'network')
    def test_bandwidth_limit_direct_same_subnet_different_hosts(self):
        """A bandwidth limit on a direct port holds its VF to the limit,
        and deleting it gives the VF its line rate back.

        The SR-IOV client of scenario 2 gets a QoS policy with one egress
        bandwidth_limit rule of [sriov] qos_max_kbps, which the SR-IOV
        agent turns into its VF's max_tx_rate: the median iperf3 goodput
        to its server must be within [sriov] qos_tolerance of the limit.
        With the rule deleted, it must be near line rate again (the
        gate's threshold). The client's host must report each max_tx_rate
        on its VF before traffic runs (skips without [sriov]
        host_addresses). The results file records both points and
        verdicts. The class skips without [sriov] qos_checks or the qos
        API extension, before it boots anything.
        """
        topo = self.TOPOLOGY
        client, server = (self.vms[n] for n in self.plan.pairs[
            (topo.name, self.settings.vnic_type)])
        self.prepare_iperf3([(client, server)])

        def measure(streams, count):
            return self.iperf3_runs(client, server, streams, count)

        verdicts = gate.run_qos(topo, self.settings, self.mtu,
                                self._qos_limiter(client), measure,
                                self.results, {'client': client.host,
                                               'server': server.host})
        published = self.publish(topo.name)
        failed = [v.message for v in verdicts if not v.passed]
        if failed:
            self.fail('%d verdict(s) failed for %s:\n%s\n%s'
                      % (len(failed), topo.description, '\n'.join(failed),
                         published.where()))
