"""The control plane: MariaDB, RabbitMQ and the OpenStack services.

Every service is the real one from PyPI (or Debian), started by hand with
its own config under ``<state>/etc``. API services run under gunicorn on
the management address only; the database listens on loopback only.
"""

import json
import os
import secrets
import shutil
import socket
import urllib.request

from lab import card
from lab import fabric
from lab import inifile
from lab import layout
from lab import proc
from lab import service_conf
from lab import shim

DB_NAMES = ('keystone', 'placement', 'glance', 'nova_api', 'nova',
            'nova_cell0', 'neutron')
SERVICE_USERS = ('placement', 'glance', 'nova', 'neutron')


# -- secrets ------------------------------------------------------------------

def secrets_of(state):
    """Passwords of this lab, made once, kept in a root-only file."""
    path = state.path('secrets.json')
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    values = {k: secrets.token_hex(12)
              for k in ('db', 'rabbit', 'admin', 'service')}
    os.makedirs(state.root, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as f:
        json.dump(values, f)
    return values


def service_env(state, extra=None):
    """PATH with the lab's sudo shim and the venv first."""
    env = {'PATH': ':'.join([state.path('bin'), state.path('venv', 'bin'),
                             '/usr/local/sbin', '/usr/local/bin',
                             '/usr/sbin', '/usr/bin', '/sbin', '/bin']),
           'PYTHONUNBUFFERED': '1'}
    env.update(extra or {})
    return env


def write_sudo_shim(state):
    """Write the lab's ``sudo``: it runs the command as it is.

    Services call ``sudo privsep-helper`` and ``sudo ip ...``; the lab runs
    them as root already, so here sudo only drops its own options and
    keeps the environment (OVS_RUNDIR of the node among it).
    """
    path = state.path('bin', 'sudo')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n'
                '# sriov-lab: every lab service already runs as root.\n'
                'while [ $# -gt 0 ]; do\n'
                '  case "$1" in -E|-n|-H|-S) shift;; --) shift; break;;\n'
                '  *) break;; esac\n'
                'done\n'
                'exec "$@"\n')
    os.chmod(path, 0o755)


# -- MariaDB ------------------------------------------------------------------
# (PostgreSQL is not an option: a Neutron migration of this release series
# issues MySQL-only SQL, "ALTER TABLE tags CONVERT TO CHARACTER SET".)

def _mysql_socket(state):
    return state.path('data', 'mariadb', 'mysql.sock')


def start_mariadb(state):
    data = state.path('data', 'mariadb')
    fresh = not os.path.isdir(os.path.join(data, 'mysql'))
    os.makedirs(data, exist_ok=True)
    shutil.chown(data, 'mysql', 'mysql')
    if fresh:
        proc.run(['mariadb-install-db', '--user=mysql', '--datadir=' + data,
                  '--auth-root-authentication-method=socket',
                  '--skip-test-db'], timeout=120)
    proc.spawn(state, 'mariadb', [
        'mariadbd', '--no-defaults', '--user=mysql', '--datadir=' + data,
        '--socket=' + _mysql_socket(state),
        '--port=%d' % layout.PORTS['mariadb'], '--bind-address=127.0.0.1',
        '--pid-file=' + state.path('data', 'mariadb', 'mariadbd.pid'),
        '--max-connections=1000', '--innodb-flush-log-at-trx-commit=2',
        '--innodb-buffer-pool-size=256M', '--skip-name-resolve',
        '--character-set-server=utf8mb4'])
    client = ['mariadb', '--no-defaults', '--socket=' + _mysql_socket(state),
              '-u', 'root']
    proc.wait_for('MariaDB', lambda: proc.ok(client + ['-e', 'select 1']),
                  60, log=state.path('logs', 'mariadb.log'))
    if fresh:
        # The password goes through stdin, never a command line.
        pw = secrets_of(state)['db']
        script = ''.join(
            "CREATE DATABASE %s CHARACTER SET utf8;\n" % db for db in DB_NAMES)
        script += ("CREATE USER 'lab'@'127.0.0.1' IDENTIFIED BY '%s';\n"
                   "GRANT ALL PRIVILEGES ON *.* TO 'lab'@'127.0.0.1';\n"
                   % pw)
        proc.run(client, input=script)


# -- RabbitMQ -----------------------------------------------------------------

def _rabbit_env(state):
    base = state.path('data', 'rabbitmq')
    return {
        'HOME': base,
        'RABBITMQ_NODENAME': 'sriovlab@localhost',
        'RABBITMQ_NODE_IP_ADDRESS': layout.CONTROLLER_IP,
        'RABBITMQ_NODE_PORT': str(layout.PORTS['rabbitmq']),
        'RABBITMQ_DIST_PORT': '25673',
        # Erlang distribution would listen on every address otherwise.
        'RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS':
            '-kernel inet_dist_use_interface {127,0,0,1}',
        'ERL_EPMD_ADDRESS': '127.0.0.1',
        'ERL_EPMD_PORT': '4370',
        'RABBITMQ_MNESIA_BASE': os.path.join(base, 'mnesia'),
        'RABBITMQ_LOG_BASE': os.path.join(base, 'log'),
        'RABBITMQ_FEATURE_FLAGS_FILE': os.path.join(base, 'feature_flags'),
        'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(base,
                                                      'enabled_plugins'),
        'RABBITMQ_CONFIG_FILE': os.path.join(base, 'rabbitmq'),
        'RABBITMQ_ADVANCED_CONFIG_FILE': os.path.join(base, 'advanced.config'),
        'RABBITMQ_CONF_ENV_FILE': os.path.join(base, 'rabbitmq-env.conf'),
        'RABBITMQ_PID_FILE': os.path.join(base, 'rabbitmq.pid'),
    }


def start_rabbitmq(state):
    base = state.path('data', 'rabbitmq')
    env = _rabbit_env(state)
    os.makedirs(base, exist_ok=True)
    with open(env['RABBITMQ_ENABLED_PLUGINS_FILE'], 'w') as f:
        f.write('[].\n')
    for path in (env['RABBITMQ_CONFIG_FILE'] + '.conf',
                 env['RABBITMQ_CONF_ENV_FILE']):
        open(path, 'a').close()
    for root, dirs, files in os.walk(base):
        shutil.chown(root, 'rabbitmq', 'rabbitmq')
        for name in files:
            shutil.chown(os.path.join(root, name), 'rabbitmq', 'rabbitmq')
    proc.spawn(state, 'rabbitmq', ['/usr/lib/rabbitmq/bin/rabbitmq-server'],
               env=env, user='rabbitmq', cwd=base)
    ctl = ['/usr/lib/rabbitmq/bin/rabbitmqctl']
    proc.wait_for('RabbitMQ', lambda: proc.ok(ctl + ['await_startup'],
                                              env=env, user='rabbitmq',
                                              timeout=60),
                  90, interval=1, log=state.path('logs', 'rabbitmq.log'))
    users = proc.run(ctl + ['-q', 'list_users'], env=env, user='rabbitmq')
    if 'lab' not in users.split():
        # Without a password argument rabbitmqctl reads it from stdin.
        proc.run(ctl + ['add_user', 'lab'], env=env, user='rabbitmq',
                 input=secrets_of(state)['rabbit'] + '\n')
        proc.run(ctl + ['set_permissions', 'lab', '.*', '.*', '.*'],
                 env=env, user='rabbitmq')


# -- configuration files ------------------------------------------------------

def _conf(state, *parts):
    return state.path('etc', *parts)


def write_configs(state):
    """Every service's configuration file (built by ``service_conf``)."""
    os.makedirs(service_conf.lock_path(state), exist_ok=True)
    for node in layout.COMPUTES:
        os.makedirs(service_conf.instances_path(state, node), exist_ok=True)
    configs = service_conf.all_configs(state, secrets_of(state))
    for (project, name), sections in sorted(configs.items()):
        inifile.write(_conf(state, project, name), sections)
    shutil.copy(service_conf.paste(state, 'nova', 'api-paste.ini'),
                _conf(state, 'nova', 'api-paste.ini'))


# -- services -----------------------------------------------------------------

def _gunicorn(state, name, app, port, env):
    proc.spawn(state, name, [
        state.bin('gunicorn'), '--bind', '%s:%d' % (layout.CONTROLLER_IP,
                                                    port),
        '--workers', '2', '--timeout', '300', '--graceful-timeout', '5',
        '--no-control-socket', '--name', 'sriovlab-' + name,
        "lab.wsgi:app('%s')" % app],
        env=service_env(state, dict(env, PYTHONPATH=layout.repo_root())))


def _http_ready(url):
    def check():
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status < 500
        except urllib.error.HTTPError as e:
            return e.code < 500
        except (OSError, socket.timeout):
            return False
    return check


def wait_http(state, name, url, timeout=120):
    proc.wait_for('%s at %s' % (name, url), _http_ready(url), timeout,
                  log=state.path('logs', name + '.log'))


def provision(state, *args, timeout=600):
    """Run a step of lab.provision (OpenStack SDK calls, in the services'
    venv) as admin; return what it printed last, as JSON.
    """
    s = secrets_of(state)
    out = proc.run([state.bin('python'), '-m', 'lab.provision'] + list(args),
                   env=service_env(state, {
                       'OS_PASSWORD': s['admin'],
                       'LAB_SERVICE_PASSWORD': s['service'],
                       'PYTHONPATH': layout.repo_root()}),
                   timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


def manage(state, cmd, env=None, timeout=600):
    return proc.run(cmd, env=service_env(state, env), timeout=timeout)


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
            env={'OS_BOOTSTRAP_PASSWORD': secrets_of(state)['admin']})
    _gunicorn(state, 'keystone', 'keystone.wsgi.api',
              layout.PORTS['keystone'],
              {'OS_KEYSTONE_CONFIG_DIR': _conf(state, 'keystone'),
               'OS_KEYSTONE_CONFIG_FILES': 'keystone.conf'})
    wait_http(state, 'keystone', service_conf.keystone_url())


def start_placement(state, fresh):
    conf = _conf(state, 'placement', 'placement.conf')
    if fresh:
        manage(state, [state.bin('placement-manage'), '--config-file', conf,
                       'db', 'sync'])
    _gunicorn(state, 'placement', 'placement.wsgi.api',
              layout.PORTS['placement'],
              {'OS_PLACEMENT_CONFIG_DIR': _conf(state, 'placement')})


def start_glance(state, fresh):
    conf = _conf(state, 'glance', 'glance-api.conf')
    for sub in ('images', 'staging', 'tasks'):
        os.makedirs(state.path('data', 'glance', sub), exist_ok=True)
    if fresh:
        manage(state, [state.bin('glance-manage'), '--config-file', conf,
                       'db_sync'])
    _gunicorn(state, 'glance', 'glance.wsgi.api',
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
    _gunicorn(state, 'nova-api', 'nova.wsgi.osapi_compute',
              layout.PORTS['nova'],
              {'OS_NOVA_CONFIG_DIR': _conf(state, 'nova'),
               # Nova's WSGI app reads its paste pipeline from the first.
               'OS_NOVA_CONFIG_FILES': 'api-paste.ini;nova.conf'})
    for svc in ('nova-conductor', 'nova-scheduler'):
        proc.spawn(state, svc, [state.bin(svc), '--config-file', conf],
                   env=service_env(state))


def neutron_server_args(state):
    return ['--config-file', _conf(state, 'neutron', 'neutron.conf'),
            '--config-file', _conf(state, 'neutron', 'ml2_conf.ini')]


def start_neutron_server(state, fresh):
    if fresh:
        manage(state, [state.bin('neutron-db-manage')] +
               neutron_server_args(state) + ['upgrade', 'heads'])
    _gunicorn(state, 'neutron-api', 'neutron.wsgi.api',
              layout.PORTS['neutron'],
              {'OS_NEUTRON_CONFIG_DIR': _conf(state, 'neutron'),
               'OS_NEUTRON_CONFIG_FILES': 'neutron.conf;ml2_conf.ini'})
    for svc in ('neutron-rpc-server', 'neutron-periodic-workers'):
        proc.spawn(state, svc, [state.bin(svc)] + neutron_server_args(state),
                   env=service_env(state))


def start_node_agents(state, node):
    """The Neutron agents and (on compute nodes) nova-compute of a node."""
    env = service_env(state, fabric.node_ovs(state, node).env)
    neutron_conf = _conf(state, 'neutron', 'neutron.conf')
    proc.spawn(state, 'neutron-ovs-agent-%s' % node.name, [
        state.bin('neutron-openvswitch-agent'), '--config-file',
        neutron_conf, '--config-file',
        _conf(state, 'neutron', 'ovs-%s.ini' % node.name)],
        netns=node.netns, env=env)
    if node.role == 'network':
        proc.spawn(state, 'neutron-l3-agent', [
            state.bin('neutron-l3-agent'), '--config-file', neutron_conf,
            '--config-file', _conf(state, 'neutron', 'l3-network.ini')],
            netns=node.netns, env=env)
    else:
        start_sriov_agent(state, node)
        proc.spawn(state, 'nova-compute-%s' % node.name, [
            state.bin('nova-compute'), '--config-file',
            _conf(state, 'nova', 'nova-%s.conf' % node.name)],
            netns=node.netns, env=env)


def sriov_agent_service(node):
    return 'neutron-sriov-agent-%s' % node.name


def start_sriov_agent(state, node):
    """Neutron's SR-IOV agent, with the node's card as its hardware."""
    env = service_env(state, fabric.node_ovs(state, node).env)
    proc.spawn(state, sriov_agent_service(node), [
        state.bin('python'), '-m', 'lab.sriov_agent', '--config-file',
        _conf(state, 'neutron', 'neutron.conf'), '--config-file',
        _conf(state, 'neutron', 'sriov-%s.ini' % node.name)],
        netns=node.netns, env=dict(env, PYTHONPATH=layout.repo_root(),
                                   SRIOV_LAB_NIC_DIR=card.card_dir(
                                       state, node)))


# -- host access -------------------------------------------------------------

def host_key(state):
    """The private key Tempest uses to log into the compute nodes."""
    return state.path('data', 'host-ssh', 'id_ed25519')


def start_node_sshd(state, node):
    """An sshd on the node's management address, for host-level checks.

    Logins get the node's view: its network namespace, its /sys, ovs-*
    pointed at its Open vSwitch, and ``ip`` as ``lab/host-bin/ip``: the
    card's PF lists its VFs in ``ip link`` as a PF driver reports them.
    """
    d = state.path('data', 'host-ssh')
    os.makedirs(d, mode=0o700, exist_ok=True)
    key = host_key(state)
    if not os.path.exists(key):
        proc.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C',
                  'sriov-lab host checks', '-f', key])
        shutil.copy(key + '.pub', os.path.join(d, 'authorized_keys'))
    hostkey = os.path.join(d, 'host_%s' % node.name)
    if not os.path.exists(hostkey):
        proc.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f',
                  hostkey])
    env = dict(fabric.node_ovs(state, node).env,
               SRIOV_LAB_NIC_DIR=card.card_dir(state, node),
               PATH=layout.shim_path('host-bin'))
    conf = os.path.join(d, 'sshd_%s.conf' % node.name)
    with open(conf, 'w') as f:
        f.write('\n'.join([
            'ListenAddress %s' % node.mgmt_ip, 'Port 22',
            'HostKey %s' % hostkey,
            'PidFile %s' % os.path.join(d, 'sshd_%s.pid' % node.name),
            'AuthorizedKeysFile %s' % os.path.join(d, 'authorized_keys'),
            'PermitRootLogin prohibit-password',
            'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
            'UsePAM no', 'StrictModes no', 'UseDNS no',
            shim.sshd_setenv(env), '']))
    proc.spawn(state, sshd_service(node),
               ['/usr/sbin/sshd', '-D', '-e', '-f', conf], netns=node.netns)


def sshd_service(node):
    return 'sshd-%s' % node.name
