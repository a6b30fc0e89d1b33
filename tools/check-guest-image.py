#!/usr/bin/env python3
"""Boot the guest image under QEMU and check what the suite needs of it.

    tools/check-guest-image.py [IMAGE] [--pair] [--timeout SECONDS]

QEMU boots IMAGE (default sriov-guest.qcow2; a copy-on-write overlay, the
image itself is not changed) with software emulation (TCG: no KVM needed)
and a NoCloud seed, as Nova's config drive would give it: the SSH key only
in the seed's meta-data, a second NIC that only DHCP configures. Over SSH
with that key it checks cloud-init finished, iperf3 3.x, ping, nc and
passwordless sudo, an IPv4 address on every NIC, the VF drivers in the
kernel, the serial console's boot and login, and a short loopback
iperf3. With --pair it boots two guests joined by a third NIC whose
address comes only from the seed's network-config, and runs iperf3 from
one to the other.

Every wait is bounded: at the limit it fails with the console's tail.
Needs root only to install missing Debian packages (qemu-system-x86,
qemu-utils, genisoimage, openssh-client).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HOST_PACKAGES = ('qemu-system-x86', 'qemu-utils', 'genisoimage',
                 'openssh-client')
USER = 'debian'
# The VF drivers a guest on an SR-IOV port needs, by NIC family: Intel
# 82599/X540 (ixgbevf), 700/800 series (iavf), Mellanox ConnectX-4 and
# later (mlx5_core), Broadcom NetXtreme-C/E (bnxt_en).
VF_DRIVERS = ('ixgbevf', 'iavf', 'mlx5_core', 'bnxt_en')
# The pair's own link: addresses given only by the seed's network-config.
PAIR_NET = '192.168.77.%d'
PAIR_MAC = '52:54:00:77:00:%02x'


class CheckFailed(Exception):
    pass


def log(msg):
    print('check-guest-image: %s' % msg, flush=True)


def ensure_packages():
    res = subprocess.run(
        ['bash', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              'ensure-debian-packages.sh')] +
        list(HOST_PACKAGES), stderr=subprocess.PIPE, text=True)
    if res.returncode:
        raise CheckFailed(res.stderr.strip().splitlines()[-1]
                          if res.stderr.strip() else
                          'installing %s failed' % ' '.join(HOST_PACKAGES))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def seed_files(name, pubkey, pair_index=None):
    """The NoCloud seed's files.

    meta-data carries the key, as Nova's public_keys; a pair's guests also
    get a network-config for their link.
    """
    files = {
        'meta-data': json.dumps({'instance-id': 'iid-%s' % name,
                                 'local-hostname': name,
                                 'public-keys': [pubkey]}, indent=1),
        'user-data': '#cloud-config\n{}\n',
    }
    if pair_index is not None:
        files['network-config'] = json.dumps({
            'version': 2,
            'ethernets': {
                'nic0': {'match': {'macaddress': '52:54:00:12:34:56'},
                         'dhcp4': True},
                'pair': {'match': {'macaddress': PAIR_MAC % pair_index},
                         'addresses': [PAIR_NET % pair_index + '/24']},
            }}, indent=1)
    return files


class Guest(object):
    def __init__(self, image, workdir, name, key, pair_index=None,
                 pair_listen=None, pair_connect=None):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.key = key
        self.console = os.path.join(self.dir, 'console.log')
        self.port = free_port()
        self.proc = None
        seed_dir = os.path.join(self.dir, 'seed')
        os.makedirs(seed_dir)
        with open(key + '.pub') as f:
            pubkey = f.read().strip()
        for fname, text in seed_files(name, pubkey, pair_index).items():
            with open(os.path.join(seed_dir, fname), 'w') as f:
                f.write(text)
        self.seed = os.path.join(self.dir, 'seed.iso')
        subprocess.run(['genisoimage', '-quiet', '-output', self.seed,
                        '-volid', 'cidata', '-joliet', '-rock', seed_dir],
                       check=True)
        self.disk = os.path.join(self.dir, 'disk.qcow2')
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F',
                        'qcow2', '-b', os.path.abspath(image), self.disk],
                       check=True)
        self.cmd = [
            'qemu-system-x86_64', '-machine', 'pc,accel=tcg', '-m', '1024',
            '-smp', '1', '-display', 'none', '-monitor', 'none',
            '-serial', 'file:%s' % self.console,
            '-drive', 'file=%s,if=virtio,format=qcow2' % self.disk,
            '-drive', 'file=%s,if=virtio,format=raw,readonly=on' % self.seed,
            # NIC 1: SSH from here; NIC 2: only DHCP configures it.
            '-netdev', 'user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22' % self.port,
            '-device', 'virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56',
            '-netdev', 'user,id=n1,net=10.0.3.0/24',
            '-device', 'virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57',
        ]
        if pair_listen or pair_connect:
            sock = ('listen=127.0.0.1:%d' % pair_listen if pair_listen
                    else 'connect=127.0.0.1:%d' % pair_connect)
            self.cmd += ['-netdev', 'socket,id=n2,%s' % sock, '-device',
                         'virtio-net-pci,netdev=n2,mac=%s'
                         % (PAIR_MAC % pair_index)]

    def start(self):
        self.log = open(os.path.join(self.dir, 'qemu.log'), 'w')
        self.proc = subprocess.Popen(self.cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def console_tail(self, lines=40):
        try:
            with open(self.console, errors='replace') as f:
                text = f.read()
        except OSError:
            return '(no console output)'
        return '\n'.join(text.splitlines()[-lines:])

    def ssh(self, command, timeout=60, check=True):
        cmd = ['ssh', '-q', '-i', self.key, '-p', str(self.port),
               '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10',
               '-o', 'StrictHostKeyChecking=no',
               '-o', 'UserKnownHostsFile=/dev/null',
               '%s@127.0.0.1' % USER, command]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed('%s: %r did not finish in %d s'
                              % (self.name, command, timeout))
        if check and res.returncode:
            raise CheckFailed('%s: %r exited %d: %s'
                              % (self.name, command, res.returncode,
                                 (res.stderr or res.stdout).strip()[-500:]))
        return res

    def wait_ssh(self, deadline):
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CheckFailed('%s: QEMU exited %d (%s)\n%s'
                                  % (self.name, self.proc.returncode,
                                     os.path.join(self.dir, 'qemu.log'),
                                     self.console_tail()))
            if self.ssh('true', timeout=30, check=False).returncode == 0:
                return
            time.sleep(5)
        raise CheckFailed('%s: no SSH login as %s with the seed\'s key '
                          'before the limit; the console\'s tail:\n%s'
                          % (self.name, USER, self.console_tail()))


def iperf_gbps(out):
    data = json.loads(out)
    return data['end']['sum_received']['bits_per_second'] / 1e9


def check_guest(g, deadline):
    left = max(10, int(deadline - time.monotonic()))
    res = g.ssh('cloud-init status --wait', timeout=left, check=False)
    if 'status: done' not in res.stdout:
        raise CheckFailed('%s: cloud-init did not finish: %s\n%s'
                          % (g.name, res.stdout.strip() or res.stderr.strip(),
                             g.console_tail()))
    version = g.ssh('iperf3 --version').stdout.splitlines()[0]
    if not version.startswith('iperf 3.'):
        raise CheckFailed('%s: iperf3 --version says %r, want iperf 3.x'
                          % (g.name, version))
    log('%s: cloud-init done; %s' % (g.name, version))
    g.ssh('command -v nc && ping -c 1 -W 5 127.0.0.1 && sudo -n true')
    addrs = g.ssh('ip -4 -o addr show scope global').stdout
    nics = g.ssh('ls /sys/class/net').stdout.split()
    nics = [n for n in nics if n != 'lo']
    bare = [n for n in nics if ' %s ' % n not in addrs]
    if bare:
        raise CheckFailed('%s: NICs without an IPv4 address: %s (have: %s)'
                          % (g.name, ', '.join(bare), addrs.strip()))
    log('%s: IPv4 on every NIC: %s' % (g.name, ', '.join(nics)))
    g.ssh('for m in %s; do /sbin/modinfo -F filename $m; done'
          % ' '.join(VF_DRIVERS))
    log('%s: VF drivers present: %s' % (g.name, ', '.join(VF_DRIVERS)))
    with open(g.console, errors='replace') as f:
        console = f.read()
    for want in ('Linux version', 'login:'):
        if want not in console:
            raise CheckFailed('%s: the serial console never printed %r'
                              % (g.name, want))
    g.ssh('iperf3 -s -D -1 -p 5201')
    time.sleep(1)
    out = g.ssh('iperf3 -c 127.0.0.1 -p 5201 -t 2 -J').stdout
    log('%s: loopback iperf3 %.2f Gbit/s' % (g.name, iperf_gbps(out)))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0])
    parser.add_argument('image', nargs='?', default='sriov-guest.qcow2')
    parser.add_argument('--pair', action='store_true',
                        help='boot two guests and run iperf3 between them')
    parser.add_argument('--timeout', type=int, default=900,
                        help='seconds for the whole check (default 900)')
    parser.add_argument('--keep', action='store_true',
                        help='keep the work folder (consoles, seeds)')
    args = parser.parse_args(argv)
    if not os.path.exists(args.image):
        print('check-guest-image: no image %s; build it with '
              'tools/build-guest-image.sh --output %s'
              % (args.image, args.image), file=sys.stderr)
        return 1
    start = time.monotonic()
    deadline = start + args.timeout
    workdir = tempfile.mkdtemp(prefix='guest-image-check.')
    guests = []
    try:
        ensure_packages()
        key = os.path.join(workdir, 'id_ed25519')
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f',
                        key], check=True)
        if args.pair:
            port = free_port()
            guests = [Guest(args.image, workdir, 'guest-a', key, 1,
                            pair_listen=port),
                      Guest(args.image, workdir, 'guest-b', key, 2,
                            pair_connect=port)]
        else:
            guests = [Guest(args.image, workdir, 'guest-a', key)]
        for g in guests:
            g.start()
            time.sleep(2)    # the listening side first
        for g in guests:
            g.wait_ssh(deadline)
            log('%s: SSH as %s with the seed\'s key after %d s'
                % (g.name, USER, time.monotonic() - start))
        for g in guests:
            check_guest(g, deadline)
        if args.pair:
            a, b = guests
            b.ssh('iperf3 -s -D -1 -p 5202')
            time.sleep(1)
            out = a.ssh('iperf3 -c %s -p 5202 -t 3 -J' % (PAIR_NET % 2),
                        timeout=60).stdout
            log('guest-a -> guest-b over the seed-configured link: '
                'iperf3 %.2f Gbit/s' % iperf_gbps(out))
    except CheckFailed as exc:
        print('check-guest-image: FAILED after %d s: %s'
              % (time.monotonic() - start, exc), file=sys.stderr)
        return 1
    finally:
        for g in guests:
            g.stop()
        if args.keep:
            log('work folder kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    log('passed in %d s' % (time.monotonic() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
