"""Each OpenStack service's configuration, as data.

Pure functions of the lab's state folder (only its paths are used) and its
secrets: no file is read or written here, so every file's sections can be
unit-tested (lab/tests/test_service_conf.py). ``openstack.write_configs``
writes them with ``inifile``.
"""

import json
import os

from lab import card
from lab import layout
from lab.nic import device as nic_device


def keystone_url():
    return 'http://%s:%d/v3' % (layout.CONTROLLER_IP,
                                layout.PORTS['keystone'])


def db_url(secrets, name):
    return 'mysql+pymysql://lab:%s@127.0.0.1:%d/%s?charset=utf8' % (
        secrets['db'], layout.PORTS['mariadb'], name)


def transport_url(secrets):
    return 'rabbit://lab:%s@%s:%d/' % (secrets['rabbit'],
                                       layout.CONTROLLER_IP,
                                       layout.PORTS['rabbitmq'])


def paste(state, project, name):
    """A paste file as the project's package installed it in the venv."""
    return state.path('venv', 'etc', project, name)


def lock_path(state):
    return state.path('data', 'lock')


def instances_path(state, node):
    return state.path('data', 'nova', node.name, 'instances')


def _auth(secrets, user):
    return {'auth_url': keystone_url(), 'auth_type': 'password',
            'project_domain_name': 'Default', 'user_domain_name': 'Default',
            'project_name': 'service', 'username': user,
            'password': secrets['service'],
            'region_name': layout.REGION}


def _authtoken(secrets, user):
    values = _auth(secrets, user)
    values['www_authenticate_uri'] = keystone_url()
    values['service_token_roles_required'] = True
    return values


def keystone(state, secrets):
    keys = state.path('data', 'keystone')
    return {
        'DEFAULT': {'debug': False},
        'database': {'connection': db_url(secrets, 'keystone')},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {'key_repository': os.path.join(keys, 'fernet')},
        'fernet_receipts': {'key_repository': os.path.join(keys, 'fernet')},
        'credential': {'key_repository': os.path.join(keys, 'credential')},
    }


def placement(state, secrets):
    return {
        'DEFAULT': {'debug': False},
        'placement_database': {'connection': db_url(secrets, 'placement')},
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': _authtoken(secrets, 'placement'),
    }


def glance(state, secrets):
    return {
        'DEFAULT': {'debug': False, 'enabled_backends': 'fs:file'},
        'database': {'connection': db_url(secrets, 'glance')},
        'keystone_authtoken': _authtoken(secrets, 'glance'),
        'paste_deploy': {'flavor': 'keystone',
                         'config_file': paste(state, 'glance',
                                              'glance-api-paste.ini')},
        'glance_store': {'default_backend': 'fs'},
        'fs': {'filesystem_store_datadir': state.path('data', 'glance',
                                                      'images')},
        'oslo_concurrency': {'lock_path': lock_path(state)},
        'os_glance_staging_store': {
            'filesystem_store_datadir': state.path('data', 'glance',
                                                   'staging')},
        'os_glance_tasks_store': {
            'filesystem_store_datadir': state.path('data', 'glance',
                                                   'tasks')},
    }


def _nova_common(state, secrets):
    return {
        'DEFAULT': {'transport_url': transport_url(secrets),
                    'debug': False},
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': _authtoken(secrets, 'nova'),
        'service_user': dict(_auth(secrets, 'nova'),
                             send_service_user_token=True),
        'placement': _auth(secrets, 'placement'),
        'neutron': dict(_auth(secrets, 'neutron'),
                        service_metadata_proxy=False),
        'glance': {'region_name': layout.REGION},
        'oslo_concurrency': {'lock_path': lock_path(state)},
        'wsgi': {'api_paste_config': paste(state, 'nova', 'api-paste.ini')},
        'scheduler': {'discover_hosts_in_cells_interval': 5},
        'filter_scheduler': {'enabled_filters': [
            'ComputeFilter',
            'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
            'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter',
            'SameHostFilter', 'DifferentHostFilter',
            'PciPassthroughFilter']},
        'oslo_messaging_notifications': {'driver': 'noop'},
    }


def nova_controller(state, secrets):
    conf = _nova_common(state, secrets)
    conf['DEFAULT'] = dict(conf['DEFAULT'], my_ip=layout.CONTROLLER_IP,
                           state_path=state.path('data', 'nova',
                                                 'controller'))
    conf['api_database'] = {'connection': db_url(secrets, 'nova_api')}
    conf['database'] = {'connection': db_url(secrets, 'nova')}
    return conf


def nova_compute(state, secrets, node):
    """nova-compute of ``node``: the lab's driver and the node's card."""
    conf = _nova_common(state, secrets)
    conf['DEFAULT'] = dict(
        conf['DEFAULT'], host=node.name, my_ip=node.mgmt_ip,
        state_path=state.path('data', 'nova', node.name),
        compute_driver='sriovlab.NetnsDriver',
        vif_plugging_timeout=120, vif_plugging_is_fatal=True,
        instances_path=instances_path(state, node))
    # Root already: privsep helpers start through the sudo shim, not
    # through nova-rootwrap and /etc/nova/rootwrap.conf.
    conf['workarounds'] = {'disable_rootwrap': True}
    conf['os_vif_ovs'] = {'ovsdb_connection': 'tcp:127.0.0.1:6640',
                          'ovsdb_interface': 'native'}
    card_spec = nic_device.spec(card.pf_address(node), layout.CARD_VFS,
                                layout.PHYSNET, layout.PORT_SPEED_MBPS)
    conf['pci'] = {'device_spec': json.dumps(
        nic_device.device_spec(card_spec))}
    conf['lab'] = {'node_name': node.name,
                   'nic_dir': card.card_dir(state, node),
                   'guest_netns_prefix': layout.GUEST_NETNS_PREFIX,
                   'guests_dir': state.path('data', 'guests')}
    return conf


def neutron(state, secrets):
    return {
        'DEFAULT': {
            'core_plugin': 'ml2',
            # ML2/OVN routes with OVN's own router (no L3 agent).
            'service_plugins': 'ovn-router,qos' if layout.ML2 == 'ovn'
            else 'router,qos',
            'transport_url': transport_url(secrets), 'debug': False,
            'auth_strategy': 'keystone',
            'api_paste_config': paste(state, 'neutron', 'api-paste.ini'),
            'state_path': state.path('data', 'neutron'),
            'notify_nova_on_port_status_changes': True,
            'notify_nova_on_port_data_changes': True,
            'global_physnet_mtu': 1500,
        },
        'database': {'connection': db_url(secrets, 'neutron')},
        'keystone_authtoken': _authtoken(secrets, 'neutron'),
        'nova': _auth(secrets, 'nova'),
        'oslo_concurrency': {'lock_path': lock_path(state)},
        'agent': {'root_helper': 'sudo'},
    }


def ml2():
    conf = {
        'ml2': {'type_drivers': 'flat,vlan', 'tenant_network_types': 'vlan',
                'mechanism_drivers': 'openvswitch,sriovnicswitch',
                'extension_drivers': 'port_security,qos,port_trusted'},
        'ml2_type_flat': {'flat_networks': layout.PUBLIC_PHYSNET},
        'ml2_type_vlan': {'network_vlan_ranges': '%s:%d:%d' % (
            (layout.PHYSNET,) + layout.VLAN_RANGE)},
        'securitygroup': {'enable_security_group': True},
    }
    if layout.ML2 == 'ovn':
        # As devstack's and the distributions' ML2/OVN: OVN's own DHCP and
        # routers; tenant networks stay VLANs on physnet1 (the VFs' and
        # the normal ports' alike), so Geneve only joins the chassis.
        conf['ml2'].update(type_drivers='flat,vlan,geneve',
                           mechanism_drivers='ovn,sriovnicswitch')
        conf['ml2_type_geneve'] = {'vni_ranges': '1:1000',
                                   'max_header_size': 38}
        conf['ovn'] = {
            'ovn_nb_connection': OVN_NB, 'ovn_sb_connection': OVN_SB,
            'ovn_l3_scheduler': 'leastloaded',
            # The lab's guests take no metadata (their keys come with the
            # hypervisor's files), as on ML2/OVS.
            'ovn_metadata_enabled': False,
            'enable_distributed_floating_ip': False,
        }
    return conf


#: The OVN Northbound and Southbound databases, on the controller.
OVN_NB = 'tcp:%s:6641' % layout.CONTROLLER_IP
OVN_SB = 'tcp:%s:6642' % layout.CONTROLLER_IP


#: The Open_vSwitch external_ids key of a chassis's CMS options.
OVN_CMS_OPTIONS = 'ovn-cms-options'


def ovn_chassis(node):
    """The node's Open_vSwitch ``external_ids`` that make ovn-controller
    a chassis, as a deployment tool sets them: the network node is the
    gateway and the external-port host (the VF ports' DHCP).
    """
    mappings = ['%s:%s' % (layout.PHYSNET, layout.PHYS_BRIDGE)]
    ids = {'system-id': node.name, 'hostname': node.name,
           'ovn-remote': OVN_SB, 'ovn-encap-type': 'geneve',
           'ovn-encap-ip': node.mgmt_ip,
           'ovn-bridge-datapath-type': 'netdev'}
    if node.role == 'network':
        mappings.append('%s:%s' % (layout.PUBLIC_PHYSNET, layout.EXT_BRIDGE))
        ids[OVN_CMS_OPTIONS] = ('enable-chassis-as-gw,'
                                'enable-chassis-as-extport-host')
    ids['ovn-bridge-mappings'] = ','.join(mappings)
    return ids


def ovs_agent(node):
    mappings = ['%s:%s' % (layout.PHYSNET, layout.PHYS_BRIDGE)]
    if node.role == 'network':
        mappings.append('%s:%s' % (layout.PUBLIC_PHYSNET, layout.EXT_BRIDGE))
    conf = {
        'DEFAULT': {'host': node.name},
        'ovs': {'bridge_mappings': mappings, 'datapath_type': 'netdev',
                'integration_bridge': 'br-int',
                'ovsdb_connection': 'tcp:127.0.0.1:6640',
                'of_listen_address': '127.0.0.1'},
        'agent': {'tunnel_types': '', 'l2_population': False,
                  'root_helper': 'sudo'},
        'securitygroup': {'firewall_driver': 'iptables_hybrid',
                          'enable_security_group': True},
    }
    if node.role != 'network':
        # A compute node's PF is shared by its VFs and its OVS ports: the
        # NIC's switch forwards by its filter table, so a VF reaches a
        # normal port of its own host only through the PF's FDB, which
        # Neutron's FDB extension fills with the normal ports' MACs (as
        # a real SR-IOV + OVS deployment must enable it).
        conf['agent']['extensions'] = 'fdb'
        conf['FDB'] = {'shared_physical_device_mappings': '%s:%s' % (
            layout.PHYSNET, nic_device.PF_DEVICE)}
    return conf


def sriov_agent(node, mapped=True):
    """The node's SR-IOV agent; ``mapped=False``: its
    ``physical_device_mappings`` left empty, as on a host whose deployment
    missed it (fault no-agent-mapping).
    """
    return {
        'DEFAULT': {'host': node.name},
        'sriov_nic': {'physical_device_mappings': '%s:%s' % (
            layout.PHYSNET, nic_device.PF_DEVICE) if mapped else ''},
        'securitygroup': {'firewall_driver': 'noop'},
        # QoS: a port's bandwidth-limit rule becomes its VF's max_tx_rate.
        'agent': {'root_helper': 'sudo', 'extensions': 'qos'},
    }


def l3_agent():
    return {
        'DEFAULT': {'host': layout.NETWORK.name,
                    'interface_driver': 'openvswitch',
                    # Userspace OVS cannot follow an internal port into a
                    # router namespace; a veth pair can.
                    'ovs_use_veth': True},
        'ovs': {'integration_bridge': 'br-int',
                'ovsdb_connection': 'tcp:127.0.0.1:6640'},
        'agent': {'root_helper': 'sudo'},
    }


def dhcp_agent(state):
    """The network node's DHCP agent: a dnsmasq per network with DHCP,
    in a qdhcp- namespace on br-int, which answers the VF ports over
    their VLAN (through the physical network) as it answers OVS ports.
    Each dnsmasq logs its DHCP exchanges under logs/dnsmasq/<network>.
    """
    return {
        'DEFAULT': {'host': layout.NETWORK.name,
                    'interface_driver': 'openvswitch',
                    # Userspace OVS cannot follow an internal port into a
                    # namespace; a veth pair can (as for the L3 agent).
                    'ovs_use_veth': True,
                    'dhcp_driver': 'neutron.agent.linux.dhcp.Dnsmasq',
                    'enable_isolated_metadata': False,
                    'dnsmasq_base_log_dir': os.path.join(state.logs,
                                                         'dnsmasq')},
        'ovs': {'integration_bridge': 'br-int',
                'ovsdb_connection': 'tcp:127.0.0.1:6640'},
        'agent': {'root_helper': 'sudo'},
    }


def all_configs(state, secrets):
    """``{(project, file name): sections}`` of every file under etc/."""
    configs = {
        ('keystone', 'keystone.conf'): keystone(state, secrets),
        ('placement', 'placement.conf'): placement(state, secrets),
        ('glance', 'glance-api.conf'): glance(state, secrets),
        ('nova', 'nova.conf'): nova_controller(state, secrets),
        ('neutron', 'neutron.conf'): neutron(state, secrets),
        ('neutron', 'ml2_conf.ini'): ml2(),
    }
    if layout.ML2 == 'ovs':
        configs[('neutron', 'l3-network.ini')] = l3_agent()
        configs[('neutron', 'dhcp-network.ini')] = dhcp_agent(state)
    for node in layout.COMPUTES:
        configs[('nova', 'nova-%s.conf' % node.name)] = nova_compute(
            state, secrets, node)
        configs[('neutron', 'sriov-%s.ini' % node.name)] = sriov_agent(node)
    for node in layout.NODES if layout.ML2 == 'ovs' else ():
        configs[('neutron', 'ovs-%s.ini' % node.name)] = ovs_agent(node)
    return configs
