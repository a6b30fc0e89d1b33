# Copyright 2026 sriov-tempest-plugin developers
#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.
"""Guest and host access: the one home of every command run over SSH.

A :class:`GuestClient` runs commands in one guest through Tempest's
``RemoteClient``; a :class:`HostClient` runs them on one compute host
(``[sriov] host_*``). Neither parses: the command lines come from the pure
modules (``iperf``, ``latency``, ``vf``, ``layout``) and their output goes
back to them. A guest or host that cannot be reached, or a command that
fails where it must not, ends the test with one message that names the
cause and the fix (``Failure``); a host ``[sriov] host_addresses`` does
not name skips it, naming the option (not checked, and visibly so).
"""

import shlex
import unittest

from oslo_log import log
from tempest.lib.common import ssh
from tempest.lib.common.utils.linux import remote_client
from tempest.lib.common.utils import test_utils
from tempest.lib import exceptions as lib_exc

from sriov_tempest_plugin import iperf
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import layout
from sriov_tempest_plugin import vf

LOG = log.getLogger(__name__)

#: Seconds one SSH connect attempt may take (retried until the timeout).
CONNECT_TIMEOUT = 10


class Failure(AssertionError):
    """A test failure raised by a client (an ``AssertionError``, as
    ``TestCase.fail`` raises): its message names the cause and the fix.
    """


class GuestClient(object):
    """One guest of a boot wave (``base.Vm``), over SSH.

    :param vm: the guest; ``vm.ssh_ip`` is where SSH reaches it.
    :param ssh_timeout: [validation] ssh_timeout, for commands that end.
    :param ping_timeout: [validation] ping_timeout, how long reaching may
        take (links, ARP and flows).
    :param console: ``console() -> text``: the tail of the guest's
        console, for a guest that cannot be reached.
    :param no_lease: ``no_lease() -> text or None``: why the guest cannot
        be reached when its console says it got no DHCP lease, else None.
    :param via: another :class:`GuestClient` every command jumps through
        (to this guest's fixed IP) unless it names its own, or None.
    """

    def __init__(self, vm, user, private_key, key_type, ssh_timeout,
                 ping_timeout, console, no_lease=lambda: None, via=None):
        self.vm = vm
        self.via = via
        self.user = user
        self._private_key = private_key
        self.key_type = key_type
        self.ssh_timeout = ssh_timeout
        self.ping_timeout = ping_timeout
        self._console = console
        self._no_lease = no_lease

    @property
    def name(self):
        return self.vm.server['name']

    def remote(self, timeout=None, via=None):
        """Tempest's ``RemoteClient`` to this guest; ``via`` another
        :class:`GuestClient` as the jump host (then the guest is reached
        on its fixed IP).

        No shell prologue: the commands of this plugin are plain POSIX
        sh and handle their own errors, while Tempest's default prologue
        (``set -eu -o pipefail``) is refused by dash and BusyBox shells.
        """
        via = via or self.via
        address = self.vm.ip if via is not None else self.vm.ssh_ip
        timeout = timeout or self.ssh_timeout
        # connect_timeout: each TCP connect attempt, retried until
        # ``timeout`` (tempest's ssh.Client default; RemoteClient's 60 s
        # would let one attempt outlast a short timeout).
        client = remote_client.RemoteClient(
            address, self.user, pkey=self._private_key,
            ssh_timeout=timeout, connect_timeout=CONNECT_TIMEOUT,
            ssh_shell_prologue='', ssh_key_type=self.key_type)
        if via is not None:
            client.ssh_client = ssh.Client(
                address, self.user, pkey=self._private_key, timeout=timeout,
                channel_timeout=CONNECT_TIMEOUT, ssh_key_type=self.key_type,
                proxy_client=via.remote().ssh_client)
        return client

    def exec(self, command, timeout=None, via=None):
        """Run ``command``; its output. A guest SSH cannot reach fails
        the test (:meth:`unreachable`); a command that exits non-zero
        raises ``SSHExecCommandFailed`` for the caller to judge.
        """
        via = via or self.via
        client = self.remote(timeout, via)
        try:
            return client.exec_command(command)
        except lib_exc.SSHTimeout as exc:
            raise Failure(self.unreachable(client, exc, via))

    def run_bounded(self, command, timeout, what, bound):
        """Run a command that must end within ``timeout`` s. ``what``
        names it and ``bound`` the options that set the bound, for the
        failure. A non-zero exit still raises ``SSHExecCommandFailed``
        (not a ``TimeoutException``).
        """
        try:
            return self.exec(command, timeout)
        except lib_exc.TimeoutException:
            raise Failure('%s did not finish within %d s (%s)'
                          % (what, timeout, bound))

    def unreachable(self, client, exc, via=None):
        """One message for a guest that SSH cannot reach, with the tail of
        its console, as Tempest's own remote client logs it: it tells a
        guest that never booted or got no address from a network that
        drops SSH.
        """
        head = 'cannot SSH to guest %s (%s%s) as %s within %s s' % (
            self.name, client.ip_address, ' via %s' % via.name if via else '',
            self.user, client.ssh_client.timeout)
        why = self._no_lease()
        if why:
            # The guest has no address: that, not SSH, is the fault.
            return '%s: %s\n%s' % (head, why, self._console())
        hint = (', and that the image has nc (Tempest jumps through '
                'guest %s with "nc <host> 22")' % via.name if via else '')
        return ('%s: %s. Check [validation] connect_method, [sriov] '
                'image_ssh_user and that the image runs sshd%s.\n%s'
                % (head, exc, hint, self._console()))

    # -- addresses ----------------------------------------------------------

    def interface(self):
        """``(name, mac, mtu)`` of the guest's NIC with its fixed IP."""
        return layout.interface_of(self.exec('ip addr'), self.vm.ip)

    def addresses(self, via=None):
        """The guest's IPv4 addresses (``layout.guest_addresses``)."""
        return layout.guest_addresses(self.exec('ip addr', via=via))

    # -- reachability and latency --------------------------------------------

    def ping(self, dest_ip, should_succeed=True, count=3, why=None,
             size=None):
        """Ping ``dest_ip``; fail readably.

        Reaching is retried until ``ping_timeout`` (links, ARP and flows
        take a moment). Not reaching is one run of ``count`` echo
        requests: any reply fails at once, because one frame that crossed
        is already the leak. A caller proves the far side alive first.
        ``size`` pings with that payload and DF set (``-M do``); ``why``
        ends the failure message.
        """
        command = 'ping -c %d -W 1 %s%s' % (
            count, '-M do -s %d ' % size if size else '',
            shlex.quote(dest_ip))
        why = ': %s' % why if why else ''

        def replied():
            try:
                self.exec(command)
                return True
            except lib_exc.SSHExecCommandFailed:
                return False

        if not should_succeed:
            if replied():
                raise Failure('%s reaches %s, which it must not (%d echo '
                              'requests, at least one answered)%s'
                              % (self.name, dest_ip, count, why))
            return
        if not test_utils.call_until_true(replied, self.ping_timeout, 1):
            raise Failure('%s cannot reach %s within %d s%s'
                          % (self.name, dest_ip, self.ping_timeout, why))

    def ping_samples(self, address, count):
        """What ``latency.ping_command`` printed: ``count`` RTT samples
        to ``address`` (ping exits 1 when a reply was lost; its output
        still counts, the verdict reports the loss).
        """
        try:
            return self.run_bounded(
                latency.ping_command(address, count),
                latency.command_timeout(count),
                'ping from %s to %s' % (self.name, address),
                '%d echo requests, [sriov] latency_samples' % count)
        except lib_exc.SSHExecCommandFailed as exc:
            return str(exc)

    # -- iperf3 ---------------------------------------------------------------

    def require_iperf3(self, image_ref):
        """iperf3 is in the guest (its version is logged); fail otherwise.
        """
        try:
            version = self.exec(iperf.version_command())
        except lib_exc.SSHExecCommandFailed:
            raise Failure('guest image %s has no iperf3 (guest %s): set '
                          '[sriov] image_ref to an image with iperf3 3.x'
                          % (image_ref, self.name))
        LOG.info('%s: %s', self.name,
                 version.splitlines()[0] if version else '?')

    def iperf3_runs(self, server, streams, count, settings):
        """``count`` iperf3 samples from this guest to ``server`` (a
        :class:`GuestClient`), one at a time, each by ``iperf.sample``
        (fresh servers, bounded retries, the skew rule).
        """
        s = settings
        ports, pidfiles = iperf3_server_files(s, streams)
        command = iperf.client_command(server.vm.ip, s.iperf_port, streams,
                                       s.iperf_duration, s.iperf_omit,
                                       s.iperf_mode)
        describe = 'iperf3 from %s to %s (%d streams)' % (
            self.name, server.vm.ip, streams)

        def start_servers():
            server.start_iperf3_servers(ports, pidfiles)

        def run_client():
            return self.run_bounded(
                command, s.iperf_timeout, describe,
                '[sriov] iperf_omit + iperf_duration + iperf_grace')

        runs = []
        for _ in range(count):
            try:
                runs.append(iperf.sample(start_servers, run_client,
                                         s.iperf_duration, describe,
                                         LOG.warning))
            except iperf.IperfError as exc:
                raise Failure(str(exc))
        return runs

    def start_iperf3_servers(self, ports, pidfiles):
        """Fresh one-off iperf3 servers on ``ports`` (old ones stopped)."""
        self.exec(self.stop_iperf3_command(pidfiles))
        self.exec(' && '.join(iperf.server_command(p, f)
                              for p, f in zip(ports, pidfiles)))

    @staticmethod
    def stop_iperf3_command(pidfiles):
        return '; '.join(iperf.stop_server_command(f) for f in pidfiles)

    # -- VF behaviour: frames, neighbours, MACs -------------------------------

    def send_arp(self, iface, dst_mac, eth_src, sender_mac, target_ip):
        """Send a burst of ARP requests (``vf.arp_command``) from this
        guest's address, the frames from ``eth_src`` naming
        ``sender_mac``.
        """
        try:
            self.exec(vf.arp_command(iface, dst_mac, eth_src, sender_mac,
                                     self.vm.ip, target_ip))
        except lib_exc.SSHExecCommandFailed as exc:
            raise Failure('guest %s cannot send a raw frame (it needs '
                          'python3 and root or passwordless sudo; set '
                          '[sriov] image_ref to such an image): %s'
                          % (self.name, exc))

    def neighbour_mac(self, address, iface):
        """The MAC this guest holds for ``address`` now (or None)."""
        return vf.neigh_mac(self.exec(vf.neigh_command(address, iface)))

    def hold_neighbour(self, address, mac, iface):
        """A static neighbour entry for ``address`` at ``mac``; returns
        the call that deletes it (for ``addCleanup``).
        """
        self.exec(vf.static_neigh_command(address, mac, iface))
        return lambda: self.exec(vf.del_neigh_command(address, iface))

    def set_mac(self, iface, mac):
        """Set the NIC's MAC: None when done, else the guest's error."""
        try:
            self.exec(vf.mac_command(iface, mac))
        except lib_exc.SSHExecCommandFailed as exc:
            return str(exc)
        return None

    def root_check(self):
        """What ``vf.ROOT_CHECK`` printed: '0' when this guest's user may
        act as root without a password.
        """
        return self.exec(vf.ROOT_CHECK).strip()


def iperf3_server_files(settings, streams):
    """``(ports, pidfiles)`` of the iperf3 servers ``streams`` need."""
    ports = iperf.server_ports(settings.iperf_port, streams,
                               settings.iperf_mode)
    return ports, ['/tmp/sriov-iperf3-server-%d.pid' % p for p in ports]


class HostClient(object):
    """One compute host, over SSH (``[sriov] host_*``).

    Every host fact has three states: seen, missing (the test fails with
    what the host printed) and not checked (a host ``[sriov]
    host_addresses`` does not name skips the test, naming the option).
    """

    def __init__(self, host, settings):
        self.host = host
        self.settings = settings

    def exec(self, command):
        """Run a command on the host; its output."""
        s = self.settings
        address = s.host_addresses.get(self.host)
        if not address:
            raise unittest.SkipTest(
                '[sriov] host_addresses has no address for compute host %s'
                % self.host)
        client = ssh.Client(address, s.host_ssh_user,
                            key_filename=s.host_ssh_key_path,
                            port=s.host_ssh_port,
                            look_for_keys=not s.host_ssh_key_path,
                            timeout=s.host_ssh_timeout)
        try:
            return client.exec_command(command)
        except lib_exc.SSHTimeout as exc:
            raise Failure('cannot SSH to compute host %s at %s:%d as %s: '
                          '%s. Check [sriov] host_addresses, host_ssh_user '
                          'and host_ssh_key_path'
                          % (self.host, address, s.host_ssh_port,
                             s.host_ssh_user, exc))
        except lib_exc.SSHExecCommandFailed as exc:
            raise Failure('on compute host %s, %r failed: %s. Check '
                          '[sriov] host_command_prefix (sudo, container)'
                          % (self.host, command, exc))

    def command(self, name):
        """Host command ``name`` (:func:`layout.host_commands`), quoted.
        """
        return layout.host_commands(self.settings.host_command_prefix,
                                    self.settings.integration_bridge)[name]

    def run(self, name):
        """Run host command ``name``; its output."""
        return self.exec(self.command(name))

    def said(self, command, output, lines=15):
        """What a host command printed, its last lines, for a message."""
        text = (output or '').rstrip().splitlines()
        return 'on compute host %s, %s printed%s:\n%s' % (
            self.host, command, ' (its last %d lines)' % lines
            if len(text) > lines else '',
            '\n'.join(text[-lines:]) or '(nothing)')

    def libvirt_xml(self, instance_name):
        """``virsh dumpxml`` of an instance (its libvirt name)."""
        return self.exec(layout.virsh_dumpxml_command(
            self.settings.virsh_command_prefix, instance_name))

    def vf_state(self, port, why, **expected):
        """``(seen, problems)``: whether ``ip link`` shows the port's VF,
        and what it reports wrongly about the VF's flags
        (:func:`layout.vf_flag_findings`). A host that shows no VF line,
        or none with the port's MAC, is a problem, with the command and
        what it printed.
        """
        command, output, view = self._port_view(port)
        problems = layout.vf_flag_findings(view, why, **expected)
        if view.vf is None:
            problems.append(self.said(command, output))
        return view.vf is not None, problems

    def _port_view(self, port):
        """``(command, output, layout.HostView)`` of ``ip link`` for the
        port.
        """
        command = self.command('ip_link')
        output = self.exec(command)
        return command, output, layout.host_view(
            port['id'], port['mac_address'], layout.parse_ip_link(output),
            {}, ())

    def vf_of(self, port):
        """``(PF, VF index)`` of the port's VF as ``ip link`` shows it, or
        None with what the host printed (a problem).
        """
        command, output, view = self._port_view(port)
        if view.vf is None:
            return None, self.said(command, output)
        return (view.vf[0], view.vf[1].index), None

    def vf_given_back_findings(self, port, vf, vlan):
        """What ``ip link`` still shows of the deleted ``port``
        (:func:`layout.vf_given_back_findings`), with what the host
        printed when anything.
        """
        command = self.command('ip_link')
        output = self.exec(command)
        problems = layout.vf_given_back_findings(
            layout.parse_ip_link(output), port['mac_address'], vf, vlan)
        if problems:
            problems.append(self.said(command, output))
        return problems

    def vf_findings(self, port, why, **expected):
        """:meth:`vf_state`'s problems: a list, empty when as asked."""
        return self.vf_state(port, why, **expected)[1]

    def wait_vf_flags(self, port, why, timeout, **expected):
        """The port's VF has the flags Neutron asked for, as ``ip link``
        reports them; fail otherwise.

        The SR-IOV agent applies a port update on its next device loop,
        so the host is asked again, every 2 s, until the flags match or
        ``timeout`` ([network] build_timeout) passes. A VF the host does
        not show at all fails at once: no update brings it there.
        """
        seen = []

        def as_asked():
            seen[:] = self.vf_state(port, why, **expected)
            return not seen[1] or not seen[0]

        # Asked once before the wait: a wait of 0 s still looks.
        if not as_asked() and \
                not test_utils.call_until_true(as_asked, timeout, 2):
            raise Failure('%s (still so after %d s, [network] '
                          'build_timeout)' % ('\n'.join(seen[1]), timeout))
        if seen[1]:
            raise Failure('\n'.join(seen[1]))
