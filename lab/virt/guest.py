"""What a guest is: a network namespace with NICs, addresses, sshd, iperf3.

Pure planning lives here (what to name, which addresses, which commands);
the driver runs the commands. A guest reads its addresses from the port's
fixed IPs and the subnet, as cloud-init would from a config drive.
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

    ``network_info`` is Nova's network model (a list of VIF dicts).
    The first NIC with a gateway gets the default route.
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
    """ip commands that configure the guest's NICs (run on the node)."""
    cmds = [['ip', 'netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']]
    routed = False
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
        for addr in addresses:
            cmds.append(['ip', '-n', netns, 'addr', 'add', addr, 'dev', nic])
        if gateway and not routed:
            cmds.append(['ip', '-n', netns, 'route', 'add', 'default', 'via',
                         gateway, 'dev', nic])
            routed = True
    return cmds


def _default_route(netns, plan):
    for nic, mac, mtu, addresses, gateway, vf in plan:
        if gateway:
            return [['ip', '-n', netns, 'route', 'replace', 'default', 'via',
                     gateway, 'dev', nic]]
    return []


def power_off_commands(netns, plan):
    """A powered-off guest is silent: its NICs lose their links (a VF's
    driver and QEMU's tap are gone), so nothing answers on them.
    """
    return [['ip', '-n', netns, 'link', 'set', nic[0], 'down']
            for nic in plan]


def power_on_commands(netns, plan):
    """Its NICs come back, with the default route the link-down took."""
    return [['ip', '-n', netns, 'link', 'set', nic[0], 'up']
            for nic in plan] + _default_route(netns, plan)


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


def start_commands(netns, gdir):
    """Commands that "boot" the guest's services, detached from the caller.

    sshd, and so every login, runs in a mount namespace of its own whose
    /tmp is the guest's :func:`tmp_dir`: a VM has its own file system, so
    what one guest writes in /tmp (iperf3's pid and output files) is never
    another guest's, as on real VMs.
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
    own_tmp = '%smount --rbind %s /tmp && exec %s' % (
        keep, shlex.quote(tmp), quoted(sshd))
    return [
        ['setsid', '-f', 'ip', 'netns', 'exec', netns, 'unshare', '--mount',
         '--propagation', 'private', 'sh', '-c', own_tmp],
        ['setsid', '-f', 'ip', 'netns', 'exec', netns, 'iperf3', '-s', '-p',
         str(IPERF3_PORT), '-D', '-I', os.path.join(gdir, 'iperf3.pid'),
         '--logfile', os.path.join(gdir, 'iperf3.log')],
    ]


def console_log(instance_name, netns, plan):
    """The text get_console_output returns: what the guest "booted" with."""
    lines = ['sriov-lab guest %s (network namespace %s)' % (instance_name,
                                                            netns)]
    for nic, mac, mtu, addresses, gateway, vf in plan:
        lines.append('%s: mac %s mtu %d addresses %s%s' % (
            nic, mac, mtu, ' '.join(addresses) or '-',
            ' gateway %s' % gateway if gateway else ''))
    lines.append('sshd on port 22, iperf3 -s on port %d' % IPERF3_PORT)
    return '\n'.join(lines) + '\n'


def quoted(cmd):
    return ' '.join(shlex.quote(c) for c in cmd)
