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
"""sriov-tempest-cleanup: remove what a killed SR-IOV run left behind.

    sriov-tempest-cleanup [--config-file etc/tempest.conf] [--dry-run]
        [--timeout SECONDS]

Run it from the Tempest workspace (or name its tempest.conf). It reads the
admin credentials from tempest.conf ([auth] admin_*), lists the cloud, and
deletes only what the suite made (see ``sriov_tempest_plugin.cleanup``):
servers first, with one bounded wait until they are gone (their VFs are
free again), then floating IPs, router interfaces and gateways, routers,
ports, subnets, networks, security groups, key pairs, and the dynamic-
credential projects and users. ``--dry-run`` lists what would go. Running
it again finds nothing: it is idempotent.

Do not run it while an SR-IOV run is going on the same cloud: that run's
resources look the same.

Exit status: 0 when nothing of the suite is left, 1 when something could
not be deleted (each named, with the reason), 2 on unusable options or
configuration.
"""

import argparse
import json
import os
import sys
import time
import urllib.parse

from tempest.lib import exceptions as lib_exc

from sriov_tempest_plugin import cleanup
from sriov_tempest_plugin import waiters

COMPUTE_USER_ID_MICROVERSION = '2.10'


def parser():
    p = argparse.ArgumentParser(
        prog='sriov-tempest-cleanup',
        description='Delete what an interrupted sriov-tempest-plugin run '
                    'left in the cloud (servers holding VFs first), and '
                    'nothing else.')
    p.add_argument('--config-file', metavar='TEMPEST.CONF',
                   help='tempest.conf with [auth] admin_* (default: as '
                        'tempest finds it: etc/tempest.conf of the current '
                        'workspace, $TEMPEST_CONFIG_DIR, /etc/tempest)')
    p.add_argument('--dry-run', action='store_true',
                   help='list what would be deleted, delete nothing')
    p.add_argument('--timeout', type=int, default=None, metavar='SECONDS',
                   help='bound of the wait for deleted servers (default '
                        '[compute] build_timeout)')
    return p


class Cloud(object):
    """Listing and deleting through Tempest's admin clients."""

    def __init__(self, own):
        from tempest import clients
        from tempest.common import credentials_factory

        self.own = own
        creds = credentials_factory.get_configured_admin_credentials()
        self.os = clients.Manager(creds)

    def listing(self):
        from tempest.lib import exceptions as lib_exc

        os_ = self.os
        projects = os_.projects_client.list_projects()['projects']
        users = os_.users_v3_client.list_users()['users']
        listing = {
            'servers': os_.servers_client.list_servers(
                detail=True, all_tenants=True)['servers'],
            'floatingips': os_.floating_ips_client.list_floatingips()[
                'floatingips'],
            'routers': os_.routers_client.list_routers()['routers'],
            'ports': os_.ports_client.list_ports()['ports'],
            'subnets': os_.subnets_client.list_subnets()['subnets'],
            'networks': os_.networks_client.list_networks()['networks'],
            'security_groups': os_.security_groups_client.
            list_security_groups()['security_groups'],
            'projects': projects, 'users': users, 'keypairs': []}
        try:
            listing['qos_policies'] = os_.qos_client.list_qos_policies()[
                'policies']
        except lib_exc.NotFound:
            listing['qos_policies'] = []    # no qos extension
        own = self.own
        # Our own user's key pairs, and those of the suite's dynamic users
        # (another user's key pairs need compute API 2.10 and ?user_id=).
        user_ids = [None] + [u['id'] for u in users if own.user(u['name'])]
        for user_id in user_ids:
            try:
                pairs = self._keypairs('GET', '', user_id)['keypairs']
            except lib_exc.NotFound:
                pairs = []
            listing['keypairs'] += [{'keypair': p['keypair'],
                                     'user_id': user_id} for p in pairs]
        return listing

    def _keypairs(self, method, name, user_id):
        client = self.os.keypairs_client
        url = 'os-keypairs' + ('/%s' % urllib.parse.quote(name)
                               if name else '')
        headers = {}
        if user_id:
            url += '?' + urllib.parse.urlencode({'user_id': user_id})
            headers[client.api_microversion_header_name] = \
                COMPUTE_USER_ID_MICROVERSION
        resp, body = client.request(method, url, extra_headers=True,
                                    headers=headers)
        return json.loads(body) if body else {}

    def delete(self, item):
        """Delete one item; NotFound counts as done."""
        from tempest.lib.common.utils import test_utils

        os_ = self.os
        kind = item.kind
        if kind == 'server':
            call = (os_.servers_client.delete_server, item.id)
        elif kind == 'floatingip':
            call = (os_.floating_ips_client.delete_floatingip, item.id)
        elif kind == 'router_interface':
            call = (lambda rid: os_.routers_client.remove_router_interface(
                rid, subnet_id=item.extra['subnet_id']), item.id)
        elif kind == 'router_gateway':
            call = (lambda rid: os_.routers_client.update_router(
                rid, external_gateway_info={}), item.id)
        elif kind == 'router':
            call = (os_.routers_client.delete_router, item.id)
        elif kind == 'port':
            call = (os_.ports_client.delete_port, item.id)
        elif kind == 'qos_policy':
            call = (os_.qos_client.delete_qos_policy, item.id)
        elif kind == 'subnet':
            call = (os_.subnets_client.delete_subnet, item.id)
        elif kind == 'network':
            call = (os_.networks_client.delete_network, item.id)
        elif kind == 'security_group':
            call = (os_.security_groups_client.delete_security_group,
                    item.id)
        elif kind == 'keypair':
            call = (lambda name: self._keypairs(
                'DELETE', name, item.extra.get('user_id')), item.id)
        elif kind == 'project':
            call = (os_.projects_client.delete_project, item.id)
        elif kind == 'user':
            call = (os_.users_v3_client.delete_user, item.id)
        else:
            raise ValueError(kind)
        test_utils.call_and_ignore_notfound_exc(*call)

    def server_gone(self, server_id):
        from tempest.lib import exceptions as lib_exc
        try:
            server = self.os.servers_client.show_server(server_id)['server']
        except lib_exc.NotFound:
            return True
        return server['status'] == 'DELETED'


def run(cloud, own, dry_run, timeout, out=sys.stdout,
        clock=time.monotonic, sleep=time.sleep):
    """List, then delete in order; returns the exit status."""
    items = cleanup.plan(own, cloud.listing())
    if not items:
        out.write('nothing of the SR-IOV suite (%s) is left\n'
                  % own.resource_glob)
        return 0
    out.write('%s of the SR-IOV suite (%s):\n'
              % (cleanup.summary(items), own.resource_glob))
    for line in cleanup.describe(items):
        out.write('  %s\n' % line)
    if dry_run:
        out.write('dry run: nothing deleted\n')
        return 0
    failed = []

    def attempt(item):
        try:
            cloud.delete(item)
            return True
        except Exception as exc:  # each failure is named, the rest goes on
            failed.append('%s %s (%s): %s'
                          % (item.kind, item.id, item.label, exc))
            return False

    servers = [i for i in items if i.kind == 'server']
    for item in servers:
        attempt(item)
    pending = []
    try:
        waiters.wait_for_all([i.id for i in servers], cloud.server_gone,
                             lambda gone: gone, lambda sid, gone: None,
                             timeout, 2, what='deleted servers', clock=clock,
                             sleep=sleep)
    except lib_exc.TimeoutException:
        pending = [i.id for i in servers if not cloud.server_gone(i.id)]
    if pending:
        failed.append('%d server(s) still there %d s after delete: %s '
                      '(their ports, networks and VFs stay; look at '
                      '"openstack server show" for a fault, then run '
                      'again)' % (len(pending), timeout, ', '.join(pending)))
        # Ports, networks and projects of live servers cannot go yet.
        items = [i for i in items if i.kind == 'keypair']
    for item in items:
        if item.kind != 'server':
            attempt(item)
    if failed:
        out.write('could not delete %d:\n' % len(failed))
        for line in failed:
            out.write('  %s\n' % line)
        return 1
    out.write('deleted %s\n' % cleanup.summary(
        [i for i in items if i.kind != 'server'] + servers))
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    if args.config_file:
        if not os.path.isfile(args.config_file):
            sys.stderr.write('sriov-tempest-cleanup: %s: no such file '
                             '(--config-file names a tempest.conf)\n'
                             % args.config_file)
            return 2
        path = os.path.abspath(args.config_file)
        os.environ['TEMPEST_CONFIG_DIR'] = os.path.dirname(path)
        os.environ['TEMPEST_CONFIG'] = os.path.basename(path)
    from tempest import config

    conf = config.CONF
    try:
        conf.auth.admin_username
    except Exception as exc:
        sys.stderr.write('sriov-tempest-cleanup: cannot read tempest.conf: '
                         '%s\n' % exc)
        return 2
    if not (conf.auth.admin_username and conf.auth.admin_password):
        sys.stderr.write(
            'sriov-tempest-cleanup: [auth] admin_username and '
            'admin_password must be set in tempest.conf (run from the '
            'Tempest workspace, or give --config-file)\n')
        return 2
    timeout = args.timeout or conf.compute.build_timeout
    from sriov_tempest_plugin.tests.scenario import base

    own = cleanup.Ownership(conf.resource_name_prefix, base.families())
    try:
        cloud = Cloud(own)
        return run(cloud, own, args.dry_run, timeout)
    except Exception as exc:
        sys.stderr.write('sriov-tempest-cleanup: cannot list the cloud as '
                         '[auth] admin_username %s: %s: %s\n'
                         % (conf.auth.admin_username,
                            type(exc).__name__, exc))
        return 2


if __name__ == '__main__':
    sys.exit(main())
