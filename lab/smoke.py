"""The lab's own acceptance check, through the real APIs.

Boots five VMs on two tenant VLAN networks (a subnet each) behind a
router: with normal (OVS) ports ``a`` and ``c`` on compute1 (networks 1
and 2) and ``b`` on compute2 (network 1); with direct (VF) ports ``d`` on
compute1 and ``e`` on compute2 (network 1), the other way round on
ML2/OVN (no L2 agent puts ``a``'s MAC in the PF's FDB there, so a VF of
``a``'s host cannot reach it). For ``d``: binding ``hw_veb``
with a ``pci_slot`` whose VF the card says ``d``'s namespace holds (as its
eth0, with the port's MAC), no OVS-path devices on its host; ``a`` pings
``d``; iperf3 from ``d`` to ``e`` (VF to VF across the wire, run in
``d``'s namespace from the host). Then, over SSH through a floating IP:
``a`` pings ``b`` and ``c`` (through the router), ``iperf3`` from ``a`` to
``b`` (compute1 -> compute2 over the OVS path); on compute1 the port of
``a`` has its tap/qbr/qvb/qvo devices and ``qvo`` is on br-int with the
port's iface-id (ML2/OVN: its tap is on br-int itself, no
qbr/qvb/qvo). Prints one JSON document; exits non-zero on a failure.
Everything it makes is deleted at the end. Run in the lab's venv:
``python -m lab.smoke`` (``OS_PASSWORD`` = the admin password).
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time

import paramiko

from lab import card
from lab import fabric
from lab import faults
from lab import layout
from lab.nic import device as nic_device
from lab.nic import switch as nic_switch
from lab.nic import veb as nic_veb
from lab import provision

TIMEOUT = 300


class SmokeFailure(Exception):
    pass


def wait(what, check, timeout=TIMEOUT, interval=2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SmokeFailure('%s: not within %d s' % (what, timeout))
        time.sleep(interval)


def ssh(host, key, command, timeout=60):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, username='root', pkey=key, timeout=20,
                   banner_timeout=20, auth_timeout=20, look_for_keys=False,
                   allow_agent=False)
    try:
        _in, out, err = client.exec_command(command, timeout=timeout)
        status = out.channel.recv_exit_status()
        return status, out.read().decode(), err.read().decode()
    finally:
        client.close()


def node_cmd(name, *cmd):
    """Run ``cmd`` in compute node ``name``'s namespace, with its OVS."""
    node = faults.node_named(name)
    ovs = fabric.node_ovs(layout.State.default(), node)
    return subprocess.run(['ip', 'netns', 'exec', node.netns] + list(cmd),
                          env=dict(os.environ, **ovs.env),
                          capture_output=True, text=True, check=True,
                          timeout=30).stdout


def main():
    conn = provision.connect()
    made = []       # (kind, id) in creation order
    result = {}
    tmp = tempfile.mkdtemp(prefix='lab-smoke-')
    try:
        keyfile = os.path.join(tmp, 'key')
        subprocess.run(['ssh-keygen', '-q', '-t', 'rsa', '-b', '2048', '-N',
                        '', '-m', 'PEM', '-f', keyfile], check=True)
        key = paramiko.RSAKey.from_private_key(io.StringIO(open(keyfile)
                                                           .read()))
        kp = conn.compute.create_keypair(
            name='smoke-key', public_key=open(keyfile + '.pub').read())
        made.append(('keypair', kp.name))
        sg = conn.network.create_security_group(name='smoke-sg')
        made.append(('security_group', sg.id))
        for proto in ('icmp', 'tcp'):
            conn.network.create_security_group_rule(
                security_group_id=sg.id, direction='ingress',
                protocol=proto, ethertype='IPv4')
        # One subnet a network, as the plugin makes them: Neutron's DHCP
        # agent can miss a second subnet added to a network while it is
        # still starting dnsmasq for the first (2026-12-07: dnsmasq served
        # 10.200.1.0/24 only, and c's DISCOVERs on 10.200.2.0/24 got "no
        # address available" for minutes).
        nets, subnets = [], []
        for i in (1, 2):
            net = conn.network.create_network(name='smoke-net%d' % i)
            made.append(('network', net.id))
            nets.append(net)
            subnets.append(conn.network.create_subnet(
                network_id=net.id, ip_version=4, cidr='10.200.%d.0/24' % i,
                name='smoke-subnet%d' % i))
        net = nets[0]
        result['network'] = {'type': net.provider_network_type,
                             'physnet': net.provider_physical_network,
                             'vlan': net.provider_segmentation_id}
        router = conn.network.create_router(
            name='smoke-router', external_gateway_info={
                'network_id': conn.network.find_network('public').id})
        made.append(('router', router.id))
        for sn in subnets:
            conn.network.add_interface_to_router(router, subnet_id=sn.id)
            made.append(('router_interface', (router.id, sn.id)))
        image = conn.image.find_image(provision.IMAGE_NAME)
        flavor = conn.compute.find_flavor('lab.small')
        # Where a VF cannot reach a's OVS port on a's host, d goes to the
        # other host.
        d_host, e_host = (('compute1', 'compute2')
                          if layout.vf_reaches_local_ovs()
                          else ('compute2', 'compute1'))
        plan = {'a': ('compute1', 0, 'normal'), 'b': ('compute2', 0, 'normal'),
                'c': ('compute1', 1, 'normal'),
                'd': (d_host, 0, 'direct'),
                'e': (e_host, 0, 'direct')}
        servers = {}
        for name, (host, sn, vnic) in plan.items():
            port = conn.network.create_port(
                network_id=nets[sn].id, security_group_ids=[sg.id],
                fixed_ips=[{'subnet_id': subnets[sn].id}],
                binding_vnic_type=vnic)
            made.append(('port', port.id))
            server = conn.compute.create_server(
                name='smoke-' + name, image_id=image.id,
                flavor_id=flavor.id, key_name=kp.name,
                networks=[{'port': port.id}],
                availability_zone='nova:' + host)
            made.append(('server', server.id))
            servers[name] = (server, port)
        start = time.monotonic()
        for name, (server, port) in servers.items():
            s = conn.compute.wait_for_server(server, wait=TIMEOUT)
            if s.compute_host != plan[name][0]:
                raise SmokeFailure('%s landed on %s, not %s' % (
                    name, s.compute_host, plan[name][0]))
        result['boot_seconds'] = round(time.monotonic() - start, 1)
        ips = {n: conn.network.get_port(p.id).fixed_ips[0]['ip_address']
               for n, (s, p) in servers.items()}
        fip = conn.network.create_ip(
            floating_network_id=conn.network.find_network('public').id,
            port_id=servers['a'][1].id)
        made.append(('floating_ip', fip.id))
        addr = fip.floating_ip_address
        status = wait('SSH to a at %s' % addr, lambda: _try(
            lambda: ssh(addr, key, 'true')), timeout=120)
        result['ssh'] = 'ok' if status[0] == 0 else status
        for peer in ('b', 'c'):
            out = ping_within(conn, servers[peer][0], peer, ips[peer],
                              addr, key)
            result['ping_a_to_%s' % peer] = out.strip().splitlines()[-1]
        rc, out, err = ssh(addr, key, 'iperf3 -c %s -t 10 -O 2 -J'
                           % ips['b'], timeout=60)
        doc = json.loads(out)
        if rc != 0 or 'error' in doc:
            raise SmokeFailure('iperf3 a -> b failed: %s' % doc.get('error'))
        gbps = doc['end']['sum_received']['bits_per_second'] / 1e9
        result['iperf3_compute1_to_compute2_gbps'] = round(gbps, 3)
        result['iperf3_sender_cpu_percent'] = round(
            doc['end']['cpu_utilization_percent']['host_total'], 1)
        if gbps <= 0:
            raise SmokeFailure('iperf3 a -> b reported no traffic')
        result.update(check_direct(conn, servers, ips, addr, key, d_host))
        result.update(check_power(conn, servers, ips, addr, key))
        pid = servers['a'][1].id
        result.update(check_hybrid_plug(pid) if layout.hybrid_plug()
                      else check_ovn_plug(pid))
        result['verdict'] = 'pass'
    except SmokeFailure as e:
        result['verdict'] = 'fail: %s' % e
    finally:
        _cleanup(conn, made)
    print(json.dumps(result, indent=1))
    return 0 if result.get('verdict') == 'pass' else 1


def check_hybrid_plug(pid):
    """ML2/OVS: a's port has its hybrid plug on compute1: tap, qbr,
    qvb/qvo, and the qvo on br-int with the port's iface-id.
    """
    result = {}
    links = node_cmd('compute1', 'ip', '-o', 'link')
    devices = {p + pid[:11] for p in ('tap', 'qbr', 'qvb', 'qvo')}
    missing = sorted(d for d in devices if d + ':' not in links
                     and d + '@' not in links)
    if missing:
        raise SmokeFailure('compute1 lacks %s for port %s' % (missing,
                                                              pid))
    result['hybrid_plug_devices'] = sorted(devices)
    ovs = node_cmd('compute1', 'ovs-vsctl', '--bare', '--columns=name',
                   'find', 'interface',
                   'external_ids:iface-id=%s' % pid).split()
    br = node_cmd('compute1', 'ovs-vsctl', 'port-to-br',
                  'qvo' + pid[:11]).strip()
    if ovs != ['qvo' + pid[:11]] or br != 'br-int':
        raise SmokeFailure('qvo of port %s not on br-int with its '
                           'iface-id: %s on %s' % (pid, ovs, br))
    result['ovs_port'] = '%s on %s, iface-id %s' % (ovs[0], br, pid)
    return result


def check_ovn_plug(pid):
    """ML2/OVN: a's tap is on br-int itself with its iface-id, and no
    qbr/qvb/qvo exists for it (no hybrid plug).
    """
    links = node_cmd('compute1', 'ip', '-o', 'link')
    hybrid = [p + pid[:11] for p in ('qbr', 'qvb', 'qvo')
              if p + pid[:11] in links]
    ovs = node_cmd('compute1', 'ovs-vsctl', '--bare', '--columns=name',
                   'find', 'interface',
                   'external_ids:iface-id=%s' % pid).split()
    br = node_cmd('compute1', 'ovs-vsctl', 'port-to-br',
                  'tap' + pid[:11]).strip() if ovs else ''
    if hybrid or ovs != ['tap' + pid[:11]] or br != 'br-int':
        raise SmokeFailure('port %s is not a tap straight on br-int with '
                           'its iface-id: hybrid devices %s, OVS '
                           'interfaces %s on %r' % (pid, hybrid, ovs, br))
    return {'ovs_port': '%s on %s, iface-id %s (no hybrid plug)' % (
        ovs[0], br, pid)}


def check_direct(conn, servers, ips, addr, key, host):
    """d and e: direct ports on ``host`` and the other compute node."""
    out = {}
    port = conn.network.get_port(servers['d'][1].id)
    slot = (port.binding_profile or {}).get('pci_slot')
    if port.binding_vif_type != 'hw_veb' or not slot:
        raise SmokeFailure('direct port %s bound %s with profile %s' % (
            port.id, port.binding_vif_type, port.binding_profile))
    out['direct_binding'] = '%s, pci_slot %s' % (port.binding_vif_type,
                                                 slot)
    # The card says which namespace holds the VF at pci_slot.
    fw = card.firmware(layout.State.default(), faults.node_named(host))
    spec = fw.spec
    index = fw.index_of(slot)
    vf_state = fw.vfs()[index]
    holder = vf_state['assigned_to']
    want = layout.GUEST_NETNS_PREFIX + servers['d'][0].id
    if holder != want:
        raise SmokeFailure('VF %s is held by %s, not %s'
                           % (slot, holder, want))
    mac = subprocess.run(['ip', '-n', want, '-o', 'link', 'show', 'eth0'],
                         capture_output=True, text=True,
                         check=True).stdout
    if port.mac_address not in mac:
        raise SmokeFailure('the guest NIC of d is not its VF: %s' % mac)
    out['direct_vf'] = 'VF %d (%s) is eth0 of %s' % (index, slot, want)
    # The SR-IOV agent turned the VF's spoof check on (port security):
    # the card's switch passes only the port's MAC from it.
    if not vf_state.get('spoofchk'):
        raise SmokeFailure('VF %d of the direct port has spoofchk off'
                           % index)
    flows = subprocess.run(
        ['ip', 'netns', 'exec', spec['netns'], 'ovs-ofctl', 'dump-flows',
         nic_switch.SWITCH, 'table=%d,in_port=%s' % (
             nic_veb.INGRESS, nic_device.vf_rep(index))],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, OVS_RUNDIR=spec['ovs_dir'])).stdout
    if 'dl_src=%s' % port.mac_address not in flows or \
            'actions=drop' not in flows:
        raise SmokeFailure('the card does not enforce the spoof check of '
                           'VF %d: %s' % (index, flows))
    out['direct_spoofchk'] = 'card passes only %s from VF %d' % (
        port.mac_address, index)
    links = node_cmd(host, 'ip', '-o', 'link')
    found = [p + port.id[:11] for p in ('tap', 'qbr', 'qvb', 'qvo')
             if p + port.id[:11] in links]
    ovs = node_cmd(host, 'ovs-vsctl', '--bare', '--columns=name',
                   'find', 'interface',
                   'external_ids:iface-id=%s' % port.id).split()
    if found or ovs:
        raise SmokeFailure('%s has OVS-path devices for the direct '
                           'port: %s %s' % (host, found, ovs))
    out['direct_no_ovs_hops'] = 'no tap/qbr/qvb/qvo, no OVS port'
    # d is reached from a (same network) and measures to e: VF to VF
    # across the wire.
    ping_within(conn, servers['d'][0], 'd', ips['d'], addr, key)
    d_ns = want
    res = subprocess.run(['ip', 'netns', 'exec', d_ns, 'iperf3', '-c',
                          ips['e'], '-t', '10', '-O', '2', '-J'],
                         capture_output=True, text=True, timeout=60)
    doc = json.loads(res.stdout)
    if 'error' in doc:
        raise SmokeFailure('iperf3 d -> e failed: %s' % doc['error'])
    out['iperf3_vf_d_to_e_gbps'] = round(
        doc['end']['sum_received']['bits_per_second'] / 1e9, 3)
    return out


#: How long a booted guest may take to answer a first ping from a: its
#: DHCP client asks for its address only once it runs, after the boot
#: (Tempest's own ping checks retry for ``[validation] ping_timeout``).
PING_WITHIN = 60


def ping_within(conn, server, name, ip, addr, key):
    """Ping ``name`` at ``ip`` from a until it answers; a guest that does
    not within PING_WITHIN s fails the smoke with its console's tail (its
    DHCP client's last words).
    """
    deadline = time.monotonic() + PING_WITHIN
    while True:
        rc, out, err = ssh(addr, key, 'ping -c 3 -W 2 %s' % ip)
        if rc == 0:
            return out
        if time.monotonic() > deadline:
            break
        time.sleep(2)
    console = _try(lambda: conn.compute.get_server_console_output(
        server, length=15)) or {}
    raise SmokeFailure('a cannot ping %s (%s) within %d s: %s; console of '
                       '%s ends:\n%s' % (name, ip, PING_WITHIN, out[-300:],
                                         name, console.get('output', '')))


def _pings(addr, key, ip):
    return ssh(addr, key, 'ping -c 2 -W 1 %s' % ip)[0] == 0


def check_power(conn, servers, ips, addr, key):
    """Stop, start and reboot behave like a real VM's power: a stopped
    guest is silent (c: normal, d: direct, pinged from a), a started or
    rebooted one answers again.
    """
    out = {}
    pair = [servers[n][0] for n in ('c', 'd')]
    for server in pair:
        conn.compute.stop_server(server)
    for server in pair:
        conn.compute.wait_for_server(server, status='SHUTOFF', wait=TIMEOUT)
    for name in ('c', 'd'):
        if _pings(addr, key, ips[name]):
            raise SmokeFailure('%s answers ping while stopped' % name)
    out['stopped_c_d'] = 'silent (no ping reply)'
    for server in pair:
        conn.compute.start_server(server)
    for server in pair:
        conn.compute.wait_for_server(server, status='ACTIVE', wait=TIMEOUT)
    for name in ('c', 'd'):
        wait('%s to answer ping after start' % name,
             lambda: _pings(addr, key, ips[name]), timeout=60)
    out['started_c_d'] = 'answer ping'
    conn.compute.reboot_server(pair[1], 'SOFT')
    conn.compute.wait_for_server(pair[1], status='ACTIVE', wait=TIMEOUT)
    wait('d to answer ping after reboot',
         lambda: _pings(addr, key, ips['d']), timeout=60)
    out['rebooted_d'] = 'answers ping'
    return out


def _try(fn):
    try:
        return fn()
    except Exception:
        return None


def _cleanup(conn, made):
    servers = [i for k, i in made if k == 'server']
    for kind, ident in reversed(made):
        try:
            if kind == 'server':
                conn.compute.delete_server(ident)
            elif kind == 'floating_ip':
                conn.network.delete_ip(ident)
        except Exception:
            pass
    for sid in servers:
        try:
            conn.compute.wait_for_delete(conn.compute.get_server(sid),
                                         wait=TIMEOUT)
        except Exception:
            pass
    for kind, ident in reversed(made):
        try:
            if kind == 'port':
                conn.network.delete_port(ident)
            elif kind == 'router_interface':
                conn.network.remove_interface_from_router(
                    ident[0], subnet_id=ident[1])
            elif kind == 'router':
                conn.network.delete_router(ident)
            elif kind == 'network':
                conn.network.delete_network(ident)
            elif kind == 'security_group':
                conn.network.delete_security_group(ident)
            elif kind == 'keypair':
                conn.compute.delete_keypair(ident)
        except Exception as e:
            print('cleanup of %s %s failed: %s' % (kind, ident, e),
                  file=sys.stderr)


if __name__ == '__main__':
    sys.exit(main())
