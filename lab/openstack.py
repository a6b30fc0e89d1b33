"""The OpenStack services: their configuration files, the admin
provisioning steps, and Keystone, Placement, Glance, Nova, Neutron's
server and agents (OVS, L3, DHCP) and its SR-IOV agent, each started by hand.

Every service is the real one from PyPI, with its own config under
``<state>/etc``; it runs on the lab's infrastructure (``lab.infra``).
"""

import json
import os
import shutil

from lab import card
from lab import fabric
from lab import infra
from lab import inifile
from lab import layout
from lab import proc
from lab import service_conf


# -- configuration files ------------------------------------------------------

def _conf(state, *parts):
    return state.path('etc', *parts)


def write_configs(state):
    """Every service's configuration file (built by ``service_conf``)."""
    os.makedirs(service_conf.lock_path(state), exist_ok=True)
    for node in layout.COMPUTES:
        os.makedirs(service_conf.instances_path(state, node), exist_ok=True)
    configs = service_conf.all_configs(state, infra.secrets_of(state))
    for (project, name), sections in sorted(configs.items()):
        inifile.write(_conf(state, project, name), sections)
    shutil.copy(service_conf.paste(state, 'nova', 'api-paste.ini'),
                _conf(state, 'nova', 'api-paste.ini'))


def provision(state, *args, timeout=600):
    """Run a step of lab.provision (OpenStack SDK calls, in the services'
    venv) as admin; return what it printed last, as JSON.
    """
    s = infra.secrets_of(state)
    out = proc.run([state.bin('python'), '-m', 'lab.provision'] + list(args),
                   env=infra.service_env(state, {
                       'OS_PASSWORD': s['admin'],
                       'LAB_SERVICE_PASSWORD': s['service'],
                       'PYTHONPATH': layout.repo_root(),
                       'SRIOV_LAB_DIR': state.root}),
                   timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


def manage(state, cmd, env=None, timeout=600):
    return proc.run(cmd, env=infra.service_env(state, env), timeout=timeout)


def start_keystone(state, fresh):
    conf = _conf(state, 'keystone', 'keystone.conf')
    km = [state.bin('keystone-manage'), '--config-file', conf]
    if fresh:
        manage(state, km + ['db_sync'])
        for what in ('fernet_setup', 'credential_setup'):
            manage(state, km + [what, '--keystone-user', 'root',
                                '--keystone-group', 'root'])
        manage(state, km + [
            'bootstrap', '--bootstrap-username', 'admin',
            '--bootstrap-project-name', 'admin',
            '--bootstrap-role-name', 'admin',
            '--bootstrap-service-name', 'keystone',
            '--bootstrap-region-id', layout.REGION,
            '--bootstrap-admin-url', service_conf.keystone_url(),
            '--bootstrap-internal-url', service_conf.keystone_url(),
            '--bootstrap-public-url', service_conf.keystone_url()],
            env={'OS_BOOTSTRAP_PASSWORD': infra.secrets_of(state)['admin']})
    infra.start_wsgi(state, 'keystone', 'keystone.wsgi.api',
                     layout.PORTS['keystone'],
                     {'OS_KEYSTONE_CONFIG_DIR': _conf(state, 'keystone'),
                      'OS_KEYSTONE_CONFIG_FILES': 'keystone.conf'})
    infra.wait_http(state, 'keystone', service_conf.keystone_url())


def start_placement(state, fresh):
    conf = _conf(state, 'placement', 'placement.conf')
    if fresh:
        manage(state, [state.bin('placement-manage'), '--config-file', conf,
                       'db', 'sync'])
    infra.start_wsgi(state, 'placement', 'placement.wsgi.api',
                     layout.PORTS['placement'],
                     {'OS_PLACEMENT_CONFIG_DIR': _conf(state, 'placement')})


def start_glance(state, fresh):
    conf = _conf(state, 'glance', 'glance-api.conf')
    for sub in ('images', 'staging', 'tasks'):
        os.makedirs(state.path('data', 'glance', sub), exist_ok=True)
    if fresh:
        manage(state, [state.bin('glance-manage'), '--config-file', conf,
                       'db_sync'])
    infra.start_wsgi(state, 'glance', 'glance.wsgi.api',
                     layout.PORTS['glance'],
                     {'OS_GLANCE_CONFIG_DIR': _conf(state, 'glance')})


def start_nova_controller(state, fresh):
    conf = _conf(state, 'nova', 'nova.conf')
    nm = [state.bin('nova-manage'), '--config-file', conf]
    os.makedirs(state.path('data', 'nova', 'controller'), exist_ok=True)
    if fresh:
        manage(state, nm + ['api_db', 'sync'])
        manage(state, nm + ['cell_v2', 'map_cell0'])
        manage(state, nm + ['cell_v2', 'create_cell', '--name', 'cell1'])
        manage(state, nm + ['db', 'sync'])
    infra.start_wsgi(state, 'nova-api', 'nova.wsgi.osapi_compute',
                     layout.PORTS['nova'],
                     {'OS_NOVA_CONFIG_DIR': _conf(state, 'nova'),
                      # Nova reads its paste pipeline from the first file.
                      'OS_NOVA_CONFIG_FILES': 'api-paste.ini;nova.conf'})
    for svc in ('nova-conductor', 'nova-scheduler'):
        proc.spawn(state, svc, [state.bin(svc), '--config-file', conf],
                   env=infra.service_env(state))


def neutron_server_args(state):
    return ['--config-file', _conf(state, 'neutron', 'neutron.conf'),
            '--config-file', _conf(state, 'neutron', 'ml2_conf.ini')]


def start_neutron_server(state, fresh):
    if fresh:
        manage(state, [state.bin('neutron-db-manage')] +
               neutron_server_args(state) + ['upgrade', 'heads'])
    infra.start_wsgi(state, 'neutron-api', 'neutron.wsgi.api',
                     layout.PORTS['neutron'],
                     {'OS_NEUTRON_CONFIG_DIR': _conf(state, 'neutron'),
                      'OS_NEUTRON_CONFIG_FILES': 'neutron.conf;ml2_conf.ini',
                      # How many API workers there are, where a WSGI server
                      # is neither uWSGI nor mod_wsgi: ML2/OVN's hash ring
                      # spreads the OVN events over them.
                      'ASGI_WORKERS': str(infra.WSGI_WORKERS)})
    services = ['neutron-rpc-server', 'neutron-periodic-workers']
    if layout.ML2 == 'ovn':
        # Keeps the OVN databases in step with Neutron's (devstack runs it
        # beside the WSGI API).
        services.append('neutron-ovn-maintenance-worker')
    for svc in services:
        proc.spawn(state, svc, [state.bin(svc)] + neutron_server_args(state),
                   env=infra.service_env(state))


#: OVN's database schemas (Debian's ovn-common).
OVN_SCHEMAS = '/usr/share/ovn'


def start_ovn_central(state):
    """The OVN Northbound and Southbound databases and ovn-northd, on the
    controller, as ovn-central runs them; the databases listen on the
    management network for Neutron and the chassis.
    """
    d = state.path('data', 'ovn')
    os.makedirs(d, exist_ok=True)
    env = {'OVN_RUNDIR': d, 'OVS_RUNDIR': d}
    for db, port in (('nb', 6641), ('sb', 6642)):
        path = os.path.join(d, 'ovn%s_db.db' % db)
        if not os.path.exists(path):
            proc.run(['ovsdb-tool', 'create', path, os.path.join(
                OVN_SCHEMAS, 'ovn-%s.ovsschema' % db)])
        proc.spawn(state, 'ovn-%s-ovsdb' % db, [
            'ovsdb-server', path,
            '--remote=punix:%s/ovn%s_db.sock' % (d, db),
            '--remote=ptcp:%d:%s' % (port, layout.CONTROLLER_IP),
            '--unixctl=%s/ovn%s_db.ctl' % (d, db),
            '--pidfile=%s/ovn%s_db.pid' % (d, db),
            '--log-file=%s/ovsdb-server-%s.log' % (d, db)], env=env)
        proc.wait_for('ovn %s database' % db, lambda db=db: os.path.exists(
            os.path.join(d, 'ovn%s_db.sock' % db)), 20)
    proc.run(['ovn-nbctl', '--db=unix:%s/ovnnb_db.sock' % d, 'init'])
    proc.run(['ovn-sbctl', '--db=unix:%s/ovnsb_db.sock' % d, 'init'])
    proc.spawn(state, 'ovn-northd', [
        'ovn-northd', '--ovnnb-db=unix:%s/ovnnb_db.sock' % d,
        '--ovnsb-db=unix:%s/ovnsb_db.sock' % d,
        '--unixctl=%s/ovn-northd.ctl' % d,
        '--pidfile=%s/ovn-northd.pid' % d,
        '--log-file=%s/ovn-northd.log' % d], env=env)


def set_ovn_chassis(state, node, keys=None):
    """Write the node's chassis settings (``service_conf.ovn_chassis``)
    into its Open_vSwitch ``external_ids``; only ``keys`` of them, if
    given. Returns the node's Open vSwitch.
    """
    ovs = fabric.node_ovs(state, node)
    ovs.vsctl('set', 'Open_vSwitch', '.', *[
        'external_ids:%s="%s"' % kv
        for kv in sorted(service_conf.ovn_chassis(node).items())
        if keys is None or kv[0] in keys])
    return ovs


def start_ovn_controller(state, node):
    """The node's ovn-controller on its Open vSwitch: a chassis."""
    ovs = set_ovn_chassis(state, node)
    d = os.path.join(ovs.dir, 'ovn')
    os.makedirs(d, exist_ok=True)
    proc.spawn(state, 'ovn-controller-%s' % node.name, [
        # Its control socket: $OVN_RUNDIR/ovn-controller.<pid>.ctl.
        'ovn-controller', 'unix:%s/db.sock' % ovs.dir,
        '--pidfile=%s/ovn-controller.pid' % d,
        '--log-file=%s/ovn-controller.log' % d],
        netns=node.netns, env=dict(ovs.env, OVN_RUNDIR=d))


def start_node_agents(state, node):
    """The Neutron agents and (on compute nodes) nova-compute of a node."""
    env = infra.service_env(state, fabric.node_ovs(state, node).env)
    neutron_conf = _conf(state, 'neutron', 'neutron.conf')
    if node.role != 'network':
        # The card's PF driver: the PF's FDB into the switch's table.
        proc.spawn(state, 'nic-fdb-%s' % node.name, [
            state.bin('python'), '-m', 'lab.nic.fdb',
            card.card_dir(state, node)],
            netns=node.netns, env=dict(env, PYTHONPATH=layout.repo_root()))
    if layout.ML2 == 'ovn':
        start_ovn_controller(state, node)
    else:
        proc.spawn(state, 'neutron-ovs-agent-%s' % node.name, [
            state.bin('neutron-openvswitch-agent'), '--config-file',
            neutron_conf, '--config-file',
            _conf(state, 'neutron', 'ovs-%s.ini' % node.name)],
            netns=node.netns, env=env)
    if node.role == 'network' and layout.ML2 == 'ovs':
        # (ML2/OVN routes and serves DHCP in ovn-controller.)
        proc.spawn(state, 'neutron-l3-agent', [
            state.bin('neutron-l3-agent'), '--config-file', neutron_conf,
            '--config-file', _conf(state, 'neutron', 'l3-network.ini')],
            netns=node.netns, env=env)
        proc.spawn(state, 'neutron-dhcp-agent', [
            state.bin('neutron-dhcp-agent'), '--config-file', neutron_conf,
            '--config-file', _conf(state, 'neutron', 'dhcp-network.ini')],
            netns=node.netns, env=env)
    elif node.role != 'network':
        start_sriov_agent(state, node)
        proc.spawn(state, 'nova-compute-%s' % node.name, [
            state.bin('nova-compute'), '--config-file',
            _conf(state, 'nova', 'nova-%s.conf' % node.name)],
            netns=node.netns, env=env)


def sriov_agent_service(node):
    return 'neutron-sriov-agent-%s' % node.name


def start_sriov_agent(state, node, mapped=True):
    """Neutron's SR-IOV agent, with the node's card as its hardware; its
    configuration written again first (``service_conf.sriov_agent``).
    """
    inifile.write(_conf(state, 'neutron', 'sriov-%s.ini' % node.name),
                  service_conf.sriov_agent(node, mapped))
    env = infra.service_env(state, fabric.node_ovs(state, node).env)
    proc.spawn(state, sriov_agent_service(node), [
        state.bin('python'), '-m', 'lab.sriov_agent', '--config-file',
        _conf(state, 'neutron', 'neutron.conf'), '--config-file',
        _conf(state, 'neutron', 'sriov-%s.ini' % node.name)],
        netns=node.netns, env=dict(env, PYTHONPATH=layout.repo_root(),
                                   SRIOV_LAB_NIC_DIR=card.card_dir(
                                       state, node)))
