"""Cloud content of the lab, created through the real APIs (openstacksdk).

Run inside the lab's venv: ``python -m lab.provision identity|resources``
with the admin password in ``OS_PASSWORD``. Prints JSON of what it made.
"""

import json
import os
import sys
import time

import openstack

from lab import layout

SERVICES = {
    # name: (type, port, path, description)
    'placement': ('placement', layout.PORTS['placement'], '',
                  'Placement'),
    'glance': ('image', layout.PORTS['glance'], '', 'Image'),
    'nova': ('compute', layout.PORTS['nova'], '/v2.1', 'Compute'),
    'neutron': ('network', layout.PORTS['neutron'], '', 'Networking'),
}
FLAVORS = (
    # name, vcpus, ram MB, disk GB
    ('lab.small', 1, 256, 1),
    ('lab.medium', 1, 512, 1),
)
IMAGE_NAME = 'lab-guest'


def connect():
    return openstack.connect(
        auth_url='http://%s:%d/v3' % (layout.CONTROLLER_IP,
                                      layout.PORTS['keystone']),
        username='admin', password=os.environ['OS_PASSWORD'],
        project_name='admin', user_domain_name='Default',
        project_domain_name='Default', region_name=layout.REGION,
        identity_api_version='3')


def identity(conn, service_password):
    project = conn.identity.find_project('service') or \
        conn.identity.create_project(name='service', domain_id='default',
                                     description='Service users')
    admin_role = conn.identity.find_role('admin')
    service_role = conn.identity.find_role('service') or \
        conn.identity.create_role(name='service')
    for name, (stype, port, path, desc) in SERVICES.items():
        user = conn.identity.find_user(name, domain_id='default')
        if user is None:
            user = conn.identity.create_user(name=name, domain_id='default',
                                             password=service_password)
        for role in (admin_role, service_role):
            conn.identity.assign_project_role_to_user(project, user, role)
        service = conn.identity.find_service(name) or \
            conn.identity.create_service(name=name, type=stype,
                                         description=desc)
        url = 'http://%s:%d%s' % (layout.CONTROLLER_IP, port, path)
        have = {e.interface for e in conn.identity.endpoints(
            service_id=service.id)}
        for interface in ('public', 'internal', 'admin'):
            if interface not in have:
                conn.identity.create_endpoint(
                    service_id=service.id, interface=interface, url=url,
                    region_id=layout.REGION)
    return {'service_project': project.id}


def resources(conn, image_file):
    made = {}
    for name, vcpus, ram, disk in FLAVORS:
        flavor = conn.compute.find_flavor(name) or conn.compute.create_flavor(
            name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True)
        made[name] = flavor.id
    image = conn.image.find_image(IMAGE_NAME)
    if image is None:
        image = conn.image.create_image(
            name=IMAGE_NAME, filename=image_file, disk_format='raw',
            container_format='bare', visibility='public',
            wait=True, timeout=120,
            # What the guest offers, for people reading the image list.
            lab_guest='network namespace with sshd and iperf3')
    made['image'] = image.id
    net = conn.network.find_network('public')
    if net is None:
        net = conn.network.create_network(
            name='public', is_router_external=True, is_shared=False,
            provider_network_type='flat',
            provider_physical_network=layout.PUBLIC_PHYSNET)
        conn.network.create_subnet(
            network_id=net.id, name='public-subnet', ip_version=4,
            cidr=layout.EXT_CIDR, gateway_ip=layout.EXT_HOST_IP,
            is_dhcp_enabled=False,
            allocation_pools=[{'start': layout.EXT_POOL[0],
                               'end': layout.EXT_POOL[1]}])
    made['public_network'] = net.id
    return made


def wait_compute_and_agents(conn, timeout):
    """Both nova-computes up in a cell and every Neutron agent alive."""
    deadline = time.monotonic() + timeout
    want_hosts = {n.name for n in layout.COMPUTES}
    if layout.ML2 == 'ovn':
        # Neutron lists each chassis's ovn-controller as an agent: the
        # network node's as a gateway.
        want_agents = {('OVN Controller agent', n.name)
                       for n in layout.COMPUTES}
        want_agents.add(('OVN Controller Gateway agent',
                         layout.NETWORK.name))
    else:
        want_agents = {('Open vSwitch agent', n.name) for n in layout.NODES}
        want_agents.add(('L3 agent', layout.NETWORK.name))
        want_agents.add(('DHCP agent', layout.NETWORK.name))
    want_agents.update(('NIC Switch agent', n.name) for n in layout.COMPUTES)
    while True:
        hypervisors = {h.name for h in conn.compute.hypervisors()
                       if h.state == 'up'}
        hosts = {s.host for s in conn.compute.services()
                 if s.binary == 'nova-compute' and s.state == 'up'}
        agents = {(a.agent_type, a.host) for a in conn.network.agents()
                  if a.is_alive}
        missing = sorted(want_hosts - (hosts & hypervisors)) + sorted(
            '%s on %s' % a for a in want_agents - agents)
        if not missing:
            return
        if time.monotonic() > deadline:
            raise SystemExit('not up after %d s: %s' % (timeout,
                                                        ', '.join(missing)))
        time.sleep(2)


def _until(ready, timeout, failure):
    """Poll ``ready()`` every 2 s until it is true; exit with ``failure``
    (and the timeout) after ``timeout`` s.
    """
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit('%s after %d s' % (failure, timeout))
        time.sleep(2)


def wait_agent_dead(conn, agent_type, host, timeout):
    """Until Neutron no longer counts the agent alive (agent_down_time)."""
    _until(lambda: not any(a.is_alive for a in conn.network.agents(host=host)
                           if a.agent_type == agent_type), timeout,
           'Neutron still counts the %s on %s alive' % (agent_type, host))


def wait_agent_type(conn, agent_type, host, timeout):
    """Until Neutron lists an alive agent of ``agent_type`` on ``host``
    (ML2/OVN names a chassis's ovn-controller by its ovn-cms-options: a
    gateway or not).
    """
    _until(lambda: any(a.is_alive and a.agent_type == agent_type
                       for a in conn.network.agents(host=host)), timeout,
           'Neutron lists no alive %s on %s' % (agent_type, host))


def wait_agent_maps(conn, host, physnet, want, timeout):
    """Until the NIC Switch agent on ``host`` is alive and reports
    ``physnet`` in its device_mappings (``want`` "yes") or not ("no").
    """
    def ready():
        maps = [physnet in ((a.configuration or {}).get('device_mappings')
                            or {}) for a in conn.network.agents(host=host)
                if a.agent_type == 'NIC Switch agent' and a.is_alive]
        return maps and all(m == (want == 'yes') for m in maps)

    _until(ready, timeout, 'the NIC Switch agent on %s does not report %s '
           '%s its device_mappings' % (host, physnet, 'in' if want == 'yes'
                                       else 'out of'))


def inventory(conn):
    """Every resource of the cloud by kind: {kind: {id: name}}.

    ``lab up`` keeps one taken after provisioning; ``lab leftovers``
    compares the cloud with it, independently of the plugin's cleanup.
    """
    users = list(conn.identity.users())
    keypairs = {}
    for user in users:
        for pair in conn.compute.keypairs(user_id=user.id):
            keypairs['%s/%s' % (user.id, pair.name)] = pair.name
    kinds = {
        'server': conn.compute.servers(all_projects=True),
        'port': conn.network.ports(),
        'network': conn.network.networks(),
        'subnet': conn.network.subnets(),
        'router': conn.network.routers(),
        'floatingip': conn.network.ips(),
        'security_group': conn.network.security_groups(),
        'project': conn.identity.projects(),
        'user': users,
    }
    out = {kind: {r.id: r.name or getattr(r, 'floating_ip_address', '') or
                  getattr(r, 'device_owner', '') or ''
                  for r in listing} for kind, listing in kinds.items()}
    out['keypair'] = keypairs
    return out


def main(argv):
    conn = connect()
    if argv[0] == 'identity':
        out = identity(conn, os.environ['LAB_SERVICE_PASSWORD'])
    elif argv[0] == 'wait':
        wait_compute_and_agents(conn, int(argv[1]))
        out = {}
    elif argv[0] == 'agent-maps':
        wait_agent_maps(conn, argv[1], argv[2], argv[3], int(argv[4]))
        out = {}
    elif argv[0] == 'agent-dead':
        wait_agent_dead(conn, argv[1], argv[2], int(argv[3]))
        out = {}
    elif argv[0] == 'agent-type':
        wait_agent_type(conn, argv[1], argv[2], int(argv[3]))
        out = {}
    elif argv[0] == 'inventory':
        out = inventory(conn)
    elif argv[0] == 'resources':
        out = resources(conn, argv[1])
    else:
        raise SystemExit('unknown step %s' % argv[0])
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1:])
