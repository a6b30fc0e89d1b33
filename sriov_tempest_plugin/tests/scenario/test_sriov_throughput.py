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

import datetime

from oslo_log import log
from tempest.common import utils
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc
import testtools

from sriov_tempest_plugin import exceptions
from sriov_tempest_plugin import gate
from sriov_tempest_plugin import iperf
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import results
from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin import topology

LOG = log.getLogger(__name__)


@decorators.serial
class SriovThroughputTest(base.SriovScenarioTest):
    """Paper Fig. 6/7: SR-IOV near line rate, and faster than OVS.

    The full matrix: 3 topologies x {direct, normal} x [sriov] streams, each
    point [sriov] iperf_repeats times, judged on medians, in one run. The
    class is serial: no other test shares the wire while it measures. After
    each topology the results file is rewritten in [sriov] results_dir.
    """

    @classmethod
    def resource_setup(cls):
        super(SriovThroughputTest, cls).resource_setup()
        cls.deploy_plan(topology.plan([cls.settings.vnic_type, 'normal']))
        cls.mtu = cls.networks[topology.SUBNET1].get('mtu') or 1500
        run_id = datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y%m%dT%H%M%SZ')
        cls.results = results.Results(
            run_id, gate.settings_summary(cls.settings, cls.mtu))

    def _servers(self, streams):
        """Server ports, their pid files and the command that stops them."""
        ports = iperf.server_ports(self.settings.iperf_port, streams,
                                   self.settings.iperf_mode)
        pidfiles = ['/tmp/sriov-iperf3-server-%d.pid' % p for p in ports]
        stop = '; '.join(iperf.stop_server_command(f) for f in pidfiles)
        return ports, pidfiles, stop

    def _measure(self, client, server, streams, count):
        """``count`` iperf3 runs from client to server, one at a time."""
        s = self.settings
        ports, pidfiles, stop = self._servers(streams)
        command = iperf.client_command(server.ip, s.iperf_port, streams,
                                       s.iperf_duration, s.iperf_omit,
                                       s.iperf_mode)
        runs = []
        for _ in range(count):
            runs.append(self._run_iperf(client, server, ports, pidfiles,
                                        stop, command, streams))
        return runs

    def _run_iperf(self, client, server, ports, pidfiles, stop, command,
                   streams):
        """One sample (``iperf.sample``: fresh servers, bounded retries)."""
        s = self.settings

        def start_servers():
            self.guest_exec(server, stop)
            self.guest_exec(server, ' && '.join(
                iperf.server_command(p, f) for p, f in zip(ports, pidfiles)))

        def run_client():
            try:
                return self.guest_ssh(client, s.iperf_timeout
                                      ).exec_command(command)
            except lib_exc.TimeoutException:
                self.fail('iperf3 from %s to %s did not finish within %d s '
                          '([sriov] iperf_omit + iperf_duration + '
                          'iperf_grace)' % (client.server['name'],
                                            server.ip, s.iperf_timeout))

        describe = 'iperf3 from %s to %s (%d streams)' % (
            client.server['name'], server.ip, streams)
        try:
            return iperf.sample(start_servers, run_client, s.iperf_duration,
                                describe, LOG.warning)
        except exceptions.IperfError as exc:
            self.fail(str(exc))

    def _latency(self, topo, pair, hosts):
        """The latency verdict of ``topo`` (``gate.run_latency``).

        Each pair's client pings its server, before iperf3 runs.
        """
        def ping(vnic_type, count):
            client, server = pair(vnic_type)
            try:
                return self.guest_ssh(
                    client, latency.command_timeout(count)).exec_command(
                        latency.ping_command(server.ip, count))
            except lib_exc.SSHExecCommandFailed as exc:
                # ping exits 1 when a reply was lost; its output still
                # counts (the verdict reports the loss).
                return str(exc)
            except lib_exc.TimeoutException:
                self.fail('ping from %s to %s did not finish within %d s'
                          % (client.server['name'], server.ip,
                             latency.command_timeout(count)))

        try:
            return gate.run_latency(topo, self.settings, self.mtu, ping,
                                    self.results, hosts)
        except ValueError as exc:
            self.fail('latency of %s: %s ([sriov] latency_checks = False '
                      'turns the latency verdict off)' % (topo.name, exc))

    def _gate(self, topo):
        def pair(vnic_type):
            return [self.vms[n] for n in self.plan.pairs[(topo.name,
                                                          vnic_type)]]

        # Stops any server a failed run left behind: once per server guest,
        # covering the ports of the largest stream count.
        stop_all = self._servers(max(self.settings.streams))[2]
        for vnic_type in (self.settings.vnic_type, 'normal'):
            self.require_iperf3(*pair(vnic_type))
            self.addCleanup(self.guest_exec, pair(vnic_type)[1], stop_all)

        def measure(vnic_type, streams, count):
            client, server = pair(vnic_type)
            return self._measure(client, server, streams, count)

        def hosts(vnic_type):
            client, server = pair(vnic_type)
            return {'client': client.host, 'server': server.host}

        verdicts = []
        if self.settings.latency_checks:
            verdicts.extend(self._latency(topo, pair, hosts))
        verdicts.extend(gate.run_topology(topo, self.settings, self.mtu,
                                          measure, self.results, hosts))
        published = gate.publish(self.results, self.settings, topo.name)
        LOG.info('SR-IOV throughput (%s)\n%s\n%s', topo.name,
                 published.table, published.where())
        self.addDetail('sriov-throughput',
                       testtools.content.text_content(
                           '%s\n\n%s' % (published.table,
                                         published.where())))
        failed = [v.message for v in verdicts if not v.passed]
        failed.extend('baseline regression: ' + m
                      for m in published.regressions)
        if failed:
            self.fail('%d throughput/latency verdict(s) failed for %s:\n%s'
                      '\n%s' % (len(failed), topo.description,
                                '\n'.join(failed), published.where()))

    @decorators.attr(type='slow')
    @decorators.idempotent_id('de106a56-af7f-4b13-9076-036dda953194')
    @utils.services('compute', 'network')
    def test_direct_vs_normal_same_subnet_same_host(self):
        """Scenario 1: VF to VF in one NIC, and the margin over OVS.

        No line-rate verdict: this traffic never leaves the NIC and may
        exceed the port speed (the paper: ~14 Gbit/s on 10 GbE).
        """
        self._gate(topology.SAME_SUBNET_SAME_HOST)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('94a4b659-1373-4985-8765-fde5ceeff01e')
    @utils.services('compute', 'network')
    def test_direct_vs_normal_same_subnet_different_hosts(self):
        """Scenario 2: near line rate across the wire, and the margin."""
        self._gate(topology.SAME_SUBNET_DIFFERENT_HOSTS)

    @decorators.attr(type='slow')
    @decorators.idempotent_id('88149f51-aedc-42f7-b357-493d0e04358c')
    @utils.services('compute', 'network')
    def test_direct_vs_normal_different_subnets_same_host(self):
        """Scenario 3: near line rate through the router, and the margin."""
        self._gate(topology.DIFFERENT_SUBNETS_SAME_HOST)
