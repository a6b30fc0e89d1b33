"""sriov-lab: bring the lab up, show it, write a Tempest workspace, tear down.

Usage (as root)::

    python3 -m lab preflight   # can every directory the lab makes be made?
    python3 -m lab install     # what lab up installs first, starting nothing
    python3 -m lab up          # install what is missing, measure the
                               # emulated paths, start everything
    python3 -m lab status
    python3 -m lab workspace   # (re)write the Tempest workspace
    python3 -m lab smoke       # boot, SSH, ping, iperf3, layout checks
    python3 -m lab fault list | <name> [node] | clear
                               # break the running lab as real clouds break
    python3 -m lab leftovers   # what the cloud holds beyond lab up's own
    python3 -m lab down        # stop everything, remove all it made
"""

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

from lab import capacity
from lab import card
from lab import fabric
from lab import faults
from lab import infra
from lab import layout
from lab import openstack
from lab import preflight
from lab import proc
from lab import tempest_conf

APT_PACKAGES = ('mariadb-server', 'mariadb-client', 'rabbitmq-server',
                'openvswitch-switch',
                'iperf3', 'openssh-server', 'openssh-client', 'iptables',
                'conntrack', 'iputils-arping', 'iputils-ping', 'iproute2',
                'util-linux', 'ethtool', 'python3-venv',
                # The card's lossy-vf fault (nft's netdev egress hook).
                'nftables',
                # The guests' "image" is the host's file system: Tempest's
                # SSH jump through a guest runs nc on it.
                'netcat-openbsd',
                # Neutron's DHCP agent serves the tenant subnets with
                # dnsmasq (dhcp_release frees a deleted port's lease); the
                # guests take their addresses with busybox's udhcpc, and
                # Tempest renews a lease with "sudo kill -USR1" in them.
                'dnsmasq-base', 'dnsmasq-utils', 'udhcpc', 'sudo',
                # The OVS agent's iptables firewall keeps a security
                # group's members in ipsets (remote-group rules, such as
                # the default group's); Debian's neutron-common depends
                # on it.
                'ipset',
                # lab up --ml2 ovn: ovn-northd and its databases
                # (ovn-central), ovn-controller on every chassis (ovn-host).
                'ovn-central', 'ovn-host')
OWNER_FILE = '/run/sriovlab.owner'
RUN_SSHD = '/run/sshd'
DRIVER_SHIM = ('"""Installed by the SR-IOV lab: its network-namespace '
               'driver."""\nfrom lab.virt.driver import NetnsDriver  '
               '# noqa: F401\n')


def log(msg, *args):
    print('[lab %6.1fs] %s' % (time.monotonic() - START, msg % args),
          flush=True)


START = time.monotonic()


# -- installation -------------------------------------------------------------

def ensure_packages():
    """Install the lab's Debian packages that are missing (as root)."""
    out = proc.run(['bash', os.path.join(layout.repo_root(), 'tools',
                                         'ensure-debian-packages.sh')] +
                   list(APT_PACKAGES), timeout=1800)
    if out.strip():
        log(out.strip())


def ensure_venv(state):
    here = os.path.dirname(os.path.abspath(__file__))
    reqs = os.path.join(here, 'requirements.txt')
    cons = os.path.join(here, 'constraints.txt')
    stamp = state.path('venv', '.lab-requirements')
    want = _digest(reqs, cons)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    log('installing the OpenStack services into %s', state.venv)
    if not os.path.exists(state.bin('python')):
        proc.run([sys.executable, '-m', 'venv', state.venv])
    proc.run([state.bin('pip'), 'install', '--quiet', '--upgrade', 'pip'],
             timeout=600)
    proc.run([state.bin('pip'), 'install', '--quiet', '-r', reqs, '-c',
              cons], timeout=1800)
    # nova-compute imports the lab's virt driver from this checkout.
    site = proc.run([state.bin('python'), '-c',
                     'import sysconfig; print(sysconfig.get_paths()'
                     '["purelib"])']).strip()
    with open(os.path.join(site, 'sriov_lab.pth'), 'w') as f:
        f.write(layout.repo_root() + '\n')
    # This Nova loads compute_driver only from its own nova.virt package;
    # an out-of-tree driver ships a module there that names its class.
    with open(os.path.join(site, 'nova', 'virt', 'sriovlab.py'), 'w') as f:
        f.write(DRIVER_SHIM)
    with open(stamp, 'w') as f:
        f.write(want)


def _digest(*paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, 'rb') as f:
            h.update(f.read())
    return h.hexdigest()


# -- up -----------------------------------------------------------------------

def other_lab():
    """The state dir of a lab that is up on this machine, or None."""
    if os.path.exists(OWNER_FILE):
        with open(OWNER_FILE) as f:
            return f.read().strip() or '(unknown)'
    if fabric.lab_namespaces() or os.path.exists(
            '/sys/class/net/' + layout.HOST_MGMT_DEV):
        return '(unknown: lab namespaces exist)'
    return None


def wipe_runtime(state):
    """Remove everything of a previous run but the venv and the results.

    ``results`` holds the throughput gate's results files and the Tempest
    runs' output (tools/lab-suite.sh): what a run leaves for its reader.
    """
    if not os.path.isdir(state.root):
        return
    for name in os.listdir(state.root):
        if name not in ('venv', 'cache', 'results'):
            path = state.path(name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)


def check_alive(state):
    dead = [n for n, pid in proc.services(state).items() if not pid]
    if dead:
        raise proc.LabError('%s exited; see %s' % (
            ', '.join(dead), ', '.join(state.path('logs', n + '.log')
                                       for n in dead)))


def lab_dirs(state):
    """Every directory ``lab up`` and a suite run make or reuse."""
    return [state.root, state.venv, state.etc, state.logs, state.run,
            state.data, state.workspace, state.path('results'),
            tempest_conf.tempest_venv(),
            # Tempest's registry of workspaces (tempest workspace ...).
            os.path.join(os.path.expanduser('~'), '.tempest'),
            os.path.dirname(OWNER_FILE)]


def check_dirs(state, args=None):
    """Fail at once, before anything starts, when a directory the lab
    needs cannot be made (lab.preflight).
    """
    problems = preflight.obstacles(lab_dirs(state))
    if problems:
        raise proc.LabError(preflight.message(problems))
    log('every directory the lab makes can be made')


def install(state, args=None):
    """What ``lab up`` installs first, and nothing started: the Debian
    packages, the services' venv and Tempest's. CI runs it while the
    guest image boots, so that lab up finds them ready.
    """
    check_dirs(state)
    os.makedirs(state.root, exist_ok=True)
    ensure_packages()
    ensure_venv(state)
    tempest_conf.ensure_tempest()
    log('packages, the services\' venv and Tempest\'s venv ready')


def up(state, args):
    check_dirs(state)
    owner = other_lab()
    if owner:
        down_cmd = 'python3 -m lab down'
        if owner.startswith('/'):
            down_cmd = 'python3 -m lab --state-dir %s down' % shlex.quote(
                owner)
        raise proc.LabError(
            'a lab is already up on this machine (state dir %s): run "%s" '
            'in the checkout that started it, then try again' % (
                owner, down_cmd))
    os.makedirs(state.root, exist_ok=True)
    ensure_packages()
    ensure_venv(state)
    wipe_runtime(state)
    layout.set_computes(args.computes)
    with open(state.path(layout.COMPUTES_FILE), 'w') as f:
        f.write('%d\n' % args.computes)
    layout.set_ml2(args.ml2)
    with open(state.path(layout.ML2_FILE), 'w') as f:
        f.write(args.ml2 + '\n')
    with open(OWNER_FILE, 'w') as f:
        f.write(state.root)
    log('packages and venv ready')
    infra.write_sudo_shim(state)
    if not os.path.isdir(RUN_SSHD):
        # sshd's privilege separation directory, which the guests' sshd
        # needs (systemd-tmpfiles makes it on a booted host).
        os.makedirs(RUN_SSHD, mode=0o755)
        open(state.path('made-run-sshd'), 'w').close()
    openstack.write_configs(state)
    fabric.build(state)
    for node in layout.COMPUTES:
        card.build(state, node, layout.CARD_VFS, layout.PORT_SPEED_MBPS)
    for node in layout.NODES:
        fabric.start_ovs(state, node)
    log('namespaces, fabric, SR-IOV cards and Open vSwitch up')
    check_capacity(state, args)
    infra.start_mariadb(state)
    infra.start_rabbitmq(state)
    log('MariaDB and RabbitMQ up')
    if layout.ML2 == 'ovn':
        openstack.start_ovn_central(state)
        log('OVN databases and ovn-northd up')
    openstack.start_keystone(state, fresh=True)
    openstack.provision(state, 'identity')
    log('Keystone up, service users and endpoints made')
    openstack.start_placement(state, fresh=True)
    openstack.start_glance(state, fresh=True)
    openstack.start_nova_controller(state, fresh=True)
    openstack.start_neutron_server(state, fresh=True)
    for name, port in (('placement', 'placement'), ('glance', 'glance'),
                       ('nova-api', 'nova'), ('neutron-api', 'neutron')):
        infra.wait_http(state, name, 'http://%s:%d/' % (
            layout.CONTROLLER_IP, layout.PORTS[port]), timeout=180)
    check_alive(state)
    log('Placement, Glance, Nova and Neutron APIs up')
    for node in layout.NODES:
        openstack.start_node_agents(state, node)
    for node in layout.COMPUTES:
        infra.start_node_sshd(state, node)
    time.sleep(5)
    check_alive(state)
    openstack.provision(state, 'wait', '240', timeout=300)
    check_alive(state)
    openstack.manage(state, [state.bin('nova-manage'), '--config-file',
                             state.path('etc', 'nova', 'nova.conf'),
                             'cell_v2', 'discover_hosts'])
    log('nova-compute on %s and all Neutron agents up',
        ', '.join(n.name for n in layout.COMPUTES))
    image = state.path('data', 'lab-guest.img')
    with open(image, 'wb') as f:
        f.write(b'sriov-lab guest: the hypervisor makes a network namespace '
                b'with sshd and iperf3; this image has no disk content.\n')
    made = openstack.provision(state, 'resources', image)
    with open(state.path('resources.json'), 'w') as f:
        json.dump(made, f, indent=1)
    with open(state.path('inventory.json'), 'w') as f:
        json.dump(openstack.provision(state, 'inventory'), f, indent=1)
    ws = tempest_conf.write_workspace(state, made)
    log('lab up; Tempest workspace: %s', ws)
    print(ws)


def check_capacity(state, args):
    """Measure the emulated paths; refuse a machine that cannot carry the
    gate's thresholds with headroom (lab.capacity).
    """
    log('load average before measuring: %.2f %.2f %.2f (1, 5, 15 min)',
        *os.getloadavg())
    started = time.time()
    # A sample that fails (its clients all got no data, 3 times in a row,
    # or iperf3 failed) leaves its point unmeasured, measured again in the
    # next pass like a short one. A single starved client of several is
    # not a failure: it counts as 0 and the point may come out short.
    errors = {}
    figures = capacity.measure(state, errors, log)
    thresholds = tempest_conf.threshold_values()
    for attempt in range(2, capacity.TRIES + 1):
        short = capacity.short_paths(figures, thresholds)
        if not short:
            break
        log('%d point(s) short of the gate with headroom; measuring them '
            'again in %d s (pass %d of %d, each keeps its best figure)',
            len(short), capacity.PAUSE, attempt, capacity.TRIES)
        time.sleep(capacity.PAUSE)
        log('load average: %.2f %.2f %.2f', *os.getloadavg())
        figures = capacity.best_of(figures, capacity.measure(
            state, errors, log, only=short))
    capacity.save(state.path('capacity.json'), figures)
    log('capacity measured in %.0f s', time.time() - started)
    for line in capacity.table(figures, thresholds):
        log('%s', line)
    for line in capacity.margin_notes(figures, thresholds):
        log('note: %s', line)
    problems = capacity.shortfalls(figures, thresholds, errors=errors)
    if not problems:
        return
    text = ('this machine cannot carry the lab\'s throughput gate with '
            '%.0f %% headroom, so a healthy lab would fail it:\n  %s\n'
            'Run it on a quiet machine of 2 or more cores (nothing else '
            'busy): "python3 -m lab down" removes what was started. Or '
            'pass --ignore-capacity to bring the lab up anyway (the '
            'throughput family may then fail)'
            % ((capacity.HEADROOM - 1) * 100, '\n  '.join(problems)))
    if not args.ignore_capacity:
        raise proc.LabError(text)
    log('WARNING: %s', text)


def smoke(state, args):
    s = infra.secrets_of(state)
    res = subprocess.run(
        [state.bin('python'), '-m', 'lab.smoke'],
        env=dict(os.environ, **infra.service_env(state, {
            'OS_PASSWORD': s['admin'], 'SRIOV_LAB_DIR': state.root,
            'PYTHONPATH': layout.repo_root()})), timeout=900)
    return res.returncode


def status(state, args):
    owner = other_lab()
    services = proc.services(state)
    print('lab state dir: %s' % state.root)
    print('lab up on this machine: %s' % (owner or 'no'))
    for name, pid in services.items():
        print('  %-32s %s' % (name, 'running (pid %d)' % pid if pid
                              else 'NOT RUNNING'))
    names = fabric.lab_namespaces()
    print('namespaces: %s' % (' '.join(names) or '-'))
    if os.path.exists(state.path('capacity.json')):
        figures = capacity.load(state.path('capacity.json'))
        thresholds = tempest_conf.threshold_values()
        print('\n'.join(capacity.table(figures, thresholds)))
        for line in capacity.shortfalls(figures, thresholds):
            print('  SHORT: ' + line)
        for line in capacity.margin_notes(figures, thresholds):
            print('  note: ' + line)
    print('faults in force: %s' % (', '.join(
        '%s on %s' % f for f in faults.active(state)) or 'none'))
    pids = set(proc.processes_under(state.root))
    for ns in names:
        pids.update(int(p) for p in proc.run(['ip', 'netns', 'pids', ns],
                                             check=False).split())
    print('memory: %.0f MiB resident in %d lab processes'
          % (proc.rss_mib(pids), len(pids)))
    if os.path.exists(state.path('workspace', 'etc', 'tempest.conf')):
        print('tempest workspace: %s' % state.workspace)
    down_services = [n for n, p in services.items() if not p]
    return 1 if (owner and down_services) else 0


def down(state, args):
    log('stopping the lab services')
    proc.stop_all(state)
    fabric.destroy()
    # What services forked outside their process groups.
    for pid in proc.processes_under(state.root):
        proc.kill_group(pid, 9)
    for ns in fabric.lab_namespaces():
        proc.run(['ip', 'netns', 'delete', ns], check=False)
    tempest_conf.forget_workspace(state)
    if os.path.exists(state.path('made-run-sshd')):
        shutil.rmtree(RUN_SSHD, ignore_errors=True)
    wipe_runtime(state)
    if os.path.exists(OWNER_FILE):
        os.unlink(OWNER_FILE)
    left = fabric.lab_namespaces() + proc.processes_under(state.root)
    if left:
        raise proc.LabError('teardown left: %s' % left)
    log('lab down; kept only %s and %s', state.venv, state.path('results'))


def leftovers(state, args):
    """What the cloud holds beyond what ``lab up`` made, by kind.

    Lists the cloud through the SDK, independently of the plugin: after a
    test run, or a killed run and sriov-tempest-cleanup, it must be empty.
    """
    with open(state.path('inventory.json')) as f:
        before = json.load(f)
    now = openstack.provision(state, 'inventory')
    extra = {kind: {rid: name for rid, name in items.items()
                    if rid not in before.get(kind, {})}
             for kind, items in now.items()}
    total = sum(len(v) for v in extra.values())
    for kind, items in sorted(extra.items()):
        for rid, name in sorted(items.items(), key=lambda kv: kv[1]):
            print('%-15s %s  %s' % (kind, rid, name))
    print('%d resource(s) beyond what lab up made' % total)
    return 1 if total else 0


def fault(state, args):
    faults.main(state, args, log=lambda line: log('%s', line))


def workspace(state, args):
    with open(state.path('resources.json')) as f:
        made = json.load(f)
    print(tempest_conf.write_workspace(state, made))


def _computes(text):
    try:
        count = int(text)
        layout.compute_nodes(count)
    except ValueError:
        raise argparse.ArgumentTypeError(
            'a number from 2 to %d, not %r' % (layout.MAX_COMPUTES, text))
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python3 -m lab',
                                     description=__doc__.splitlines()[0])
    parser.add_argument('--state-dir', help='default: $SRIOV_LAB_DIR or '
                        '<checkout>/.lab')
    sub = parser.add_subparsers(dest='command', required=True)
    up_parser = sub.add_parser('up')
    up_parser.add_argument(
        '--ignore-capacity', action='store_true',
        help='come up even when this machine cannot carry the throughput '
        'gate\'s thresholds with headroom (lab.capacity)')
    up_parser.add_argument(
        '--computes', type=_computes, default=layout.DEFAULT_COMPUTES,
        metavar='N', help='compute nodes, each with its own SR-IOV card '
        '(2 to %d; default %d; 3 or more run the fleet test)'
        % (layout.MAX_COMPUTES, layout.DEFAULT_COMPUTES))
    up_parser.add_argument(
        '--ml2', choices=layout.ML2_BACKENDS, default=layout.DEFAULT_ML2,
        help='the Neutron ML2 backend (default %s)' % layout.DEFAULT_ML2)
    sub.add_parser('preflight', help='check, starting nothing, that every '
                   'directory the lab makes can be made')
    sub.add_parser('install', help='install what lab up needs (Debian '
                   'packages, the services\' and Tempest\'s venvs), '
                   'starting nothing')
    for name in ('status', 'down', 'workspace', 'smoke'):
        sub.add_parser(name)
    sub.add_parser('leftovers', help='what the cloud holds beyond what '
                   'lab up made (exit 1 when anything)')
    fault_parser = sub.add_parser(
        'fault', help='inject a fault into the running lab, or clear all')
    fault_parser.add_argument(
        'fault', help='list, clear, or a fault name (see "fault list")')
    fault_parser.add_argument('node', nargs='?',
                              help='the compute node (default: per fault)')
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error('the lab runs as root (network namespaces, OVS)')
    state = layout.State(os.path.abspath(args.state_dir)) if args.state_dir \
        else layout.State.default()
    layout.load_computes(state)
    try:
        if args.command not in ('up', 'preflight', 'install'):
            os.makedirs(state.root, exist_ok=True)
        command = {'up': up, 'status': status, 'down': down,
                   'preflight': check_dirs, 'install': install,
                   'workspace': workspace, 'smoke': smoke,
                   'fault': fault, 'leftovers': leftovers}[args.command]
        return command(state, args) or 0
    except proc.LabError as e:
        print('lab %s failed: %s' % (args.command, e), file=sys.stderr)
        return 1
    except subprocess.SubprocessError as e:
        print('lab %s failed: %s' % (args.command, e), file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
