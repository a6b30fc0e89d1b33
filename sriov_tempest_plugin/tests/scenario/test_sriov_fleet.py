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
"""Fleet acceptance: every SR-IOV host of the cloud, each judged."""

from concurrent import futures

from oslo_log import log
from tempest.common import utils
from tempest.lib import decorators

from sriov_tempest_plugin import fleet
from sriov_tempest_plugin import gate
from sriov_tempest_plugin import inventory
from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin.tests.scenario import measuring
from sriov_tempest_plugin import verdict

LOG = log.getLogger(__name__)


@decorators.serial
class SriovFleetTest(measuring.Measuring, base.SriovScenarioTest):
    """One direct VM on every SR-IOV host, a ring of links between them.

    The hosts come from the cloud (``inventory.discover``: Nova's compute
    services and Neutron's NIC Switch agents for [sriov]
    physical_network), or [sriov] fleet_hosts. Each gets one VM on a
    direct port of one VLAN network, pinned to it, booted in waves of
    [sriov] fleet_boot_wave; a VM that goes to ERROR names its host. The
    class is serial: the measurements must have the wire to themselves.
    """

    @classmethod
    def skip_checks(cls):
        super(SriovFleetTest, cls).skip_checks()
        if not cls.settings.fleet_checks:
            raise cls.skipException(
                '[sriov] fleet_checks is False (fleet acceptance: every '
                'SR-IOV host; run it after a deployment or a change)')
        cls.require_vf('fleet acceptance (one VF per host)')

    @classmethod
    def setup_clients(cls):
        super(SriovFleetTest, cls).setup_clients()
        cls.a_agents = cls.os_admin.network_agents_client

    @classmethod
    def _choose_hosts(cls):
        """Every host of the inventory, each its own role."""
        cls.inventory = inventory.discover(
            cls.a_services.list_services(binary='nova-compute')['services'],
            cls.a_agents.list_agents()['agents'],
            cls.settings.physical_network, cls.settings.fleet_hosts)
        LOG.info('fleet inventory of %s:\n%s',
                 cls.settings.physical_network,
                 '\n'.join(cls.inventory.lines()))
        return {name: name for name in cls.inventory.names()}

    @classmethod
    def resource_setup(cls):
        super(SriovFleetTest, cls).resource_setup()
        cls.boot_failures = {}
        cls.mtu = 1500
        names = cls.inventory.names()
        if names:
            network, subnet = cls.create_vlan_network(
                0, cidr=cls.free_cidr(len(names)))
            cls.route_for_ssh([subnet])
            cls.mtu = network.get('mtu') or cls.mtu
            for wave in fleet.boot_waves(names,
                                         cls.settings.fleet_boot_wave):
                failed = {}
                cls.boot_wave([(host, cls.settings.vnic_type, host,
                                network, None) for host in wave],
                              failed=failed)
                cls.boot_failures.update(failed)
        cls.results = cls.run_results(cls.mtu)
        cls.ready = set()
        cls.given_back = False

    def _ready(self, vm):
        """iperf3 in ``vm``'s guest (once), its servers stopped at the end.
        """
        if vm.host not in self.ready:
            self.prepare_iperf3([(vm, vm)])
            self.ready.add(vm.host)

    def _measure(self, link, streams, thresholds):
        """``(link, samples, error)``: a ping, then the gate's samples."""
        sender = self.guest(self.vms[link.sender])
        receiver = self.guest(self.vms[link.receiver])
        try:
            sender.ping(receiver.vm.ip, why='link %s of the fleet\'s ring'
                        % link.label())
            for vm in (sender.vm, receiver.vm):
                self._ready(vm)
        except AssertionError as exc:
            return link, [], str(exc)

        def measure(count):
            return [r.received_gbps for r in sender.iperf3_runs(
                receiver, streams, count, self.settings)]

        samples, error = fleet.measure_link(
            link, thresholds, streams, measure, self.settings.iperf_repeats,
            gate.first_samples(self.settings))
        return link, samples, error

    def _measure_waves(self, links, streams, thresholds):
        """Every link, wave by wave (``fleet.waves``): the links of a wave
        at once, at most [sriov] fleet_concurrency of them.
        """
        measured = []
        waves = fleet.waves(links, self.settings.fleet_concurrency)
        with futures.ThreadPoolExecutor(
                self.settings.fleet_concurrency) as pool:
            for number, wave in enumerate(waves, 1):
                LOG.info('fleet wave %d of %d: %s', number, len(waves),
                         ', '.join(link.label() for link in wave))
                measured.extend(pool.map(
                    lambda link: self._measure(link, streams, thresholds),
                    wave))
        return measured

    @decorators.attr(type='slow')
    @decorators.idempotent_id('43b8eecd-b200-4020-adaf-746deeaaaa03')
    @utils.services('compute', 'network')
    def test_fleet_every_host_near_line_rate(self):
        """Every SR-IOV host of the cloud binds a direct port, reaches its
        ring neighbours and carries near line rate both ways; a bad host
        is named, and no other.

        The hosts, in name order, form a ring of links i -> i+1: each
        sends once and receives once. Each link is a ping, then iperf3 at
        the most streams [sriov] line_rate_streams judges, held to the
        gate's near-line-rate rule (same threshold, same sampling). A
        host whose two links are low is bad; a host far below the
        fleet's median ([sriov] fleet_outlier_fraction) is an outlier; a
        link low alone makes both ends suspects, and a second pass links
        each with a host whose links passed, which names the one at
        fault. Hosts that are down, unmapped or fail to boot their VM
        fail too. The one failure message names every bad host and why;
        the results file gets a fleet section, its table, chart and page.
        Skips without [sriov] fleet_checks.
        """
        if self.given_back:
            raise self.skipException(
                'test_fleet_vfs_given_back ran first and deleted the '
                'fleet\'s VMs')
        if not self.settings.line_rate_streams:
            raise self.skipException(
                '[sriov] line_rate_streams is empty: the fleet holds each '
                'link to the near-line-rate rule at those streams')
        streams = max(self.settings.line_rate_streams)
        thresholds = verdict.Thresholds.of(
            gate.settings_summary(self.settings, self.mtu))
        failed_early = dict(self.inventory.unproven)
        failed_early.update((host, 'its VM did not boot: %s' % why)
                            for host, why in self.boot_failures.items())
        booted = sorted(h for h in self.inventory.names() if h in self.vms)
        total = len(self.inventory.names()) + len(self.inventory.unproven)
        if not total:
            self.fail('fleet acceptance found no SR-IOV host of physnet '
                      '%s (Nova\'s nova-compute services and Neutron\'s NIC '
                      'Switch agents):\n%s' % (
                          self.settings.physical_network,
                          '\n'.join(self.inventory.lines()) or
                          'no compute host'))
        ring, retests = [], []
        if len(booted) >= 2:
            ring = self._measure_waves(fleet.ring(booted), streams,
                                       thresholds)
            first = fleet.judge(
                [fleet.link_result(link, thresholds, streams, samples, error)
                 for link, samples, error in ring],
                self.settings.fleet_outlier_fraction)
            if fleet.retests_possible(first):
                plan = fleet.retest_plan(first)
                if plan:
                    LOG.info('fleet second pass: %s',
                             ', '.join(link.label() for link in plan))
                    retests = [self._measure(link, streams, thresholds)
                               for link in plan]
        elif booted:
            failed_early.update(
                (h, 'no other host booted a VM to link it with')
                for h in booted)
        section, assessment = fleet.judged(fleet.record(
            streams, self.settings.fleet_outlier_fraction,
            self.settings.fleet_concurrency, self.inventory.lines(),
            failed_early.items(), total, ring, retests), thresholds)
        message = assessment.message()
        self.results.set_fleet(section)
        published = self.publish(fleet.FLEET)
        if message:
            self.fail('%s\n%s' % (message, published.where()))

    @decorators.idempotent_id('5f0c2a8e-7d41-4b6a-9c3e-2b8d1f6a4e90')
    @utils.services('compute', 'network')
    def test_fleet_vfs_given_back(self):
        """Deleting the fleet's VMs gives every host its VF back.

        Control first: each host's ``ip link`` shows its VM's VF, with the
        port's MAC. Then the VMs are deleted (bounded wait) and each VF
        must be listed without the deleted port's MAC or its network's
        VLAN: a VF that keeps them clashes with the next port bound to it.
        A host listing no VF line fails. Skips without [sriov]
        host_addresses for every booted host of the fleet.
        """
        hosts = sorted(h for h in self.inventory.names() if h in self.vms)
        if not hosts:
            raise self.skipException(
                'no fleet VM booted (see test_fleet_every_host_near_line_'
                'rate)')
        missing = [h for h in hosts
                   if h not in self.settings.host_addresses]
        if missing:
            raise self.skipException(
                '[sriov] host_addresses has no address for %s'
                % ', '.join(missing))
        vlan = self.vms[hosts[0]].port.get('binding:vif_details', {}).get(
            'vlan')
        seen, problems = {}, []
        for host in hosts:
            vf, problem = self.host(host).vf_of(self.vms[host].port)
            if problem:
                problems.append('control: the port of %s\'s VM has no VF '
                                'in ip link: %s' % (host, problem))
            seen[host] = vf
        if problems:
            self.fail('\n'.join(problems))
        type(self).given_back = True
        for host in hosts:
            self.a_servers.delete_server(self.vms[host].server['id'])
        self._wait_gone([self.vms[h].server['id'] for h in hosts])
        for host in hosts:
            for problem in self.host(host).vf_given_back_findings(
                    self.vms[host].port, seen[host],
                    int(vlan) if vlan else None):
                problems.append('%s: %s' % (host, problem))
        if problems:
            self.fail('VFs not given back after the fleet\'s VMs were '
                      'deleted:\n%s' % '\n'.join(problems))
