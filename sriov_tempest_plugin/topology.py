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
"""The paper's three topologies and the fewest VMs that cover them.

For each vnic type one anchor VM ``a`` sits on host 1, subnet 1, and each
topology adds the partner it needs: ``b`` beside it (same subnet, same
host: VF to VF inside one NIC), ``c`` on host 2 (same subnet, across the
physical switch), ``d`` on subnet 2 of host 1 (through the router). No two
partners share a placement and the anchor's twin must be a second VM, so
four VMs per vnic type is the least that covers all three; for ``direct``
and ``normal`` that is 8 VMs.
"""

import dataclasses
import ipaddress
import typing

HOST1 = 'host1'
HOST2 = 'host2'
SUBNET1 = 'subnet1'
SUBNET2 = 'subnet2'


@dataclasses.dataclass(frozen=True)
class Topology(object):
    name: str
    same_host: bool
    same_subnet: bool
    description: str

    @property
    def crosses_wire(self):
        """Does the traffic leave the NIC?

        Same-host, same-subnet VF to VF traffic stays in the NIC's embedded
        switch (VEB); routed traffic goes to the router on the network node
        and back.
        """
        return not (self.same_host and self.same_subnet)

    @property
    def routed(self):
        return not self.same_subnet


SAME_SUBNET_SAME_HOST = Topology(
    'same_subnet_same_host', True, True,
    'same subnet, same compute node (paper scenario 1: VF to VF inside one '
    'NIC)')
SAME_SUBNET_DIFFERENT_HOSTS = Topology(
    'same_subnet_different_hosts', False, True,
    'same subnet, different compute nodes (paper scenario 2: across the '
    'physical switch)')
DIFFERENT_SUBNETS_SAME_HOST = Topology(
    'different_subnets_same_host', True, False,
    'different subnets, same compute node (paper scenario 3: through the '
    'router on the network node)')

TOPOLOGIES = (SAME_SUBNET_SAME_HOST, SAME_SUBNET_DIFFERENT_HOSTS,
              DIFFERENT_SUBNETS_SAME_HOST)
BY_NAME = {t.name: t for t in TOPOLOGIES}


@dataclasses.dataclass(frozen=True)
class VmSpec(object):
    name: str
    vnic_type: str
    host: str  # HOST1 or HOST2: a role, mapped to a real host at boot
    subnet: str  # SUBNET1 or SUBNET2


@dataclasses.dataclass(frozen=True)
class Plan(object):
    vms: typing.Tuple[VmSpec, ...]
    #: (topology name, vnic type) -> (client VM name, server VM name)
    pairs: typing.Dict[typing.Tuple[str, str], typing.Tuple[str, str]]
    #: (sriov VM, normal VM) on one network and host, when both are planned
    mixed_pair: typing.Optional[typing.Tuple[str, str]]

    def vm(self, name):
        for spec in self.vms:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def subnets(self):
        return sorted({vm.subnet for vm in self.vms})

    @property
    def hosts(self):
        return sorted({vm.host for vm in self.vms})

    @property
    def needs_router(self):
        return len(self.subnets) > 1

    def count(self, vnic_type=None):
        return sum(1 for vm in self.vms
                   if vnic_type is None or vm.vnic_type == vnic_type)


def _short(vnic_type):
    return vnic_type.replace('-', '')


def plan(vnic_types, topologies=TOPOLOGIES):
    """The fewest VMs covering ``topologies`` for each of ``vnic_types``."""
    if not vnic_types:
        raise ValueError('plan needs at least one vnic type')
    if not topologies:
        raise ValueError('plan needs at least one topology')
    vms = []
    pairs = {}
    for vnic_type in vnic_types:
        anchor = VmSpec('%s-a' % _short(vnic_type), vnic_type, HOST1,
                        SUBNET1)
        vms.append(anchor)
        for letter, topology in zip('bcd', TOPOLOGIES):
            if topology not in topologies:
                continue
            partner = VmSpec(
                '%s-%s' % (_short(vnic_type), letter), vnic_type,
                HOST1 if topology.same_host else HOST2,
                SUBNET1 if topology.same_subnet else SUBNET2)
            vms.append(partner)
            pairs[(topology.name, vnic_type)] = (anchor.name, partner.name)
    mixed = None
    sriov = [v for v in vnic_types if v != 'normal']
    if sriov and 'normal' in vnic_types:
        mixed = ('%s-a' % _short(sriov[0]), 'normal-a')
    return Plan(tuple(vms), pairs, mixed)


def placement_errors(vms, wanted_hosts, actual_hosts):
    """Which VMs did not land where the plan put them.

    Placement asked is not placement got: a topology's number is only
    trusted once ``OS-EXT-SRV-ATTR:host`` says the VMs are where it needs.

    :param vms: :class:`VmSpec` whose ``host`` is a role (HOST1, HOST2).
    :param wanted_hosts: ``{HOST1: 'compute1', HOST2: 'compute2'}``
    :param actual_hosts: ``{vm name: host name from the API}``
    """
    errors = []
    for vm in vms:
        want = wanted_hosts[vm.host]
        got = actual_hosts.get(vm.name)
        if got != want:
            errors.append('%s should be on %s (%s) but is on %s'
                          % (vm.name, want, vm.host, got))
    return errors


def isolation_addresses(cidr, count=3):
    """The last ``count`` host addresses of ``cidr``, lowest first.

    The VLAN isolation test gives its VMs fixed addresses on two networks
    with the same CIDR; the end of the range keeps clear of the gateway
    (the first address) and of what Neutron hands out first. Raises
    ValueError when the subnet has no room for the gateway and ``count``
    VMs.
    """
    hosts = list(ipaddress.ip_network(cidr).hosts())
    if len(hosts) < count + 1:
        raise ValueError('%s has %d host addresses; the VLAN isolation test '
                         'needs %d (a gateway and %d VMs)'
                         % (cidr, len(hosts), count + 1, count))
    return [str(h) for h in hosts[-count:]]
