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
"""Whether a guest got its address by DHCP, from what its console says.

A guest on a Neutron network asks DHCP for its address (a VF port over
its VLAN, like any port). When it gets none, every later check of it ends
in an SSH or ping timeout that names neither DHCP nor the service that
should have answered; its DHCP client said so on the console first. This
module reads that, and words the failure:

- :func:`last_event` finds the DHCP client's last word on the console: a
  lease, no lease, or nothing either way (the console is not evidence);
- :func:`no_lease_message` names what should have answered: on ML2/OVS
  the DHCP agents hosting the network, on ML2/OVN its native DHCP, which
  reaches a VF port only through an external port bound to a chassis
  marked ``enable-chassis-as-extport-host``.

Pure: no Tempest clients.
"""

import collections
import re

from sriov_tempest_plugin import ovn as ovn_lib

#: The DHCP client's last word: ``kind`` 'lease' or 'no-lease', and the
#: console line that says it.
Event = collections.namedtuple('Event', 'kind line')

#: Console lines in which a DHCP client gives up, or got a lease. Busybox's
#: udhcpc (CirrOS, Buildroot, Alpine; old releases capitalise) and
#: NetworkManager. Only forms seen in real captures (tests' fixtures).
_NO_LEASE = re.compile(
    r'\bno lease, (?:failing|forking to background)'
    r'|\bDHCPv4 request timed out', re.IGNORECASE)
_LEASE = re.compile(r'\blease of [0-9.]+ obtained', re.IGNORECASE)


def last_event(console):
    """The last :data:`Event` of the console's DHCP client, or None when
    the console says nothing of a lease either way (not evidence: many
    images log DHCP elsewhere).

    A client that gave up and one that later got a lease (udhcpc -b keeps
    trying in the background) end in 'lease': the last word counts.
    """
    event = None
    for line in (console or '').splitlines():
        if _NO_LEASE.search(line):
            event = Event('no-lease', line.strip())
        elif _LEASE.search(line):
            event = Event('lease', line.strip())
    return event


def no_lease_message(guest, event, network, dhcp_agents, vnic_type,
                     ovn=None):
    """Why a guest's checks cannot go on: it got no DHCP lease.

    :param guest: the guest's name.
    :param event: its console's no-lease :data:`Event`.
    :param network: ``(name or id, segmentation id or None)``.
    :param dhcp_agents: ``[(host, alive)]`` of the DHCP agents hosting the
        network, as Neutron lists them; None when the list could not be
        read.
    :param vnic_type: the guest's port's ``binding:vnic_type``.
    :param ovn: None when the cloud runs no ``ovn-controller`` (not
        ML2/OVN); else what was seen of the VF port's external port (a
        sentence of :func:`sriov_tempest_plugin.ovn.extport_findings`, or
        why it was not read).
    """
    name, vlan = network
    where = 'network %s%s' % (name, ' (VLAN %s)' % vlan if vlan else '')
    text = ('guest %s got no DHCP lease: its console says "%s". The DHCP '
            'server of %s did not answer it' % (guest, event.line, where))
    if ovn is not None:
        text += ('; the cloud runs ML2/OVN, whose DHCP is OVN\'s own')
        if vnic_type == 'normal':
            return text + (': ovn-controller on the guest\'s own chassis '
                           'answers it, so check that chassis\'s '
                           'ovn-controller and its port binding.')
        return text + (': a VF port gets it only from its OVN external '
                       'port, on a chassis marked %s (or, when no chassis '
                       'is, one marked %s with a bridge mapping for the '
                       'network\'s physical network), across the physical '
                       'network on the VLAN. %s.'
                       % (ovn_lib.EXTPORT_HOST, ovn_lib.GATEWAY, ovn))
    if dhcp_agents is None:
        text += ('; the DHCP agents hosting the network could not be '
                 'listed (admin API)')
    elif dhcp_agents:
        text += '; DHCP agents hosting the network: %s' % ', '.join(
            '%s (%s)' % (host, 'alive' if alive else 'DOWN')
            for host, alive in sorted(dhcp_agents))
        if any(alive for _, alive in dhcp_agents):
            text += (', so the DHCP requests did not reach it or its '
                     'answers did not come back')
            if vnic_type == 'direct':
                text += (': a VF port\'s DHCP crosses the physical network '
                         'on the VLAN to the agent\'s host (check the VF\'s '
                         'VLAN on its host, and the switch ports of both '
                         'hosts for that VLAN)')
    else:
        text += ('; no DHCP agent hosts the network: start a DHCP agent '
                 'that can reach the physical network')
    return text + '.'
