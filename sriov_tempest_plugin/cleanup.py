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
"""What an earlier run of the suite left behind, and in which order it goes.

A run that ends normally, even failed, frees everything through its class
cleanups. A run that is killed (a CI timeout's SIGKILL) leaves servers
holding VFs, their ports, networks, routers, floating IPs, a security group,
a key pair and Tempest's dynamic-credential projects and users. A card has
a handful of VFs, so two such kills make the next run's boot NoValidHost.

What is ours is decided by names the suite gives, never by guessing:

- resources: ``<prefix>-sriov-<Family>-<what>-<n>`` (the scenario base's
  ``_name``);
- Tempest's dynamic credentials for a family: project
  ``<prefix>-<Family>-<n>``, users ``<project>-project[-admin|-<role>]``;
- anything owned by such a project, and a floating IP bound to one of our
  ports.

``<Family>`` is one of the plugin's test classes; another plugin's
``tempest-*`` resources never match. Pure: listings in (dicts as the APIs
return them), plan out.
"""

import collections
import datetime
import ipaddress
import re

#: The order of deletion: each kind only once the kinds before it are gone
#: (a port bound to a server, a subnet with a router interface, a network
#: with ports and a project with resources cannot go first).
ORDER = ('server', 'floatingip', 'router_interface', 'router_gateway',
         'router', 'port', 'qos_policy', 'subnet', 'network',
         'security_group', 'keypair', 'project', 'user')

Item = collections.namedtuple('Item', 'kind id label extra')


class Ownership(object):
    """The naming rules of one suite: resource prefix and family names."""

    def __init__(self, prefix, families):
        if not families:
            raise ValueError('no test families to clean up after')
        fam = '|'.join(re.escape(f) for f in sorted(families))
        pre = re.escape(prefix) + '-' if prefix else ''
        self.prefix = prefix
        self.families = tuple(sorted(families))
        self._resource = re.compile(r'^%ssriov-(%s)-.+-\d+$' % (pre, fam))
        self._project = re.compile(r'^%s(%s)-\d+$' % (pre, fam))
        self._user = re.compile(r'^%s(%s)-\d+-project(-[\w.-]+)?$'
                                % (pre, fam))

    @property
    def resource_glob(self):
        """How the suite's resource names look, for messages."""
        return '%ssriov-*' % ('%s-' % self.prefix if self.prefix else '')

    def resource(self, name):
        return bool(name) and bool(self._resource.match(name))

    def project(self, name):
        return bool(name) and bool(self._project.match(name))

    def user(self, name):
        return bool(name) and bool(self._user.match(name))


def _owner(res):
    return res.get('project_id') or res.get('tenant_id')


def plan(own, listing):
    """The suite's leftovers in ``listing``, in deletion order.

    :param listing: dict of lists as the APIs return them: ``servers``
        (detailed, all projects), ``floatingips``, ``routers``, ``ports``,
        ``qos_policies``, ``subnets``, ``networks``, ``security_groups``,
        ``keypairs``
        (``[{'keypair': {...}, 'user_id': ...}]`` as listed per user),
        ``projects``, ``users``. Missing keys are empty.
    :returns: a list of :class:`Item`.
    """
    get = lambda key: listing.get(key) or []  # noqa: E731
    projects = [p for p in get('projects') if own.project(p.get('name'))]
    project_ids = {p['id'] for p in projects}
    users = [u for u in get('users') if own.user(u.get('name'))]

    def ours(res):
        return own.resource(res.get('name')) or _owner(res) in project_ids

    items = []
    servers = [s for s in get('servers') if ours(s)]
    items += [Item('server', s['id'], s.get('name'), {}) for s in servers]
    ports = [p for p in get('ports') if ours(p)]
    port_ids = {p['id'] for p in ports}
    items += [Item('floatingip', f['id'], f.get('floating_ip_address'), {})
              for f in get('floatingips')
              if ours(f) or own.resource(f.get('description')) or
              f.get('port_id') in port_ids]
    routers = [r for r in get('routers') if ours(r)]
    router_ids = {r['id'] for r in routers}
    for port in get('ports'):
        if port.get('device_id') in router_ids and \
                port.get('device_owner') == 'network:router_interface':
            for fixed in port.get('fixed_ips') or []:
                items.append(Item('router_interface', port['device_id'],
                                  fixed.get('ip_address'),
                                  {'subnet_id': fixed['subnet_id']}))
    items += [Item('router_gateway', r['id'], r.get('name'), {})
              for r in routers if r.get('external_gateway_info')]
    items += [Item('router', r['id'], r.get('name'), {}) for r in routers]
    # A server's own port goes with it only when Nova made it; the suite
    # makes its ports first, so they stay behind a deleted server.
    items += [Item('port', p['id'], p.get('name'), {}) for p in ports
              if not (p.get('device_owner') or '').startswith('network:')]
    # The QoS check's policy: after the ports that use it.
    items += [Item('qos_policy', q['id'], q.get('name'), {})
              for q in get('qos_policies') if ours(q)]
    items += [Item('subnet', s['id'], s.get('name'), {'cidr': s.get('cidr')})
              for s in get('subnets') if ours(s)]
    items += [Item('network', n['id'], n.get('name'), {})
              for n in get('networks') if ours(n)]
    items += [Item('security_group', g['id'], g.get('name'), {})
              for g in get('security_groups') if ours(g)]
    user_ids = {u['id'] for u in users}
    for entry in get('keypairs'):
        pair = entry.get('keypair', entry)
        if own.resource(pair.get('name')) or \
                entry.get('user_id') in user_ids:
            items.append(Item('keypair', pair['name'], pair['name'],
                              {'user_id': entry.get('user_id')}))
    items += [Item('project', p['id'], p.get('name'), {}) for p in projects]
    items += [Item('user', u['id'], u.get('name'), {}) for u in users]
    rank = {kind: i for i, kind in enumerate(ORDER)}
    return sorted(items, key=lambda item: rank[item.kind])


def describe(items):
    """One line per item, in order: what ``--dry-run`` prints."""
    return ['%-16s %s  %s' % (i.kind, i.id, i.label or '') for i in items]


def summary(items):
    """'3 servers, 4 ports, ...' in deletion order."""
    counts = collections.Counter(i.kind for i in items)
    return ', '.join('%d %s%s' % (counts[k], k, '' if counts[k] == 1 else 's')
                     for k in ORDER if counts[k]) or 'nothing'


def parse_time(text):
    """Nova's ``created`` (``2026-11-25T19:02:11Z``) as an aware datetime."""
    text = text.replace('Z', '+00:00')
    when = datetime.datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


def _before(stamp, started):
    """Made before ``started``; a resource without a time counts as old."""
    return not stamp or parse_time(stamp) < started


def leftovers(own, servers, ports, subnets, started, pool=None):
    """What an earlier run left that this run needs, as warning sentences.

    :param servers: detailed servers of all projects.
    :param ports: ports of all projects (to tell VF holders).
    :param subnets: subnets of all projects.
    :param started: aware datetime this run started; the suite's servers
        made before it are an earlier run's (or another run's, still going).
    :param pool: ``[network] project_network_cidr`` the run takes its
        subnets from, or None.
    """
    vnic = {p.get('device_id'): p.get('binding:vnic_type')
            for p in ports if p.get('device_id')}
    by_host = collections.defaultdict(list)
    for server in servers:
        if not own.resource(server.get('name')):
            continue
        if not _before(server.get('created'), started):
            continue
        if vnic.get(server['id'], 'normal') != 'normal':
            by_host[server.get('OS-EXT-SRV-ATTR:host') or '?'].append(server)
    notes = []
    for host, held in sorted(by_host.items()):
        notes.append(
            '%d server%s named %s from an earlier run hold%s VFs on %s (%s)'
            % (
                len(held), '' if len(held) == 1 else 's', own.resource_glob,
                's' if len(held) == 1 else '', host,
                ', '.join(sorted(s['id'] for s in held))))
    if pool:
        net = ipaddress.ip_network(pool)
        taken = sorted(s['cidr'] for s in subnets
                       if own.resource(s.get('name')) and
                       _before(s.get('created_at'), started) and
                       ipaddress.ip_network(s['cidr']).overlaps(net))
        if taken:
            notes.append(
                '%d subnet%s named %s from an earlier run take%s %s of '
                '[network] project_network_cidr %s'
                % (len(taken), '' if len(taken) == 1 else 's',
                   own.resource_glob, 's' if len(taken) == 1 else '',
                   ', '.join(taken), pool))
    return notes


def leftovers_hint(notes):
    """The leftovers in one sentence with what to do, or '' if none."""
    if not notes:
        return ''
    return '%s: run sriov-tempest-cleanup to delete them (README "After an ' \
        'interrupted run")' % '; '.join(notes)
