"""The lab's infrastructure: its secrets, its services' environment and
sudo, MariaDB and RabbitMQ, WSGI apps under gunicorn and waiting for
them, and each compute node's sshd for the host-level checks.

MariaDB and RabbitMQ are Debian's, started by hand with their own config
under ``<state>``; API services run under gunicorn on the management
address only; the database listens on loopback only.
"""

import json
import os
import secrets
import shutil
import socket
import urllib.request

from lab import card
from lab import fabric
from lab import layout
from lab import proc
from lab import shim


DB_NAMES = ('keystone', 'placement', 'glance', 'nova_api', 'nova',
            'nova_cell0', 'neutron')


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


# -- services -----------------------------------------------------------------

#: gunicorn workers of each API.
WSGI_WORKERS = 2


def start_wsgi(state, name, app, port, env):
    """Serve OpenStack WSGI ``app`` under gunicorn on the management
    address, as service ``name``.
    """
    proc.spawn(state, name, [
        state.bin('gunicorn'), '--bind', '%s:%d' % (layout.CONTROLLER_IP,
                                                    port),
        '--workers', str(WSGI_WORKERS), '--timeout', '300',
        '--graceful-timeout', '5',
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
