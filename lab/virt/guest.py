"""What a guest is: a network namespace with NICs, a DHCP client, sshd,
iperf3.

Pure planning lives here (what to name, which commands); the driver runs
the commands. A guest takes its addresses by DHCP, as a real guest on a
Neutron network does: busybox's udhcpc on each NIC, with Debian's event
script (``/etc/udhcpc/default.script``: address, MTU, default route,
``/etc/resolv.conf``), its pid file where Tempest's ``[scenario]
dhcp_client = udhcpc`` looks (``/var/run/udhcpc.<nic>.pid``) and its
output on the guest's console.
"""

import collections
import ipaddress
import os
import shlex

from lab import shim

SSHD = '/usr/sbin/sshd'
#: the iperf3 server a guest image runs at boot (the plugin starts its own
#: servers on other ports as well).
IPERF3_PORT = 5201


def netns_name(prefix, instance_uuid):
    return prefix + instance_uuid


def guest_dir(guests_dir, node, instance_uuid):
    return os.path.join(guests_dir, node, instance_uuid)


def nic_name(index):
    return 'eth%d' % index


#: One NIC of a guest. ``vf``: a passed-through VF (vif type hw_veb),
#: not a virtual NIC on the node's tap.
Nic = collections.namedtuple('Nic', 'name mac mtu addresses gateway vf')

#: Nova's vif type of a VF port (nova.network.model.VIF_TYPE_HW_VEB).
VIF_TYPE_HW_VEB = 'hw_veb'


def interface_plan(network_info):
    """[Nic] of a guest.

    ``network_info`` is Nova's network model (a list of VIF dicts). Its
    addresses and gateway are what the port has, for the console; the
    guest takes them by DHCP.
    """
    plan = []
    for index, vif in enumerate(network_info):
        network = vif['network']
        addresses, gateway = [], None
        for subnet in network['subnets']:
            cidr = ipaddress.ip_network(subnet['cidr'])
            if cidr.version != 4:
                continue
            for ip in subnet['ips']:
                addresses.append('%s/%d' % (ip['address'], cidr.prefixlen))
            gw = subnet.get('gateway') or {}
            if gw.get('address') and gateway is None:
                gateway = gw['address']
        mtu = network.get('meta', {}).get('mtu') or 1500
        plan.append(Nic(nic_name(index), vif['address'], int(mtu),
                        addresses, gateway,
                        vif.get('type') == VIF_TYPE_HW_VEB))
    return plan


def address_commands(netns, plan):
    """ip commands that bring the guest's NICs up (run on the node), with
    the MAC and MTU of their ports; their addresses come by DHCP.
    """
    cmds = [['ip', 'netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']]
    for nic, mac, mtu, addresses, gateway, vf in plan:
        if not vf:
            # On a virtual NIC the guest computes its own checksums: a
            # partial checksum (veth offload) would leave the node's
            # userspace OVS (no TSO) with bad TCP checksums, which the far
            # end drops. A VF keeps its offloads: the card completes them.
            cmds.append(['ip', 'netns', 'exec', netns, 'ethtool', '-K', nic,
                         'tx', 'off'])
        cmds.append(['ip', '-n', netns, 'link', 'set', nic, 'address', mac,
                     'mtu', str(mtu), 'up'])
    return cmds


def power_off_commands(netns, plan):
    """A powered-off guest is silent: its NICs lose their links (a VF's
    driver and QEMU's tap are gone), so nothing answers on them.
    """
    return [['ip', '-n', netns, 'link', 'set', nic[0], 'down']
            for nic in plan]


def power_on_commands(netns, plan):
    """Its NICs come back (its DHCP client, started again, configures
    them).
    """
    return [['ip', '-n', netns, 'link', 'set', nic[0], 'up']
            for nic in plan]


def sshd_config(gdir, env=None):
    """sshd_config of a guest: its own host key, pid file and keys file,
    and ``env`` (a dict) for its logins (``lab.shim.sshd_setenv``).
    """
    return '\n'.join([
        'Port 22',
        'ListenAddress 0.0.0.0',
        'HostKey %s' % os.path.join(gdir, 'ssh_host_ed25519_key'),
        'PidFile %s' % os.path.join(gdir, 'sshd.pid'),
        'AuthorizedKeysFile %s' % os.path.join(gdir, 'authorized_keys'),
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PrintMotd no',
        'UseDNS no',
        'Subsystem sftp internal-sftp',
    ] + ([shim.sshd_setenv(env)] if env else []) + [''])


def tmp_dir(gdir):
    """The guest's own /tmp (made by the driver, mode 1777)."""
    return os.path.join(gdir, 'tmp')


#: The guest's DHCP client and its event script (package udhcpc).
UDHCPC = '/sbin/udhcpc'
UDHCPC_SCRIPT = '/etc/udhcpc/default.script'
#: Discover 6 times, 2 s apart, then go on booting (udhcpc keeps trying
#: in the background, 3 s after each round), as a cloud image's does.
UDHCPC_TRIES, UDHCPC_TIMEOUT, UDHCPC_PAUSE = 6, 2, 3


def run_dir(gdir):
    """The guest's own /run (made by the driver): its DHCP clients' pid
    files, sshd's privilege separation directory.
    """
    return os.path.join(gdir, 'run')


def resolv_conf(gdir):
    """The guest's own /etc/resolv.conf (made by the driver, empty)."""
    return os.path.join(gdir, 'resolv.conf')


def console_path(gdir):
    return os.path.join(gdir, 'console.log')


def dhcp_command(nic):
    """The guest's DHCP client on ``nic``: in the foreground until it has
    a lease or has tried ``UDHCPC_TRIES`` times, then in the background
    (renewing; SIGUSR1 renews now, as Tempest's renew_lease sends).
    """
    return [UDHCPC, '-b', '-i', nic, '-p', '/var/run/udhcpc.%s.pid' % nic,
            '-s', UDHCPC_SCRIPT, '-O', 'mtu', '-t', str(UDHCPC_TRIES),
            '-T', str(UDHCPC_TIMEOUT), '-A', str(UDHCPC_PAUSE)]


def start_commands(netns, gdir, nics=()):
    """Commands that "boot" the guest's services, detached from the caller.

    The boot runs in a mount namespace of its own (a slave of the host's:
    its own mounts stay its own) whose /tmp is the guest's
    :func:`tmp_dir`, /run its :func:`run_dir` and /etc/resolv.conf its
    :func:`resolv_conf`: a VM has its own file system, so what one
    guest writes there (iperf3's files, its DHCP leases' pid files and
    name servers) is never another guest's, as on real VMs. It takes a
    lease on each of ``nics`` in turn (its DHCP client's output on the
    console), then starts sshd, and so every login, in that namespace.
    """
    sshd = [SSHD, '-f', os.path.join(gdir, 'sshd_config'), '-E',
            os.path.join(gdir, 'sshd.log')]
    tmp = tmp_dir(gdir)
    keep = ''
    if os.path.commonpath([os.path.abspath(gdir), '/tmp']) == '/tmp':
        # The guest's own files live under the host's /tmp (a checkout
        # there): their top directory is bound into the guest's /tmp
        # first, so that sshd still finds its files at their paths.
        top = os.path.join('/tmp', os.path.relpath(
            os.path.abspath(gdir), '/tmp').split(os.sep)[0])
        inner = os.path.join(tmp, os.path.basename(top))
        keep = 'mkdir -p %s && mount --bind %s %s && ' % (
            shlex.quote(inner), shlex.quote(top), shlex.quote(inner))
    # /run/netns stays the host's (a slave: namespaces made and deleted
    # later show), for the VF driver's requests to the card (lab/guest-bin).
    run = shlex.quote(run_dir(gdir))
    own = ('mkdir -p %s/netns && mount --rbind /run/netns %s/netns && '
           'mount --rbind %s /run && mkdir -p /run/sshd && '
           'mount --bind %s /etc/resolv.conf && ' % (
               run, run, run, shlex.quote(resolv_conf(gdir))))
    dhcp = ''.join('%s >>%s 2>&1; ' % (
        quoted(dhcp_command(nic)), shlex.quote(console_path(gdir)))
        for nic in nics)
    boot = '%s%smount --rbind %s /tmp && %sexec %s' % (
        keep, own, shlex.quote(tmp), dhcp, quoted(sshd))
    return [
        ['setsid', '-f', 'ip', 'netns', 'exec', netns, 'unshare', '--mount',
         '--propagation', 'slave', 'sh', '-c', boot],
        ['setsid', '-f', 'ip', 'netns', 'exec', netns, 'iperf3', '-s', '-p',
         str(IPERF3_PORT), '-D', '-I', os.path.join(gdir, 'iperf3.pid'),
         '--logfile', os.path.join(gdir, 'iperf3.log')],
    ]


def console_log(instance_name, netns, plan):
    """The text get_console_output starts with: what the guest "booted"
    with. Its DHCP clients' output follows, appended as they run.
    """
    lines = ['sriov-lab guest %s (network namespace %s)' % (instance_name,
                                                            netns)]
    for nic, mac, mtu, addresses, gateway, vf in plan:
        lines.append('%s: mac %s mtu %d, address by DHCP (the port has %s)'
                     % (nic, mac, mtu, ' '.join(addresses) or 'none'))
    lines.append('sshd on port 22, iperf3 -s on port %d' % IPERF3_PORT)
    return '\n'.join(lines) + '\n'


def quoted(cmd):
    return ' '.join(shlex.quote(c) for c in cmd)
