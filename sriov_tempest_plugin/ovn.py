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
"""ML2/OVN's side of a VF port's DHCP, read from the OVN Southbound DB.

On ML2/OVN there is no DHCP agent: ``ovn-controller`` answers the DHCP
of the ports of its own chassis. A VF port has no OVS interface on its
host, so no chassis sees its DHCP there: Neutron gives it an OVN
*external* port, which OVN binds to one chassis of an HA chassis group,
and that chassis answers the VF's DHCP as it arrives over the physical
network. Neutron fills the group
(``neutron.common.ovn.utils.sync_ha_chassis_group_network``) with:

- the chassis whose ``ovn-cms-options`` has
  ``enable-chassis-as-extport-host``, when any chassis has it;
- else those with ``enable-chassis-as-gw`` and a bridge mapping for the
  network's physical network.

With neither, the external port is bound to no chassis and the VF's
guest gets no lease. A network connected to a router that has a gateway
is different from Neutron 29.0.0 on (LP#2125553, seen on the lab's
Neutron 29.0.0: the networks' ``HA_Chassis_Group`` rows carry
``neutron:router_id``): its external ports share one group with the
router's gateway port, so they are bound to the router's gateway
chassis, whatever the options say; that chassis must bridge the network's
physical network. This module reads what ``ovn-sbctl`` prints (its
default table format, as operators paste it) and words that.

Pure: no Tempest clients.
"""

import dataclasses
import json
import re
import shlex
import typing

EXTPORT_HOST = 'enable-chassis-as-extport-host'
GATEWAY = 'enable-chassis-as-gw'


class OvnParseError(ValueError):
    """ovn-sbctl output is not in the expected shape."""


_ROW = re.compile(
    r'^(?P<column>[A-Za-z_][A-Za-z0-9_-]*)\s*:\s?(?P<value>.*)$')
#: A bare (unquoted) OVSDB atom ends at these characters: ovsdb quotes
#: every string that holds a space or a delimiter.
_BARE_END = ',]}= '


def _atom(text, pos):
    """``(value, next position)`` of the atom at ``pos``."""
    if text.startswith('"', pos):
        # OVSDB quotes strings as JSON does.
        end = pos + 1
        while end < len(text):
            if text[end] == '\\':
                end += 2
                continue
            if text[end] == '"':
                return json.loads(text[pos:end + 1]), end + 1
            end += 1
        raise OvnParseError('unterminated string in %r' % text)
    end = pos
    while end < len(text) and text[end] not in _BARE_END:
        end += 1
    return text[pos:end].strip(), end


def _skip(text, pos):
    while pos < len(text) and text[pos] in ' ,':
        pos += 1
    return pos


def parse_value(text):
    """One column's value: a string, a list (an OVSDB set) or a dict (an
    OVSDB map) of strings. Numbers and UUIDs stay strings.
    """
    text = text.strip()
    if text.startswith('['):
        if not text.endswith(']'):
            raise OvnParseError('unterminated set %r' % text)
        items, pos, inner = [], 0, text[1:-1]
        while True:
            pos = _skip(inner, pos)
            if pos >= len(inner):
                return items
            value, pos = _atom(inner, pos)
            items.append(value)
    if text.startswith('{'):
        if not text.endswith('}'):
            raise OvnParseError('unterminated map %r' % text)
        items, pos, inner = {}, 0, text[1:-1]
        while True:
            pos = _skip(inner, pos)
            if pos >= len(inner):
                return items
            key, pos = _atom(inner, pos)
            if not inner.startswith('=', pos):
                raise OvnParseError('map entry %r has no "=" in %r'
                                    % (key, text))
            value, pos = _atom(inner, pos + 1)
            items[key] = value
    value, pos = _atom(text, 0)
    if pos != len(text):
        raise OvnParseError('trailing text after %r in %r' % (value, text))
    return value


def parse_table(text):
    """The records of ``ovn-sbctl list|find <table>``: a list of dicts,
    column -> :func:`parse_value`; records are separated by blank lines.
    """
    records, current = [], None
    for line in (text or '').splitlines():
        if not line.strip():
            current = None
            continue
        match = _ROW.match(line)
        if not match:
            raise OvnParseError('not a "column : value" line: %r' % line)
        if current is None:
            current = {}
            records.append(current)
        current[match.group('column')] = parse_value(match.group('value'))
    return records


@dataclasses.dataclass(frozen=True)
class Chassis(object):
    uuid: str
    name: str
    hostname: str
    cms_options: typing.FrozenSet[str]
    bridge_mappings: typing.Dict[str, str]

    def label(self):
        return self.hostname or self.name


def _config(record, key):
    """A chassis setting: ``other_config`` (OVN 20.06 and later), else
    ``external_ids`` (where older OVN kept what ovn-controller copied from
    the Open_vSwitch table).
    """
    for column in ('other_config', 'external_ids'):
        found = (record.get(column) or {})
        if isinstance(found, dict) and key in found:
            return found[key]
    return ''


def chassis_list(text):
    """:class:`Chassis` of ``ovn-sbctl list Chassis``."""
    found = []
    for record in parse_table(text):
        if 'name' not in record:
            raise OvnParseError('a Chassis record without a name: %r'
                                % record)
        mappings = {}
        for pair in _config(record, 'ovn-bridge-mappings').split(','):
            physnet, _, bridge = pair.strip().partition(':')
            if physnet:
                mappings[physnet] = bridge
        found.append(Chassis(
            uuid=record.get('_uuid', ''), name=record['name'],
            hostname=record.get('hostname', ''),
            cms_options=frozenset(
                o.strip() for o in
                _config(record, 'ovn-cms-options').split(',') if o.strip()),
            bridge_mappings=mappings))
    return found


def bound_chassis(text, port_id):
    """The chassis (its UUID) the Port_Binding of logical port ``port_id``
    is bound to, or None when unbound; from ``ovn-sbctl find Port_Binding
    logical_port=<port_id>`` (or a ``list Port_Binding`` holding it).

    :raises OvnParseError: no record of the port: OVN does not know it.
    """
    mine = [r for r in parse_table(text) if r.get('logical_port') == port_id]
    if len(mine) != 1:
        raise OvnParseError('%d Port_Binding records for logical port %s'
                            % (len(mine), port_id))
    chassis = mine[0].get('chassis')
    if isinstance(chassis, list):   # an unbound port: []
        return chassis[0] if chassis else None
    return chassis or None


def extport_candidates(chassis, physnet):
    """``(option, [Chassis])``: the chassis Neutron puts in a VF port's
    HA chassis group, and by which option (see the module's docstring).
    """
    marked = [c for c in chassis if EXTPORT_HOST in c.cms_options]
    if marked:
        return EXTPORT_HOST, marked
    return GATEWAY, [c for c in chassis if GATEWAY in c.cms_options and
                     (physnet is None or physnet in c.bridge_mappings)]


def extport_findings(chassis, bound, port_id, physnet):
    """What OVN shows of a VF port's external port, for a no-lease failure.

    :param chassis: :func:`chassis_list`.
    :param bound: :func:`bound_chassis` of the port.
    :returns: one sentence.
    """
    option, candidates = extport_candidates(chassis, physnet)
    names = ', '.join(sorted(c.label() for c in candidates))
    gateways = sorted(c.label() for c in chassis
                      if GATEWAY in c.cms_options)
    if option == EXTPORT_HOST:
        basis = 'chassis marked %s: %s' % (EXTPORT_HOST, names)
    elif candidates:
        basis = ('no chassis is marked %s; chassis marked %s with a bridge '
                 'mapping for %s: %s' % (EXTPORT_HOST, GATEWAY, physnet,
                                         names))
    else:
        basis = ('no chassis is marked %s, and none marked %s maps %s%s'
                 % (EXTPORT_HOST, GATEWAY, physnet,
                    ' (marked %s: %s)' % (GATEWAY, ', '.join(gateways))
                    if gateways else ''))
    by_uuid = {c.uuid: c for c in chassis}
    if bound is None:
        where = 'bound to no chassis'
    elif bound in by_uuid:
        where = 'bound to chassis %s' % by_uuid[bound].label()
    else:
        where = 'bound to chassis %s, which ovn-sbctl does not list' % bound
    return ('OVN answers a VF port\'s DHCP from its external port; the '
            'Southbound DB has %d chassis, %s (on a network whose router '
            'has a gateway, Neutron 29.0.0 and later put the external port '
            'on the router\'s gateway chassis instead); the external port of '
            'port %s is %s' % (len(chassis), basis, port_id, where))


def commands(sbctl, port_id):
    """``(chassis, port_binding)``: the two ovn-sbctl commands, quoted.

    :param sbctl: ``[sriov] ovn_sbctl_command``, split like a shell would
        and quoted word by word, never pasted raw.
    """
    words = shlex.split(sbctl)

    def cmd(*args):
        return ' '.join(shlex.quote(w) for w in words + list(args))

    return (cmd('--columns=_uuid,name,hostname,other_config,external_ids',
                'list', 'Chassis'),
            cmd('--columns=logical_port,type,chassis', 'find',
                'Port_Binding', 'logical_port=%s' % port_id))
