"""A Nova virt driver whose instances are network namespaces.

Set ``[DEFAULT] compute_driver = sriovlab.NetnsDriver`` (the lab installs
``nova/virt/sriovlab.py``, which imports this class: Nova loads drivers
from its own ``nova.virt`` package only). Everything
above the hypervisor is Nova's own: scheduling, claims, the resource
tracker, port binding through Neutron and the wait for Neutron's
``network-vif-plugged`` events. Normal (OVS) ports are plugged with os-vif,
the way Nova's libvirt driver plugs them (hybrid plug: qbr, qvb, qvo); the
guest's NIC is the far end of a veth pair whose near end is the ``tap``
device on ``qbr``, where libvirt would put the TAP of a QEMU guest.
"""

import json
import os
import shutil
import signal
import subprocess
import time

from nova.compute import power_state
from nova import exception
from nova.network import model as network_model
from nova.network import os_vif_util
from nova.objects import fields as obj_fields
from nova.virt import driver
from nova.virt import hardware
import os_vif
from oslo_concurrency import processutils
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import strutils
from oslo_utils import units

from lab import layout
from lab.nic import device as nic_device
from lab.nic import firmware as nic_firmware
from lab.nic import state as nic_state
from lab.virt import guest

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

lab_opts = [
    cfg.StrOpt('node_name', help='The lab node this nova-compute is.'),
    cfg.StrOpt('guest_netns_prefix', default='sriovlab-vm-',
               help='Instance namespaces are <prefix><instance uuid>.'),
    cfg.StrOpt('guests_dir', help='Where guests keep sshd files and logs.'),
    cfg.StrOpt('nic_dir', help='The node\'s emulated SR-IOV card '
                               '(lab.nic): spec.json and state.json.'),
]
CONF.register_opts(lab_opts, group='lab')

PLUGGABLE = (network_model.VIF_TYPE_OVS,)
#: hw_veb: the port's VF of the node's card is the guest's NIC.
SUPPORTED = PLUGGABLE + (network_model.VIF_TYPE_HW_VEB,)


def _execute(*cmd, check=True):
    try:
        out, _err = processutils.execute(*cmd)
        return out
    except processutils.ProcessExecutionError:
        if check:
            raise
        return ''


def _run_env(cmd, env):
    processutils.execute(*cmd, env_variables=env or {})


class NetnsDriver(driver.ComputeDriver):
    """Instances are network namespaces on the compute node."""

    capabilities = dict(
        driver.ComputeDriver.capabilities,
        has_imagecache=False,
        supports_evacuate=False,
        supports_attach_interface=False,
        supports_device_tagging=False,
        supports_multiattach=False,
        supports_trusted_certs=False,
        supports_image_type_raw=True,
        supports_image_type_qcow2=True,
    )

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi)
        self._host = None

    # -- host -----------------------------------------------------------------

    def init_host(self, host):
        self._host = host
        os.makedirs(self._guests_root(), exist_ok=True)

    def get_available_nodes(self, refresh=False):
        return [CONF.host]

    def get_host_ip_addr(self):
        return CONF.my_ip

    def _guests_root(self):
        return os.path.join(CONF.lab.guests_dir, CONF.lab.node_name)

    def _host_totals(self):
        vcpus = os.cpu_count() or 1
        with open('/proc/meminfo') as f:
            mem_kb = int(next(line for line in f
                              if line.startswith('MemTotal')).split()[1])
        disk = shutil.disk_usage(CONF.instances_path)
        return vcpus, mem_kb // 1024, disk.total // units.Gi, \
            disk.free // units.Gi

    def get_available_resource(self, nodename):
        vcpus, mem_mb, disk_gb, free_gb = self._host_totals()
        return {
            'vcpus': vcpus, 'memory_mb': mem_mb, 'local_gb': disk_gb,
            'vcpus_used': 0, 'memory_mb_used': 0, 'local_gb_used': 0,
            'hypervisor_type': 'netns',
            'hypervisor_version': 1000,
            'hypervisor_hostname': nodename,
            'cpu_info': json.dumps({'arch': 'x86_64', 'model': 'host',
                                    'vendor': 'lab', 'features': [],
                                    'topology': {'sockets': 1,
                                                 'cores': vcpus,
                                                 'threads': 1}}),
            'disk_available_least': free_gb,
            'supported_instances': [(obj_fields.Architecture.X86_64,
                                     obj_fields.HVType.KVM,
                                     obj_fields.VMMode.HVM)],
            'numa_topology': None,
            # The card's PF and VFs, as the libvirt driver reports a
            # host's PCI devices; [pci] device_spec picks the VFs.
            'pci_passthrough_devices': json.dumps(self._pci_devices()),
        }

    def _pci_devices(self):
        if not CONF.lab.nic_dir:
            return []
        return nic_device.pci_passthrough_devices(
            nic_state.Card(CONF.lab.nic_dir).spec())

    def update_provider_tree(self, provider_tree, nodename, allocations=None):
        vcpus, mem_mb, disk_gb, _free = self._host_totals()
        inv = provider_tree.data(nodename).inventory
        ratios = self._get_allocation_ratios(inv)
        provider_tree.update_inventory(nodename, {
            'VCPU': {'total': vcpus, 'min_unit': 1, 'max_unit': vcpus,
                     'step_size': 1, 'allocation_ratio': ratios['VCPU'],
                     'reserved': CONF.reserved_host_cpus},
            'MEMORY_MB': {'total': mem_mb, 'min_unit': 1,
                          'max_unit': mem_mb, 'step_size': 1,
                          'allocation_ratio': ratios['MEMORY_MB'],
                          'reserved': CONF.reserved_host_memory_mb},
            'DISK_GB': {'total': disk_gb, 'min_unit': 1,
                        'max_unit': disk_gb, 'step_size': 1,
                        'allocation_ratio': ratios['DISK_GB'],
                        'reserved':
                            self._get_reserved_host_disk_gb_from_config()},
        })

    # -- instances ------------------------------------------------------------

    def _netns(self, instance):
        return guest.netns_name(CONF.lab.guest_netns_prefix, instance.uuid)

    def _gdir(self, instance_uuid):
        return guest.guest_dir(CONF.lab.guests_dir, CONF.lab.node_name,
                               instance_uuid)

    def _record(self, instance_uuid):
        try:
            with open(os.path.join(self._gdir(instance_uuid),
                                   'instance.json')) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _save(self, instance_uuid, record):
        path = os.path.join(self._gdir(instance_uuid), 'instance.json')
        with open(path + '.tmp', 'w') as f:
            json.dump(record, f)
        os.replace(path + '.tmp', path)

    def list_instance_uuids(self):
        root = self._guests_root()
        if not os.path.isdir(root):
            return []
        return [u for u in os.listdir(root) if self._record(u)]

    def list_instances(self):
        return [self._record(u)['name'] for u in self.list_instance_uuids()]

    def instance_exists(self, instance):
        return self._record(instance.uuid) is not None

    def get_info(self, instance, use_cache=True):
        record = self._record(instance.uuid)
        if record is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        running = record.get('power') == 'on' and \
            os.path.exists('/run/netns/' + self._netns(instance))
        return hardware.InstanceInfo(
            state=power_state.RUNNING if running else power_state.SHUTDOWN)

    def get_console_output(self, context, instance):
        try:
            with open(guest.console_path(self._gdir(instance.uuid)),
                      'rb') as f:
                return f.read()
        except OSError:
            raise exception.ConsoleNotAvailable()

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        network_info = network_info or []
        for vif in network_info:
            if vif['type'] not in SUPPORTED:
                raise exception.VirtualInterfacePlugException(
                    'the lab driver cannot plug a %s VIF (port %s)'
                    % (vif['type'], vif['id']))
        gdir = self._gdir(instance.uuid)
        os.makedirs(gdir, exist_ok=True)
        self._save(instance.uuid, {'name': instance.name, 'power': 'off',
                                   'vifs': [v['id'] for v in network_info]})
        netns = self._netns(instance)
        events = [('network-vif-plugged', vif['id'])
                  for vif in network_info if vif.get('active', True) is False]
        try:
            with self.virtapi.wait_for_instance_event(
                    instance, events, timeout=CONF.vif_plugging_timeout,
                    error_callback=self._neutron_failed):
                self._create_netns(netns)
                self.plug_vifs(instance, network_info)
                self._attach_nics(instance, netns, network_info)
        except exception.InstanceEventTimeout:
            self._teardown(instance, network_info)
            raise exception.VirtualInterfaceCreateException()
        except Exception:
            LOG.exception('Failed to create the guest', instance=instance)
            self._teardown(instance, network_info)
            raise
        self._write_guest_files(instance, netns, network_info)
        if power_on:
            self._power_on(instance)

    def _neutron_failed(self, event_name, instance):
        LOG.error('Neutron reported failure on event %s', event_name,
                  instance=instance)
        if CONF.vif_plugging_is_fatal:
            raise exception.VirtualInterfaceCreateException()

    @staticmethod
    def _create_netns(netns):
        if not os.path.exists('/run/netns/' + netns):
            _execute('ip', 'netns', 'add', netns)

    def _firmware(self):
        return nic_firmware.Firmware(CONF.lab.nic_dir, _run_env)

    def _attach_vf(self, netns, index, vif):
        """Give the guest the port's VF, as PCI passthrough would.

        The card gets the port's MAC and VLAN first (libvirt does the same
        for an ``<interface type='hostdev'>`` through the PF), and trust
        when the port's binding profile asks for a trusted VF (as Nova's
        libvirt driver plugs it: ``ip link set <pf> vf N trust on``); then
        the VF's netdev leaves the node for the guest's namespace.
        """
        fw = self._firmware()
        vf = fw.index_of(vif['profile']['pci_slot'])
        dev = nic_device.vf_device(vf)
        fw.set_mac_vlan(vf, vif['address'],
                        (vif.get('details') or {}).get('vlan'))
        if strutils.bool_from_string(vif['profile'].get('trusted', 'False')):
            fw.set_trust(vf, True)
        _execute('ip', 'link', 'set', dev, 'down')
        _execute('ip', 'link', 'set', dev, 'address', vif['address'])
        _execute('ip', 'link', 'set', dev, 'netns', netns, 'name',
                 guest.nic_name(index))
        fw.moved(vf, netns, guest.nic_name(index))

    def _detach_vfs(self, netns, network_info):
        """Return the guest's VFs to the node and reset them."""
        fw = None
        for index, vif in enumerate(network_info or []):
            if vif['type'] != network_model.VIF_TYPE_HW_VEB:
                continue
            fw = fw or self._firmware()
            try:
                vf = fw.index_of((vif.get('profile') or {}).get('pci_slot'))
            except KeyError:
                continue
            dev = nic_device.vf_device(vf)
            if os.path.exists('/run/netns/' + netns):
                _execute('ip', '-n', netns, 'link', 'set',
                         guest.nic_name(index), 'down', check=False)
                _execute('ip', '-n', netns, 'link', 'set',
                         guest.nic_name(index), 'netns', str(os.getpid()),
                         'name', dev, check=False)
            if os.path.exists('/sys/class/net/' + dev):
                fw.release(vf)
                _execute('ip', 'link', 'set', dev, 'up', check=False)
            else:
                LOG.error('VF %d (%s) did not come back from %s', vf,
                          dev, netns)

    def _attach_nics(self, instance, netns, network_info):
        """Make the guest's NICs: VFs, and veths from tapXXX (on qbrXXX
        with the hybrid plug, else on the integration bridge).
        """
        for index, vif in enumerate(network_info):
            if vif['type'] == network_model.VIF_TYPE_HW_VEB:
                self._attach_vf(netns, index, vif)
                continue
            tap = vif['devname']
            peer = 'vm' + vif['id'][:11]
            if os.path.exists('/sys/class/net/%s/tun_flags' % tap):
                # os-vif made the tap and its OVS port (Nova's
                # delegate_create); a network namespace cannot hold a tap's
                # other end as QEMU does, so the hypervisor's veth takes
                # its name, and its port is made again below (OVS's
                # userspace datapath keeps reading a port's first device).
                _execute('ovs-vsctl', '--timeout=20', '--if-exists',
                         'del-port', tap)
                _execute('ip', 'link', 'delete', tap)
            if not os.path.exists('/sys/class/net/' + tap):
                _execute('ip', 'link', 'add', tap, 'type', 'veth', 'peer',
                         'name', peer)
                _execute('ip', 'link', 'set', peer, 'netns', netns, 'name',
                         guest.nic_name(index))
            mtu = str(vif['network'].get('meta', {}).get('mtu') or 1500)
            if vif.is_hybrid_plug_enabled():
                _execute('ip', 'link', 'set', tap, 'mtu', mtu, 'master',
                         'qbr' + vif['id'][:11], 'up')
                continue
            # No hybrid plug (ML2/OVN, or ML2/OVS with the openvswitch
            # firewall): the tap itself on the integration bridge, with the
            # external_ids libvirt gives an <interface> of <virtualport
            # type='openvswitch'>; ovn-controller binds the port by iface-id.
            _execute('ip', 'link', 'set', tap, 'mtu', mtu, 'up')
            _execute('ovs-vsctl', '--timeout=20', '--', '--may-exist',
                     'add-port', vif['network']['bridge'], tap, '--', 'set',
                     'Interface', tap,
                     'external_ids:iface-id=%s' % vif['id'],
                     'external_ids:iface-status=active',
                     'external_ids:attached-mac=%s' % vif['address'],
                     'external_ids:vm-uuid=%s' % instance.uuid)

    def _write_guest_files(self, instance, netns, network_info):
        gdir = self._gdir(instance.uuid)
        plan = guest.interface_plan(network_info)
        for cmd in guest.address_commands(netns, plan):
            _execute(*cmd)
        with open(os.path.join(gdir, 'sshd_config'), 'w') as f:
            f.write(guest.sshd_config(gdir, self._login_env()))
        key = os.path.join(gdir, 'ssh_host_ed25519_key')
        if not os.path.exists(key):
            _execute('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f',
                     key)
        with open(os.path.join(gdir, 'authorized_keys'), 'w') as f:
            f.write((instance.key_data or '').strip() + '\n')
        with open(guest.console_path(gdir), 'w') as f:
            f.write(guest.console_log(instance.name, netns, plan))
        record = self._record(instance.uuid)
        record['nics'] = [list(nic) for nic in plan]
        self._save(instance.uuid, record)

    @staticmethod
    def _login_env():
        """The guest's logins run ``ip`` as ``lab/guest-bin/ip``: its VF's
        driver asks the card for a new MAC (``lab.nic.firmware.Firmware``).
        """
        if not CONF.lab.nic_dir:
            return None
        return {'PATH': layout.shim_path('guest-bin'),
                'SRIOV_LAB_NIC_DIR': CONF.lab.nic_dir}

    def _nics(self, instance):
        record = self._record(instance.uuid) or {}
        return [guest.Nic(*nic) for nic in record.get('nics', [])]

    def _power_on(self, instance):
        netns = self._netns(instance)
        gdir = self._gdir(instance.uuid)
        os.makedirs(guest.tmp_dir(gdir), exist_ok=True)
        os.chmod(guest.tmp_dir(gdir), 0o1777)
        os.makedirs(guest.run_dir(gdir), exist_ok=True)
        open(guest.resolv_conf(gdir), 'a').close()
        nics = self._nics(instance)
        for cmd in guest.power_on_commands(netns, nics):
            _execute(*cmd)
        for cmd in guest.start_commands(netns, gdir,
                                        [nic.name for nic in nics]):
            # The daemons must not hold our pipes: processutils would wait
            # for them to close.
            subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True, timeout=30)
        record = self._record(instance.uuid)
        record['power'] = 'on'
        self._save(instance.uuid, record)

    def _power_off(self, instance):
        netns = self._netns(instance)
        self._kill_guest_processes(netns)
        if os.path.exists('/run/netns/' + netns):
            for cmd in guest.power_off_commands(netns, self._nics(instance)):
                _execute(*cmd, check=False)
        record = self._record(instance.uuid)
        if record:
            record['power'] = 'off'
            self._save(instance.uuid, record)

    @staticmethod
    def _kill_guest_processes(netns):
        if not os.path.exists('/run/netns/' + netns):
            return
        pids = [int(p) for p in _execute('ip', 'netns', 'pids', netns,
                                         check=False).split()]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and any(
                    os.path.exists('/proc/%d' % p) for p in pids):
                time.sleep(0.1)

    def power_off(self, instance, timeout=0, retry_interval=0):
        self._power_off(instance)

    def power_on(self, context, instance, network_info,
                 block_device_info=None, accel_info=None, share_info=None):
        if self._record(instance.uuid) is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        self._power_off(instance)
        self._power_on(instance)

    def reboot(self, context, instance, network_info, reboot_type,
               block_device_info=None, bad_volumes_callback=None,
               accel_info=None, share_info=None):
        if self._record(instance.uuid) is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        self._power_off(instance)
        if reboot_type.lower() == 'hard':
            self.plug_vifs(instance, network_info)
        self._power_on(instance)

    def plug_vifs(self, instance, network_info):
        info = os_vif_util.nova_to_osvif_instance(instance)
        for vif in network_info:
            if vif['type'] in PLUGGABLE:
                os_vif.plug(os_vif_util.nova_to_osvif_vif(vif), info)

    def unplug_vifs(self, instance, network_info):
        info = os_vif_util.nova_to_osvif_instance(instance)
        for vif in network_info or []:
            if vif['type'] in PLUGGABLE:
                try:
                    os_vif.unplug(os_vif_util.nova_to_osvif_vif(vif), info)
                except Exception:
                    LOG.exception('Failed to unplug VIF %s', vif['id'],
                                  instance=instance)

    def _teardown(self, instance, network_info):
        netns = self._netns(instance)
        self._kill_guest_processes(netns)
        self._detach_vfs(netns, network_info)
        if os.path.exists('/run/netns/' + netns):
            # Deleting the namespace deletes the guest's veth ends, and
            # with them the tap devices on the node.
            _execute('ip', 'netns', 'delete', netns, check=False)
        for vif in network_info or []:
            if vif['type'] not in PLUGGABLE:
                continue
            tap = vif.get('devname')
            if tap and not vif.is_hybrid_plug_enabled():
                _execute('ovs-vsctl', '--timeout=20', '--if-exists',
                         'del-port', tap, check=False)
            if tap and os.path.exists('/sys/class/net/' + tap):
                _execute('ip', 'link', 'delete', tap, check=False)
        self.unplug_vifs(instance, network_info)
        shutil.rmtree(self._gdir(instance.uuid), ignore_errors=True)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        if self._record(instance.uuid) is None and not os.path.exists(
                '/run/netns/' + self._netns(instance)):
            LOG.warning('Instance not found on the node; cleaning up what '
                        'is left', instance=instance)
        self._teardown(instance, network_info)

    def cleanup(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, migrate_data=None, destroy_vifs=True,
                destroy_secrets=True):
        if destroy_vifs:
            self.unplug_vifs(instance, network_info)

    def get_volume_connector(self, instance):
        return {'ip': CONF.my_ip, 'host': CONF.host, 'initiator': None}
