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
"""The wiring between Tempest's clients and the plugin's logic.

A test family (one class) boots all the VMs it needs in one wave in
``resource_setup`` (requests first, then one bounded wait for all of them),
reuses them across its tests, and frees them, VFs included, as soon as the
family is done, through ``addClassResourceCleanup``. Per-test resources use
``addCleanup``.

Resources are created with the admin credentials: provider VLAN networks,
placement on a named host (``availability_zone='<zone>:<host>'``) and the
``binding:*`` attributes of ports are admin-only in a default policy.
"""

import dataclasses
import datetime
import importlib
import ipaddress
import pkgutil
import typing
import unittest

from oslo_log import log
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest.lib import exceptions as lib_exc
from tempest.scenario import manager

from sriov_tempest_plugin import cleanup
from sriov_tempest_plugin import config as sriov_config
from sriov_tempest_plugin import dhcp
from sriov_tempest_plugin import ovn
from sriov_tempest_plugin.services import clients
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import vf
from sriov_tempest_plugin import waiters

CONF = config.CONF
LOG = log.getLogger(__name__)

HOST_ROLES = (topology.HOST1, topology.HOST2)

#: When this test process started: the suite's servers made before it are
#: an earlier run's leftovers (or another run's, still going).
RUN_STARTED = datetime.datetime.now(datetime.timezone.utc)


@dataclasses.dataclass
class Vm(object):
    """A guest of a boot wave: its server and port as the APIs show them.

    ``server`` and ``port`` are refreshed once the wave is ACTIVE (the
    server then names its host, the port its binding).
    """

    server: dict
    port: dict
    vnic_type: str
    role: str       # the plan's host role, a key of ``hosts``
    ip: str         # the port's fixed IP
    ssh_ip: typing.Optional[str] = None   # None: never logged into
    host: typing.Optional[str] = None     # the compute host Nova chose


class SriovScenarioTest(manager.NetworkScenarioTest):
    """Base of the SR-IOV test families."""

    credentials = ['primary', 'admin']
    #: host roles the family places VMs on (HOST1 only, or both).
    host_roles = HOST_ROLES

    @classmethod
    def skip_checks(cls):
        super(SriovScenarioTest, cls).skip_checks()
        # Bad values fail the class with a message naming the option.
        cls.settings = sriov_config.load_settings(CONF.sriov)
        if not cls.settings.physical_network:
            raise cls.skipException(
                '[sriov] physical_network must be set to run the SR-IOV '
                'tests')
        if not (cls.settings.image_ref or CONF.compute.image_ref):
            raise cls.skipException(
                '[sriov] image_ref (or [compute] image_ref) must be set to '
                'an image with iperf3 and sshd')
        if not (cls.settings.flavor_ref or CONF.compute.flavor_ref):
            raise cls.skipException(
                '[sriov] flavor_ref (or [compute] flavor_ref) must be set')
        if CONF.validation.connect_method == 'floating' and \
                not CONF.network.public_network_id:
            raise cls.skipException(
                '[network] public_network_id must be set when [validation] '
                'connect_method is floating')

    @classmethod
    def require_vf(cls, what):
        """Skip when [sriov] vnic_type gives the guest no VF to check."""
        if cls.settings.vnic_type == 'direct-physical':
            raise cls.skipException(
                '[sriov] vnic_type is direct-physical, which gives the '
                'guest a whole PF and no VF: %s needs a VF (vnic_type '
                'direct)' % what)

    @classmethod
    def setup_credentials(cls):
        # The families make their own VLAN networks on the physnet.
        cls.set_network_resources()
        super(SriovScenarioTest, cls).setup_credentials()

    @classmethod
    def setup_clients(cls):
        super(SriovScenarioTest, cls).setup_clients()
        admin = cls.os_admin
        cls.a_networks = admin.networks_client
        cls.a_subnets = admin.subnets_client
        cls.a_ports = admin.ports_client
        cls.a_routers = admin.routers_client
        cls.a_servers = admin.servers_client
        cls.a_keypairs = admin.keypairs_client
        cls.a_secgroups = admin.security_groups_client
        cls.a_secgroup_rules = admin.security_group_rules_client
        cls.a_fips = admin.floating_ips_client
        cls.a_services = admin.services_client

    @classmethod
    def resource_setup(cls):
        super(SriovScenarioTest, cls).resource_setup()
        cls.image_ref = cls.settings.image_ref or CONF.compute.image_ref
        cls.flavor_ref = cls.settings.flavor_ref or CONF.compute.flavor_ref
        cls.ssh_user = (cls.settings.image_ssh_user or
                        CONF.validation.image_ssh_user)
        cls.hosts = cls._choose_hosts()
        cls.leftovers = cls._warn_leftovers()
        cls.keypair = cls.a_keypairs.create_keypair(
            name=cls._name('key'))['keypair']
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.a_keypairs.delete_keypair, cls.keypair['name'])
        cls.secgroup = cls._create_secgroup()
        cls._cidrs = cls._free_cidrs()
        cls.vms = {}

    # -- naming and hosts ---------------------------------------------------

    @classmethod
    def _name(cls, what):
        return data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                    name='sriov-%s-%s' % (cls.__name__,
                                                          what))

    @classmethod
    def _host_roles(cls):
        """The host roles this family places VMs on (settings loaded)."""
        return cls.host_roles

    @classmethod
    def _choose_hosts(cls):
        """{HOST1: name, HOST2: name} from [sriov] compute_hosts or Nova."""
        roles = cls._host_roles()
        wanted = len(roles)
        if cls.settings.compute_hosts:
            names = list(cls.settings.compute_hosts)
        else:
            services = cls.a_services.list_services(
                binary='nova-compute')['services']
            names = sorted(s['host'] for s in services
                           if s['state'] == 'up' and s['status'] == 'enabled')
            if len(names) < wanted:
                raise cls.skipException(
                    '[sriov] compute_hosts must name %d compute hosts with '
                    'VFs on physnet %s; Nova has %d enabled and up: %s'
                    % (wanted, cls.settings.physical_network, len(names),
                       ', '.join(names) or 'none'))
        return dict(zip(roles, names))

    @classmethod
    def ownership(cls):
        return cleanup.Ownership(CONF.resource_name_prefix, families())

    @classmethod
    def _warn_leftovers(cls):
        """Say what an earlier, killed run left that this one needs.

        Said before the boot wave: VFs held by leftovers turn it into
        NoValidHost, whose message then repeats this.
        """
        notes = cleanup.leftovers(
            cls.ownership(),
            cls.a_servers.list_servers(detail=True,
                                       all_tenants=True)['servers'],
            cls.a_ports.list_ports()['ports'],
            cls.a_subnets.list_subnets(ip_version=4)['subnets'],
            RUN_STARTED, CONF.network.project_network_cidr)
        if notes:
            LOG.warning('%s: %s', cls.__name__, cleanup.leftovers_hint(notes))
        return notes

    # -- networks -----------------------------------------------------------

    @classmethod
    def _free_cidrs(cls, prefix=None):
        """Unused subnets of [network] project_network_cidr, in order, of
        ``prefix`` bits (default [network] project_network_mask_bits).
        """
        pool = ipaddress.ip_network(CONF.network.project_network_cidr)
        prefix = CONF.network.project_network_mask_bits if prefix is None \
            else max(prefix, pool.prefixlen)
        used = [ipaddress.ip_network(s['cidr'])
                for s in cls.a_subnets.list_subnets(ip_version=4)['subnets']]
        return [str(net) for net in pool.subnets(new_prefix=prefix)
                if not any(net.overlaps(u) for u in used)]

    @classmethod
    def free_cidr(cls, addresses):
        """An unused subnet of [network] project_network_cidr with room for
        ``addresses`` hosts (beside the gateway and DHCP), at most as
        large as it must be.
        """
        prefix = min(CONF.network.project_network_mask_bits,
                     32 - max(2, (addresses + 3).bit_length()))
        for cidr in cls._free_cidrs(prefix):
            return cidr
        raise lib_exc.InvalidConfiguration(
            'no free subnet for %d addresses left in [network] '
            'project_network_cidr %s' % (addresses,
                                         CONF.network.project_network_cidr))

    @classmethod
    def _next_cidr(cls):
        if not cls._cidrs:
            raise lib_exc.InvalidConfiguration(
                'no free /%d left in [network] project_network_cidr %s'
                % (CONF.network.project_network_mask_bits,
                   CONF.network.project_network_cidr))
        return cls._cidrs.pop(0)

    @classmethod
    def create_vlan_network(cls, index, cidr=None):
        """A VLAN network on the physnet with one IPv4 subnet.

        With [sriov] segmentation_ids the ``index``-th id is used as a
        provider network; without, Neutron allocates a tenant VLAN, which
        must land on the physnet.
        """
        physnet = cls.settings.physical_network
        kwargs = {'name': cls._name('net%d' % index)}
        ids = cls.settings.segmentation_ids
        if ids:
            if index >= len(ids):
                raise cls.skipException(
                    '[sriov] segmentation_ids must list at least %d VLAN ids '
                    '(has %d)' % (index + 1, len(ids)))
            kwargs.update({'provider:network_type': 'vlan',
                           'provider:physical_network': physnet,
                           'provider:segmentation_id': ids[index]})
        network = cls.a_networks.create_network(**kwargs)['network']
        cls.addClassResourceCleanup(test_utils.call_and_ignore_notfound_exc,
                                    cls.a_networks.delete_network,
                                    network['id'])
        shown = cls.a_networks.show_network(network['id'])['network']
        if shown.get('provider:network_type') != 'vlan' or \
                shown.get('provider:physical_network') != physnet:
            raise lib_exc.InvalidConfiguration(
                'network %s is %s on physnet %s, not vlan on [sriov] '
                'physical_network %s: set [sriov] segmentation_ids, or make '
                'Neutron\'s tenant_network_types vlan on that physnet'
                % (network['id'], shown.get('provider:network_type'),
                   shown.get('provider:physical_network'), physnet))
        subnet = cls.a_subnets.create_subnet(
            network_id=network['id'], ip_version=4,
            cidr=cidr or cls._next_cidr(),
            name=cls._name('subnet%d' % index))['subnet']
        cls.addClassResourceCleanup(test_utils.call_and_ignore_notfound_exc,
                                    cls.a_subnets.delete_subnet, subnet['id'])
        return shown, subnet

    @classmethod
    def create_router(cls, subnets):
        kwargs = {'name': cls._name('router')}
        if CONF.validation.connect_method == 'floating':
            kwargs['external_gateway_info'] = {
                'network_id': CONF.network.public_network_id}
        router = cls.a_routers.create_router(**kwargs)['router']
        cls.addClassResourceCleanup(test_utils.call_and_ignore_notfound_exc,
                                    cls.a_routers.delete_router, router['id'])
        for subnet in subnets:
            cls.a_routers.add_router_interface(router['id'],
                                               subnet_id=subnet['id'])
            cls.addClassResourceCleanup(
                test_utils.call_and_ignore_notfound_exc,
                cls.a_routers.remove_router_interface, router['id'],
                subnet_id=subnet['id'])
        return router

    @classmethod
    def route_for_ssh(cls, subnets):
        """With floating IPs, the subnets need a router to the public net."""
        if CONF.validation.connect_method == 'floating':
            cls.create_router(subnets)

    @classmethod
    def _create_secgroup(cls):
        """Allow ICMP, SSH and the iperf3 ports into the guests."""
        group = cls.a_secgroups.create_security_group(
            name=cls._name('sg'))['security_group']
        cls.addClassResourceCleanup(test_utils.call_and_ignore_notfound_exc,
                                    cls.a_secgroups.delete_security_group,
                                    group['id'])
        first = cls.settings.iperf_port
        last = first + max(cls.settings.streams) - 1
        for rule in ({'protocol': 'icmp'},
                     {'protocol': 'tcp', 'port_range_min': 22,
                      'port_range_max': 22},
                     {'protocol': 'tcp', 'port_range_min': first,
                      'port_range_max': last}):
            cls.a_secgroup_rules.create_security_group_rule(
                security_group_id=group['id'], direction='ingress',
                ethertype='IPv4', **rule)
        return group

    # -- servers ------------------------------------------------------------

    @classmethod
    def boot_wave(cls, specs, no_ssh=(), port_extra=None, failed=None):
        """Boot VMs in one wave and wait for all of them, bounded.

        :param specs: ``[(name, vnic_type, host_role, network, fixed_ip)]``
        :param no_ssh: names of VMs Tempest never logs into (no floating
            IP: their network may have no route to the public network).
        :param port_extra: ``{name: {attribute: value}}``, more attributes
            of that VM's port (admin), e.g. its ``binding:profile``.
        :param failed: a dict: a VM that goes to ERROR is put there
            (``{name: message}``) and the others go on, instead of the
            first ERROR failing the wave.
        :returns: adds ``{name: Vm}`` to ``cls.vms`` (those ACTIVE).
        """
        zone = cls.settings.availability_zone
        booted = {}
        port_ids = []
        server_ids = []
        # Cleanups run LIFO: every server delete first (one wave), then one
        # bounded wait until all are gone, so the VFs are back before the
        # next family starts, then the ports.
        cls.addClassResourceCleanup(cls._delete_ports, port_ids)
        cls.addClassResourceCleanup(cls._wait_gone, server_ids)
        for name, vnic_type, role, network, fixed_ip in specs:
            port_kwargs = {'network_id': network['id'],
                           'name': cls._name(name),
                           'binding:vnic_type': vnic_type,
                           'security_groups': [cls.secgroup['id']]}
            if fixed_ip:
                port_kwargs['fixed_ips'] = [{'ip_address': fixed_ip}]
            port_kwargs.update((port_extra or {}).get(name, {}))
            port = cls.a_ports.create_port(**port_kwargs)['port']
            port_ids.append(port['id'])
            server = cls.a_servers.create_server(
                name=cls._name(name), imageRef=cls.image_ref,
                flavorRef=cls.flavor_ref, key_name=cls.keypair['name'],
                networks=[{'port': port['id']}],
                availability_zone='%s:%s' % (zone, cls.hosts[role]),
            )['server']
            server_ids.append(server['id'])
            cls.addClassResourceCleanup(
                test_utils.call_and_ignore_notfound_exc,
                cls.a_servers.delete_server, server['id'])
            booted[name] = Vm(server, port, vnic_type, role,
                              port['fixed_ips'][0]['ip_address'])
        cls._wait_active(booted, failed)
        for name, vm in booted.items():
            vm.ssh_ip = None if name in no_ssh else cls._ssh_address(vm)
        cls.vms.update(booted)
        return booted

    @classmethod
    def deploy_plan(cls, plan):
        """Networks, router and one boot wave for a topology plan."""
        cls.plan = plan
        cls.networks = {}
        subnets = []
        for index, subnet_role in enumerate(plan.subnets):
            network, subnet = cls.create_vlan_network(index)
            cls.networks[subnet_role] = network
            subnets.append(subnet)
        if plan.needs_router:
            cls.create_router(subnets)
        else:
            cls.route_for_ssh(subnets)
        return cls.boot_wave([(vm.name, vm.vnic_type, vm.host,
                               cls.networks[vm.subnet], None)
                              for vm in plan.vms])

    @classmethod
    def _wait_active(cls, booted, failed=None):
        by_id = {vm.server['id']: name for name, vm in booted.items()}

        def failure(server_id, server):
            message = _failure(server_id, server)
            if message and failed is not None:
                failed[by_id[server_id]] = message
                return None
            return message

        def settled(server):
            return server['status'] == 'ACTIVE' or (
                failed is not None and server['status'] == 'ERROR')

        def _failure(server_id, server):
            if server['status'] != 'ERROR':
                return None
            fault = (server.get('fault') or {}).get('message', 'no fault')
            vm = booted[by_id[server_id]]
            hint = ''
            if 'No valid host' in fault and vm.vnic_type != 'normal':
                hint = (' (a %s port needs a free VF on physnet %s of %s: '
                        'check [sriov] physical_network and compute_hosts, '
                        'and Nova [pci] device_spec)'
                        % (vm.vnic_type, cls.settings.physical_network,
                           cls.hosts[vm.role]))
                if vf.port_trusted(vm.port):
                    hint += ('; a port asking for a trusted VF needs VFs '
                             'tagged "trusted": "true" there, else set '
                             '[sriov] trusted_vfs = False')
                if cls.leftovers:
                    hint += '; %s' % cleanup.leftovers_hint(cls.leftovers)
            elif 'Binding failed' in fault and vm.vnic_type != 'normal':
                hint = (' (a %s port is bound by the sriovnicswitch '
                        'mechanism driver, which needs an alive SR-IOV NIC '
                        'agent on %s with physnet %s in its '
                        'physical_device_mappings: see "openstack network '
                        'agent list --host %s")'
                        % (vm.vnic_type, cls.hosts[vm.role],
                           cls.settings.physical_network,
                           cls.hosts[vm.role]))
            return 'server %s (%s) went to ERROR: %s%s' % (
                by_id[server_id], server_id, fault, hint)

        try:
            states = waiters.wait_for_all(
                list(by_id),
                lambda sid: cls.a_servers.show_server(sid)['server'],
                settled, failure,
                CONF.compute.build_timeout, CONF.compute.build_interval,
                what='servers')
        except waiters.ResourceFailed as exc:
            raise lib_exc.ServerFault(str(exc))
        for server_id in [i for i, n in by_id.items() if n in (failed or ())]:
            states.pop(server_id)
            booted.pop(by_id[server_id])
        for server_id, server in states.items():
            booted[by_id[server_id]].server = server
            booted[by_id[server_id]].host = server.get(
                'OS-EXT-SRV-ATTR:host')
        errors = topology.placement_errors(
            [topology.VmSpec(name, vm.vnic_type, vm.role, '')
             for name, vm in sorted(booted.items())], cls.hosts,
            {name: vm.host for name, vm in booted.items()})
        if errors:
            raise lib_exc.InvalidConfiguration(
                'placement asked is not placement got: %s'
                % '; '.join(errors))
        ports = {vm.port['id']: name for name, vm in booted.items()}
        port_states = waiters.wait_for_all(
            list(ports), lambda pid: cls.a_ports.show_port(pid)['port'],
            lambda p: p['status'] == 'ACTIVE',
            lambda pid, p: None, CONF.network.build_timeout,
            CONF.network.build_interval, what='ports')
        for port_id, name in ports.items():
            booted[name].port = port_states[port_id]

    @classmethod
    def _wait_gone(cls, server_ids):
        def poll(sid):
            try:
                return cls.a_servers.show_server(sid)['server']['status']
            except lib_exc.NotFound:
                return 'DELETED'

        waiters.wait_for_all(server_ids, poll, lambda s: s == 'DELETED',
                             lambda sid, s: None, CONF.compute.build_timeout,
                             CONF.compute.build_interval,
                             what='deleted servers')

    @classmethod
    def _delete_ports(cls, port_ids):
        for port_id in port_ids:
            test_utils.call_and_ignore_notfound_exc(cls.a_ports.delete_port,
                                                    port_id)

    @classmethod
    def _ssh_address(cls, vm):
        if CONF.validation.connect_method != 'floating':
            return vm.ip
        fip = cls.a_fips.create_floatingip(
            floating_network_id=CONF.network.public_network_id,
            port_id=vm.port['id'],
            description=cls._name('fip'))['floatingip']
        cls.addClassResourceCleanup(test_utils.call_and_ignore_notfound_exc,
                                    cls.a_fips.delete_floatingip, fip['id'])
        return fip['floating_ip_address']

    # -- guests and hosts ---------------------------------------------------

    def guest(self, vm, via=None):
        """A :class:`clients.GuestClient` to ``vm``; with ``via`` (a VM),
        reached through it on its fixed IP.
        """
        return clients.GuestClient(
            vm, self.ssh_user, self.keypair['private_key'],
            CONF.validation.ssh_key_type, CONF.validation.ssh_timeout,
            CONF.validation.ping_timeout,
            lambda: self._console_tail(vm), lambda: self._no_lease(vm),
            via=self.guest(via) if via is not None else None)

    def host(self, name):
        """A :class:`clients.HostClient` to compute host ``name``."""
        return clients.HostClient(name, self.settings)

    def check_host_vf_flags(self, vm, why, **expected):
        """The port's VF has the flags Neutron asked for, as its host
        reports them (``HostClient.wait_vf_flags``, within [network]
        build_timeout).
        """
        self.host(vm.host).wait_vf_flags(vm.port, why,
                                         CONF.network.build_timeout,
                                         **expected)

    def _vm_name(self, vm):
        return vm.server['name']

    def _console_tail(self, vm, lines=15):
        """The last lines of the guest's console, for a failure message."""
        try:
            output = self.a_servers.get_console_output(
                vm.server['id'], length=lines)['output']
        except Exception as exc:  # the console is a hint, never the verdict
            return 'no console output of %s: %s' % (self._vm_name(vm), exc)
        return 'console of %s (last %d lines):\n%s' % (
            self._vm_name(vm), lines, output)

    def _no_lease(self, vm):
        """Why ``vm`` cannot be reached, when its console says its DHCP
        client got no lease (``dhcp.last_event``): worded with what should
        have answered (``dhcp.no_lease_message``). None when the console
        shows a lease, says nothing of one, or cannot be read.
        """
        try:
            output = self.a_servers.get_console_output(
                vm.server['id'])['output']
        except Exception:  # the console is a hint, never the verdict
            return None
        event = dhcp.last_event(output)
        if event is None or event.kind != 'no-lease':
            return None
        network_id = vm.port['network_id']
        try:
            shown = self.a_networks.show_network(network_id)['network']
        except lib_exc.TempestException:
            shown = {}
        network = (shown.get('name') or network_id,
                   shown.get('provider:segmentation_id'))
        try:
            agents = [(a['host'], a['alive']) for a in
                      self.a_networks.list_dhcp_agents_on_hosting_network(
                          network_id)['agents']]
        except lib_exc.TempestException:
            agents = None
        return dhcp.no_lease_message(
            self._vm_name(vm), event, network, agents, vm.vnic_type,
            ovn=self._ovn_extport(vm, shown.get(
                'provider:physical_network')))

    def _ovn_extport(self, vm, physnet):
        """None when the cloud runs no ovn-controller (not ML2/OVN); else
        what the OVN Southbound DB shows of ``vm``'s external port
        (``ovn.extport_findings``), read with ``[sriov] ovn_sbctl_command``
        on the VM's host, or why it was not read.
        """
        try:
            chassis = self.os_admin.network_agents_client.list_agents(
                binary='ovn-controller')['agents']
        except lib_exc.TempestException:
            return None
        if not chassis:
            return None
        if vm.vnic_type == 'normal':
            return ''   # its own chassis answers: no external port
        sbctl = self.settings.ovn_sbctl_command
        if not sbctl:
            return ('Which chassis host its external port was not read: '
                    'set [sriov] ovn_sbctl_command (and host_addresses) to '
                    'have it named')
        host = self.host(vm.host)
        list_chassis, find_binding = ovn.commands(sbctl, vm.port['id'])
        try:
            listed = host.exec(list_chassis)
            binding = host.exec(find_binding)
            return ovn.extport_findings(
                ovn.chassis_list(listed),
                ovn.bound_chassis(binding, vm.port['id']), vm.port['id'],
                physnet)
        except unittest.SkipTest as exc:    # no address: not a skip here
            return 'Its external port was not read: %s' % exc
        except (clients.Failure, ovn.OvnParseError,
                lib_exc.TempestException) as exc:
            return 'Its external port could not be read: %s' % exc


def families():
    """Names of the plugin's test families (every SriovScenarioTest).

    What ``sriov-tempest-cleanup`` and the leftovers warning match on:
    resources named after one of these, and Tempest's credentials for one.
    """
    from sriov_tempest_plugin.tests import scenario

    for info in pkgutil.iter_modules(scenario.__path__):
        importlib.import_module('%s.%s' % (scenario.__name__, info.name))
    found = set()
    todo = [SriovScenarioTest]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub.__name__)
            todo.append(sub)
    return found
