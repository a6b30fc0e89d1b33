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
"""VF behaviour seen with traffic: what a guest sends and what its peer saw.

Spoof check is proven with ARP, because a peer's neighbour table shows
which frames reached it without a capture tool or root on the peer. The
sender writes ARP requests for the peer's IP to the peer's MAC, from its
own IP, with a raw socket (python3, root or ``sudo -n`` in the guest):

- the control: the sender's own Ethernet source MAC, and a fresh MAC as
  the ARP sender address. Spoof check looks only at the Ethernet source,
  so the frame passes, and the peer's entry for the sender's IP takes the
  fresh MAC (Linux overrides a neighbour entry on an ARP request for its
  own address). This proves the frames are sent, delivered and seen.
- the forged frame: another Ethernet source MAC. With spoof check on the
  VF drops it and the peer's entry keeps the control's MAC; with port
  security off on the port, it arrives and the entry changes.

Trust is proven the same way: a guest sets its NIC's MAC (:func:`mac_command`)
and sends from it; the peer's entry shows whether the VF now carries it.
"""

import random
import re
import shlex

#: Sends ``count`` ARP requests; argv: iface dst src sha spa tpa count.
_SEND = '''import socket, sys, time
iface, dst, src, sha, spa, tpa, count = sys.argv[1:8]
mac = lambda m: bytes.fromhex(m.replace(":", ""))
arp = bytes.fromhex("0001080006040001")
frame = (mac(dst) + mac(src) + bytes.fromhex("0806") + arp + mac(sha) +
         socket.inet_aton(spa) + bytes(6) + socket.inet_aton(tpa))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for _ in range(int(count)):
    s.send(frame)
    time.sleep(0.2)
print("sent", count)
'''

_LLADDR = re.compile(r'\blladdr (?P<mac>[0-9a-fA-F:]{17})')


def local_mac(rng=random):
    """A random locally administered unicast MAC (02:...)."""
    return '02:' + ':'.join('%02x' % rng.randrange(256) for _ in range(5))


def _as_root(command):
    """``command`` run as root in the guest: itself, or ``sudo -n``."""
    return ('if [ "$(id -u)" = 0 ]; then %s; else sudo -n %s; fi'
            % (command, command))


#: Every station of the VLAN: an ARP request to it updates each one's
#: entry for the sender's address (a gratuitous announcement).
BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff'


def arp_command(iface, dst_mac, eth_src, sender_mac, sender_ip, target_ip,
                count=3):
    """The guest command that sends the ARP requests (as root)."""
    args = ' '.join(shlex.quote(str(a)) for a in (
        iface, dst_mac, eth_src, sender_mac, sender_ip, target_ip, count))
    return _as_root('python3 -c %s %s' % (shlex.quote(_SEND), args))


def mac_command(iface, mac):
    """The guest command that sets its NIC's MAC (as root).

    On a VF the VF's driver asks the PF for it: granted to a trusted VF,
    refused (EPERM) to an untrusted one whose MAC the hypervisor set.
    """
    return _as_root('ip link set dev %s address %s' % (shlex.quote(iface),
                                                       shlex.quote(mac)))


#: What iproute2 prints when the kernel answers EPERM: a VF driver whose
#: PF refused the MAC (ixgbevf, i40e's iavf on a synchronous answer).
EPERM_TEXT = 'Operation not permitted'
#: The guest command that proves it can run commands as root (prints 0).
ROOT_CHECK = _as_root('id -u')
#: Seconds over which frames from a MAC an untrusted VF's driver took
#: must keep failing to arrive: a PF may grant the request later (the
#: iavf/ice mailbox answers asynchronously).
LATE_GRANT_WINDOW = 10


def refused_by_nic(error):
    """Whether a failed :func:`mac_command` is the NIC's refusal (EPERM),
    not another failure (no root, no such device, no ``ip``).
    """
    return EPERM_TEXT in (error or '')


def neigh_command(address, iface):
    return 'ip neigh show %s dev %s' % (shlex.quote(address),
                                        shlex.quote(iface))


def static_neigh_command(address, mac, iface):
    """The guest command that makes ``address`` resolve to ``mac`` on
    ``iface`` for good (as root): frames to it are unicast to that MAC,
    with no ARP request first.
    """
    return _as_root('ip neigh replace %s lladdr %s dev %s nud permanent'
                    % tuple(shlex.quote(a) for a in (address, mac, iface)))


def del_neigh_command(address, iface):
    """The guest command that deletes its entry for ``address`` (as root).
    """
    return _as_root('ip neigh del %s dev %s' % (shlex.quote(address),
                                                shlex.quote(iface)))


def neigh_mac(ip_neigh_text):
    """The link-layer address in ``ip neigh show <ip>``, or None."""
    match = _LLADDR.search(ip_neigh_text or '')
    return match.group('mac').lower() if match else None


def port_trusted(port):
    """What a port asks Nova for as its VF's trust (None: nothing).

    Its ``trusted`` attribute (Neutron extension ``port-trusted-vif``),
    which Neutron also hands Nova in ``binding:profile``; or
    ``binding:profile`` ``trusted`` set directly, as older clouds take it.
    """
    if port.get('trusted') is not None:
        return port['trusted']
    return (port.get('binding:profile') or {}).get('trusted')


def max_tx_rate_mbps(max_kbps):
    """The VF ``max_tx_rate`` the SR-IOV agent sets for a bandwidth limit.

    ``ip link`` takes whole Mbit/s: ``max_kbps`` / 1000 rounded half up,
    at least 1 for any limit; 0 (no limit) stays 0.
    """
    if not max_kbps:
        return 0
    return max(1, int(max_kbps / 1000.0 + 0.5))


#: Why a VF port and a normal (OVS) port of one host may not reach each
#: other: a NIC's embedded switch forwards by its filter table.
FDB_HINT = (
    'a VF reaches a normal (OVS) port of its own host only when the NIC\'s '
    'embedded switch sends frames for that port\'s MAC to the PF; a real '
    'NIC forwards by its filter table, so without that entry they leave on '
    'the uplink and do not come back. Enable Neutron\'s FDB extension on '
    'the host\'s OVS agent ([agent] extensions = fdb, [FDB] '
    'shared_physical_device_mappings = <physnet>:<PF>), which adds the '
    'normal ports\' MACs to the PF\'s forwarding database. ML2/OVN has no '
    'L2 agent to fill it: there the entries need other means, and where a '
    'cloud gives VF and OVS ports of one host no path, set [sriov] '
    'vf_to_ovs_same_host = False')


def reach_hint(a_vnic_type, a_host, b_vnic_type, b_host):
    """:data:`FDB_HINT` when one end is a VF port (``direct``) and the
    other a normal port of the same host, else None: the hint a failed
    ping between them ends with.
    """
    kinds = {a_vnic_type, b_vnic_type}
    if a_host and a_host == b_host and kinds == {'direct', 'normal'}:
        return FDB_HINT
    return None
