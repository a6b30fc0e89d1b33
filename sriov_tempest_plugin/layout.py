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
"""The datapath of a port, read from what the compute host shows.

The paper's Fig. 1 and Fig. 3: a ``normal`` port with the OVS hybrid plug
crosses ``tap`` -> ``qbr`` (Linux bridge, iptables) -> ``qvb``/``qvo``
(veth) -> ``br-int``; a port bound to a VF (``hw_veb``) has none of them.
Neutron and os-vif name these devices with the first 11 characters of the
port id, and the OVS interface carries ``external_ids:iface-id=<port id>``.

Three levels of evidence, each parsed here from real command output:

1. API: the port's ``binding:*`` attributes (:func:`api_findings`).
2. Host: ``ip -o [-d] link``, ``ovs-vsctl --format=json ... list Interface``
   and ``ovs-vsctl list-ports <bridge>`` (:func:`host_findings`).
3. Hypervisor: the libvirt domain XML (:func:`libvirt_interfaces`).
"""

import dataclasses
import json
import re
import shlex
import typing
from xml.etree import ElementTree


class LayoutParseError(ValueError):
    """Host output (ip, ovs-vsctl, virsh) is not in the expected shape."""


#: The devices of the OVS hybrid plug, in the order a frame crosses them.
HYBRID_CHAIN = ('tap', 'qbr', 'qvb', 'qvo')
#: Neutron's device names use this many characters of the port id.
PORT_ID_PREFIX = 11

SRIOV_VIF_TYPES = {'direct': 'hw_veb', 'macvtap': 'hw_veb',
                   'direct-physical': 'hostdev_physical'}


def device_names(port_id):
    """``{'tap': 'tap<id11>', 'qbr': ..., 'qvb': ..., 'qvo': ...}``."""
    short = port_id[:PORT_ID_PREFIX]
    return {kind: kind + short for kind in HYBRID_CHAIN}


@dataclasses.dataclass(frozen=True)
class Link(object):
    name: str
    peer: typing.Optional[str]
    master: typing.Optional[str]
    state: typing.Optional[str]
    mac: typing.Optional[str]
    kind: typing.Optional[str]  # with -d: tun, veth, bridge, ...
    vfs: typing.Tuple['VirtualFunction', ...] = ()


@dataclasses.dataclass(frozen=True)
class VirtualFunction(object):
    """One ``vf N ...`` line of a PF in ``ip link``: what its driver reports.

    ``mac`` is the VF's hardware address: a MAC, or an InfiniBand VF's
    20-byte address. The flags are None when the driver does not report
    them.
    """
    index: int
    mac: str
    vlan: typing.Optional[int]
    spoofchk: typing.Optional[bool] = None
    link_state: typing.Optional[str] = None   # auto, enable or disable
    trust: typing.Optional[bool] = None
    max_tx_rate: typing.Optional[int] = None  # Mbit/s; 0 is no limit


_LINK_HEAD = re.compile(r'^\d+:\s+(?P<name>[^:@\s]+)(?:@(?P<peer>[^:\s]+))?:'
                        r'\s+<(?P<flags>[^>]*)>(?P<rest>.*)$')
# A VF's address: "MAC 00:..." (older iproute2), "link/ether 00:... brd
# ..." (iproute2 >= 5.x), or, of an InfiniBand PF (mlx4/mlx5 IPoIB),
# "link/infiniband <20-byte address> brd ...": the port's MAC is then
# not the VF's hardware address, so such a VF never matches it.
_VF = re.compile(r'vf (?P<index>\d+)\s+(?:(?:link/ether\s+)?(?:MAC\s+)?'
                 r'(?P<mac>[0-9a-f]{2}(?::[0-9a-f]{2}){5})\b|'
                 r'link/infiniband\s+(?P<ib>[0-9a-f]{2}(?::[0-9a-f]{2}){19})'
                 r'\b)(?P<rest>[^\n]*)', re.IGNORECASE)
_KINDS = ('tun', 'veth', 'bridge_slave', 'bridge', 'openvswitch',
          'vlan', 'macvtap', 'macvlan', 'dummy', 'vxlan')


def _vf_flag(rest, pattern, convert):
    match = re.search(pattern, rest)
    return convert(match.group(1)) if match else None


def _virtual_function(match):
    rest = match.group('rest')

    def on(word):
        return word == 'on'

    return VirtualFunction(
        int(match.group('index')), match.group('mac') or match.group('ib'),
        _vf_flag(rest, r'\bvlan (\d+)', int),
        spoofchk=_vf_flag(rest, r'\bspoof checking (on|off)\b', on),
        link_state=_vf_flag(rest, r'\blink-state (auto|enable|disable)\b',
                            str),
        trust=_vf_flag(rest, r'\btrust (on|off)\b', on),
        max_tx_rate=_vf_flag(rest, r'\bmax_tx_rate (\d+)\s*Mbps', int))


def _field(words, key):
    try:
        return words[words.index(key) + 1]
    except (ValueError, IndexError):
        return None


def _kind(detail_lines):
    for line in detail_lines:
        words = line.split()
        if words and words[0] in _KINDS:
            # "bridge_slave" only says the link is in a bridge; keep looking
            # for what the link itself is.
            if words[0] != 'bridge_slave':
                return words[0]
    return None


def parse_ip_link(text):
    """Parse ``ip link`` / ``ip -o link`` / ``ip -d -o link`` output.

    :returns: ``{name: Link}``; VF lines of a PF land in ``Link.vfs``.
    """
    # One-line mode (-o) puts a backslash where the multi-line mode breaks.
    records = []
    for raw in (text or '').splitlines():
        parts = [p.strip() for p in raw.split('\\')]
        if _LINK_HEAD.match(parts[0]):
            records.append(parts)
        elif records and raw.strip():
            records[-1].extend(parts)
        elif raw.strip():
            raise LayoutParseError(
                'not "ip link" output: %r' % raw[:120])
    links = {}
    for parts in records:
        head = _LINK_HEAD.match(parts[0])
        words = head.group('rest').split()
        mac = None
        vfs = []
        details = []
        for part in parts[1:]:
            if part.startswith('link/'):
                mac = part.split()[1] if len(part.split()) > 1 else None
                # "ip -d" appends its details on the same physical line.
                details.append(' '.join(part.split()[4:]))
            elif part.startswith('vf '):
                vf = _VF.match(part)
                if not vf:
                    # Never dropped: a VF line not understood would hide
                    # the port's VF and its flags.
                    raise LayoutParseError(
                        'VF line of %s not understood (want "vf N MAC '
                        '<mac>", "vf N link/ether <mac>" or "vf N '
                        'link/infiniband <address>"): %r' % (
                            head.group('name'), part[:160]))
                vfs.append(_virtual_function(vf))
            else:
                details.append(part)
        links[head.group('name')] = Link(
            name=head.group('name'), peer=head.group('peer'),
            master=_field(words, 'master'), state=_field(words, 'state'),
            mac=mac, kind=_kind(details), vfs=tuple(vfs))
    return links


def parse_ovs_interfaces(text):
    """Parse ``ovs-vsctl --format=json ... list Interface`` output.

    :returns: ``{interface name: {external id: value}}``.
    """
    try:
        doc = json.loads(text)
        headings = doc['headings']
        name_col = headings.index('name')
        ids_col = headings.index('external_ids')
    except (ValueError, KeyError, TypeError) as exc:
        raise LayoutParseError(
            'not "ovs-vsctl --format=json --columns=name,external_ids list '
            'Interface" output (%s): %r' % (exc, (text or '')[:120]))
    interfaces = {}
    for row in doc.get('data', []):
        name = row[name_col]
        ids = row[ids_col]
        # OVSDB encodes a map as ["map", [[key, value], ...]].
        pairs = ids[1] if isinstance(ids, list) and ids[:1] == ['map'] else []
        interfaces[name] = {k: v for k, v in pairs}
    return interfaces


def parse_list_ports(text):
    """Parse ``ovs-vsctl list-ports <bridge>``: one port name a line."""
    return {line.strip() for line in (text or '').splitlines()
            if line.strip()}


@dataclasses.dataclass(frozen=True)
class HostView(object):
    """What one compute host shows about one port."""

    port_id: str
    devices: typing.Dict[str, bool]  # tap/qbr/qvb/qvo -> present
    ovs_interfaces: typing.Tuple[str, ...]  # with iface-id == port id
    on_integration_bridge: typing.Tuple[str, ...]
    vf: typing.Optional[typing.Tuple[str, VirtualFunction]]  # (PF, VF)
    #: PFs whose ``ip link`` lists VFs: where a VF port's VF must show.
    pfs: typing.Tuple[str, ...] = ()


def host_view(port_id, mac, links, ovs_interfaces, bridge_ports):
    names = device_names(port_id)
    devices = {kind: name in links for kind, name in names.items()}
    ovs = tuple(sorted(name for name, ids in ovs_interfaces.items()
                       if ids.get('iface-id') == port_id))
    vf = None
    for link in links.values():
        for candidate in link.vfs:
            if mac and candidate.mac.lower() == mac.lower():
                vf = (link.name, candidate)
    return HostView(port_id, devices, ovs,
                    tuple(sorted(set(ovs) & set(bridge_ports))), vf,
                    tuple(sorted(link.name for link in links.values()
                                 if link.vfs)))


#: What a host whose ``ip -d link`` shows no VF line cannot prove.
NO_VF_LINES = ('the host\'s ip link lists no VF lines (no PF with "vf N '
               '... link/ether ..." lines), so the port\'s VF cannot be '
               'seen there: [sriov] host_addresses names a host without '
               'this port\'s NIC, or its driver or iproute2 prints VF lines '
               'this plugin does not read')


def vf_given_back_findings(links, mac, vf=None, vlan=None):
    """What a host's ``ip link`` (``links``, of :func:`parse_ip_link`)
    still shows of a deleted port: [] when its VF was given back.

    :param mac: the deleted port's MAC; no VF may carry it.
    :param vf: ``(PF name, VF index)`` the port had, seen before it was
        deleted; that VF must still be listed, and not tagged ``vlan``
        (the port's network's VLAN).
    """
    if not any(link.vfs for link in links.values()):
        return [NO_VF_LINES]
    problems = []
    for link in links.values():
        for candidate in link.vfs:
            if candidate.mac.lower() == mac.lower():
                problems.append(
                    'VF %d of %s still carries the deleted port\'s MAC %s '
                    '(vlan %s): the VF was not given back, and the next '
                    'port bound to it would clash' % (
                        candidate.index, link.name, mac, candidate.vlan))
    if vf is not None:
        pf, index = vf
        mine = [c for c in getattr(links.get(pf), 'vfs', ())
                if c.index == index]
        if not mine:
            problems.append('VF %d of %s, the deleted port\'s, is no longer '
                            'listed' % (index, pf))
        elif vlan and mine[0].vlan == vlan:
            problems.append('VF %d of %s, the deleted port\'s, is still '
                            'tagged with its network\'s VLAN %d'
                            % (index, pf, vlan))
    return problems


def hybrid_plug(port):
    """Whether Nova plugs a normal ``port`` through the OVS hybrid plug.

    As Nova decides (``nova.network.model.VIF.is_hybrid_plug_enabled``):
    the binding's ``vif_details`` ``ovs_hybrid_plug``, False when absent.
    ML2/OVN never sets it, and ML2/OVS sets it False with the
    openvswitch firewall: the tap is then plugged straight into br-int.
    """
    details = port.get('binding:vif_details') or {}
    return bool(details.get('ovs_hybrid_plug', False))


def host_findings(view, vnic_type, hybrid_plug=False,
                  integration_bridge='br-int', segmentation_id=None):
    """What is wrong with ``view`` for a port of ``vnic_type``.

    :returns: a list of sentences; empty when the layout is as expected.
    """
    names = device_names(view.port_id)
    problems = []
    if vnic_type == 'normal':
        expected = HYBRID_CHAIN if hybrid_plug else ('tap',)
        for kind in expected:
            if not view.devices[kind]:
                problems.append('normal port %s: %s is missing; the OVS '
                                'path should cross it' % (view.port_id,
                                                          names[kind]))
        if hybrid_plug is False:
            for kind in ('qbr', 'qvb', 'qvo'):
                if view.devices[kind]:
                    problems.append('normal port %s: %s exists although '
                                    'the port is bound without the hybrid '
                                    'plug' % (view.port_id, names[kind]))
        if not view.on_integration_bridge:
            problems.append('normal port %s: no OVS interface with '
                            'iface-id=%s on %s' % (view.port_id,
                                                   view.port_id,
                                                   integration_bridge))
        return problems
    for kind in HYBRID_CHAIN:
        if view.devices[kind]:
            problems.append('%s port %s: %s exists on the host, but a port '
                            'bound to a VF must not cross it'
                            % (vnic_type, view.port_id, names[kind]))
    for name in view.ovs_interfaces:
        problems.append('%s port %s: OVS interface %s carries its iface-id; '
                        'a VF port must bypass OVS' % (vnic_type,
                                                       view.port_id, name))
    # Presence, not only absence: the port's VF must be seen on the host
    # (else it is on another host, the VF never got the port's MAC, or
    # the host's ip link says nothing of VFs).
    if vnic_type == 'direct-physical':
        pass    # the PF itself is the guest's: no VF line to see
    elif not view.pfs:
        problems.append('%s port %s: %s' % (vnic_type, view.port_id,
                                            NO_VF_LINES))
    elif view.vf is None:
        problems.append('%s port %s: none of the VFs this host lists (PF %s) '
                        'holds the port\'s MAC; its VF is not on this host '
                        'or was never given the port\'s MAC'
                        % (vnic_type, view.port_id, ', '.join(view.pfs)))
    if view.vf is not None and segmentation_id is not None and \
            view.vf[1].vlan != segmentation_id:
        problems.append('%s port %s: VF %d of %s has VLAN %s, the network '
                        'segment is %s' % (vnic_type, view.port_id,
                                           view.vf[1].index, view.vf[0],
                                           view.vf[1].vlan, segmentation_id))
    return problems


#: How ``ip link`` words each VF flag, for messages.
_VF_FLAG_WORDS = {
    'spoofchk': lambda v: 'spoof checking %s' % ('on' if v else 'off'),
    'link_state': lambda v: 'link-state %s' % v,
    'trust': lambda v: 'trust %s' % ('on' if v else 'off'),
    'max_tx_rate': lambda v: 'max_tx_rate %sMbps' % v if v else
    'no max_tx_rate',
}
#: Who sets each VF flag through the PF: the SR-IOV agent, except trust,
#: which Nova's libvirt driver sets as it plugs a port whose
#: binding:profile asks for a trusted VF.
_VF_FLAG_SETTERS = {'trust': "Nova's libvirt driver"}


def vf_flag_findings(view, why, **expected):
    """What the host reports wrongly about a port's VF, or None.

    :param view: :class:`HostView` of the port (its ``ip link`` only).
    :param why: what Neutron was told, for the message, e.g.
        ``"port security off"``.
    :param expected: VirtualFunction flags Neutron asked the agent for,
        e.g. ``spoofchk=False``.
    :returns: a list of sentences, empty when every flag is as asked; a
        host that lists no VF lines is a finding, never a pass.
    """
    if not view.pfs:
        return ['port %s (%s): %s' % (view.port_id, why, NO_VF_LINES)]
    if view.vf is None:
        return ['port %s: none of the VFs this host lists (PF %s) holds the '
                'port\'s MAC' % (view.port_id, ', '.join(view.pfs))]
    pf, found = view.vf
    problems = []
    for key, want in sorted(expected.items()):
        seen = getattr(found, key)
        if key == 'max_tx_rate' and seen is None:
            seen = 0    # iproute2 prints max_tx_rate only when it is set
        if seen != want:
            problems.append(
                'port %s (%s): the host reports VF %d of %s with %s, '
                'Neutron asked for %s; %s sets it with ip link set %s vf '
                '%d, and the NIC\'s driver did not take it'
                % (view.port_id, why, found.index, pf,
                   'no %s flag' % key if seen is None
                   else _VF_FLAG_WORDS[key](seen),
                   _VF_FLAG_WORDS[key](want),
                   _VF_FLAG_SETTERS.get(key, 'the SR-IOV agent'), pf,
                   found.index))
    return problems


def api_findings(port, vnic_type, physical_network=None,
                 segmentation_id=None):
    """What is wrong with a port's binding as the Neutron API shows it.

    Needs the admin view of the port: ``binding:*`` are admin-only.
    ``physical_network`` and ``segmentation_id``, when given, are what the
    VF's binding must name: the physnet of the VF Nova claimed (in
    ``binding:profile``) and the VLAN the NIC must tag (in
    ``binding:vif_details``), the network's own segment.
    """
    problems = []
    port_id = port.get('id')
    if port.get('binding:vnic_type') != vnic_type:
        problems.append('port %s: binding:vnic_type is %r, expected %r'
                        % (port_id, port.get('binding:vnic_type'), vnic_type))
    vif_type = port.get('binding:vif_type')
    profile = port.get('binding:profile') or {}
    details = port.get('binding:vif_details') or {}
    if vnic_type == 'normal':
        if vif_type != 'ovs':
            problems.append('normal port %s: binding:vif_type is %r, '
                            'expected "ovs"' % (port_id, vif_type))
        if profile.get('pci_slot'):
            problems.append('normal port %s: binding:profile has pci_slot '
                            '%s; a normal port must not hold a VF'
                            % (port_id, profile['pci_slot']))
        return problems
    expected = SRIOV_VIF_TYPES[vnic_type]
    if vif_type != expected:
        problems.append('%s port %s: binding:vif_type is %r, expected %r '
                        '(bound by sriovnicswitch)' % (vnic_type, port_id,
                                                       vif_type, expected))
    if not profile.get('pci_slot'):
        problems.append('%s port %s: binding:profile has no pci_slot; Nova '
                        'did not claim a VF for it' % (vnic_type, port_id))
    if physical_network and \
            profile.get('physical_network') != physical_network:
        problems.append('%s port %s: binding:profile physical_network is %r, '
                        'expected %r' % (vnic_type, port_id,
                                         profile.get('physical_network'),
                                         physical_network))
    if vif_type == 'hw_veb':
        vlan = details.get('vlan')
        if vlan in (None, ''):
            problems.append('%s port %s: binding:vif_details has no vlan'
                            % (vnic_type, port_id))
        elif segmentation_id is not None and \
                str(vlan) != str(segmentation_id):
            problems.append('%s port %s: binding:vif_details vlan is %s, the '
                            'network\'s segment is %s' % (
                                vnic_type, port_id, vlan, segmentation_id))
    return problems


_INET = re.compile(r'^\s*inet (?P<address>[0-9.]+)/\d+', re.MULTILINE)
_ETHER = re.compile(r'^\s*link/ether (?P<mac>[0-9a-fA-F:]{17})', re.MULTILINE)
_LINK = re.compile(r'^\d+:\s+(?P<name>[^:@\s]+)(?:@\S+)?:\s+<[^>]*>.*?'
                   r'\bmtu (?P<mtu>\d+)', re.MULTILINE)


def guest_addresses(ip_addr_text):
    """``(IPv4 addresses, MACs)`` in a guest's ``ip addr`` output.

    Proves which guest answered: a connectivity check looks for the
    server's own fixed IP or MAC in what it printed.
    """
    return ({m.group('address') for m in _INET.finditer(ip_addr_text or '')},
            {m.group('mac').lower()
             for m in _ETHER.finditer(ip_addr_text or '')})


def interface_of(ip_addr_text, address):
    """``(name, mac, mtu)`` of the interface holding ``address``.

    :param ip_addr_text: a guest's ``ip addr`` output.
    :raises LayoutParseError: when no interface has the address.
    """
    links = list(_LINK.finditer(ip_addr_text or ''))
    for i, link in enumerate(links):
        end = links[i + 1].start() if i + 1 < len(links) else None
        block = ip_addr_text[link.start():end]
        if address in {m.group('address') for m in _INET.finditer(block)}:
            mac = _ETHER.search(block)
            return (link.group('name'),
                    mac.group('mac').lower() if mac else None,
                    int(link.group('mtu')))
    raise LayoutParseError(
        'no interface holds %s in the guest\'s "ip addr":\n%s'
        % (address, ip_addr_text))


def normalize_pci(address):
    """``0000:82:10.2`` in lower case with a 4-digit domain."""
    match = re.match(r'^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):'
                     r'([0-9a-fA-F]{1,2})\.([0-7])$', address or '')
    if not match:
        raise LayoutParseError('not a PCI address: %r' % address)
    domain, bus, slot, function = match.groups()
    return '%04x:%02x:%02x.%x' % (int(domain or '0', 16), int(bus, 16),
                                  int(slot, 16), int(function))


@dataclasses.dataclass(frozen=True)
class GuestInterface(object):
    type: str  # hostdev, direct (macvtap), bridge, ethernet, vhostuser
    mac: typing.Optional[str]
    pci_address: typing.Optional[str]  # hostdev source
    vlan: typing.Optional[int]
    target: typing.Optional[str]  # tap device of bridge/ethernet types
    source: typing.Optional[str]  # bridge name or macvtap device


def _pci_of(address):
    if address is None or address.get('type', 'pci') != 'pci':
        return None
    return normalize_pci('%s:%s:%s.%s' % tuple(
        address.get(k, '0x0')[2:] if address.get(k, '0x0').startswith('0x')
        else address.get(k, '0')
        for k in ('domain', 'bus', 'slot', 'function')))


def libvirt_interfaces(xml_text):
    """The network interfaces of a libvirt domain XML (``virsh dumpxml``).

    PFs given whole (``direct-physical``) appear as ``<hostdev>``, listed
    here with type ``hostdev-pf``.
    """
    try:
        root = ElementTree.fromstring(xml_text)
    except ElementTree.ParseError as exc:
        raise LayoutParseError('not libvirt domain XML: %s' % exc)
    result = []
    for iface in root.findall('./devices/interface'):
        source = iface.find('source')
        mac = iface.find('mac')
        tag = iface.find('vlan/tag')
        target = iface.find('target')
        src_name = None
        if source is not None:
            src_name = source.get('bridge') or source.get('dev')
        result.append(GuestInterface(
            type=iface.get('type'),
            mac=mac.get('address') if mac is not None else None,
            pci_address=(_pci_of(source.find('address'))
                         if source is not None else None),
            vlan=int(tag.get('id')) if tag is not None else None,
            target=target.get('dev') if target is not None else None,
            source=src_name))
    for hostdev in root.findall("./devices/hostdev[@type='pci']"):
        result.append(GuestInterface(
            type='hostdev-pf', mac=None,
            pci_address=_pci_of(hostdev.find('source/address')),
            vlan=None, target=None, source=None))
    return result


def libvirt_findings(interfaces, port, vnic_type, segmentation_id=None):
    """Check the guest's interface for ``port`` against its binding."""
    port_id = port['id']
    mac = (port.get('mac_address') or '').lower()
    if vnic_type == 'direct-physical':
        pci = (port.get('binding:profile') or {}).get('pci_slot')
        wanted = normalize_pci(pci) if pci else None
        if any(i.type == 'hostdev-pf' and i.pci_address == wanted
               for i in interfaces):
            return []
        return ['direct-physical port %s: no <hostdev> with PCI address %s '
                'in the domain' % (port_id, wanted)]
    mine = [i for i in interfaces if (i.mac or '').lower() == mac]
    if not mine:
        return ['port %s: no <interface> with MAC %s in the domain XML'
                % (port_id, mac)]
    iface = mine[0]
    problems = []
    if vnic_type == 'normal':
        if iface.type not in ('bridge', 'ethernet', 'vhostuser'):
            problems.append('normal port %s: interface type %r, expected a '
                            'bridge/ethernet tap' % (port_id, iface.type))
        return problems
    wanted_type = 'hostdev' if vnic_type == 'direct' else 'direct'
    if iface.type != wanted_type:
        problems.append('%s port %s: interface type is %r, expected %r'
                        % (vnic_type, port_id, iface.type, wanted_type))
    pci = (port.get('binding:profile') or {}).get('pci_slot')
    if vnic_type == 'direct' and pci and \
            iface.pci_address != normalize_pci(pci):
        problems.append('direct port %s: hostdev PCI address %s is not the '
                        'pci_slot %s of the binding' % (port_id,
                                                        iface.pci_address,
                                                        normalize_pci(pci)))
    if segmentation_id is not None and iface.vlan != segmentation_id:
        problems.append('%s port %s: libvirt VLAN tag %s, network segment %s'
                        % (vnic_type, port_id, iface.vlan, segmentation_id))
    return problems


def host_commands(prefix, integration_bridge):
    """The host commands the layout check runs, each fully quoted.

    :param prefix: ``[sriov] host_command_prefix``, e.g. ``sudo``; split
        like a shell would and quoted word by word, never pasted raw.
    """
    words = shlex.split(prefix or '')

    def cmd(*args):
        return ' '.join(shlex.quote(w) for w in words + list(args))

    return {
        'ip_link': cmd('ip', '-d', '-o', 'link'),
        'ovs_interfaces': cmd('ovs-vsctl', '--format=json',
                              '--columns=name,external_ids', 'list',
                              'Interface'),
        'bridge_ports': cmd('ovs-vsctl', 'list-ports', integration_bridge),
    }


def virsh_dumpxml_command(prefix, instance_name):
    words = shlex.split(prefix or '') + ['virsh', 'dumpxml', instance_name]
    return ' '.join(shlex.quote(w) for w in words)
