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
"""VF behaviour: spoof check, link state, trust and MTU with traffic."""

import time

from oslo_log import log as logging
from tempest.common import utils
from tempest import config
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import vf
from sriov_tempest_plugin import waiters

CONF = config.CONF
LOG = logging.getLogger(__name__)


class SriovVfBehaviourTest(base.SriovScenarioTest):
    """VF properties Neutron asks for, checked with traffic.

    Direct ports on one network of host 1, so that the NIC's embedded
    switch is all that lies between them: ``a`` sends, ``b`` observes and
    pings, ``c`` has its link taken down, ``t`` (with [sriov] trusted_vfs)
    asks for a trusted VF; ``n``, a normal port beside them, is the OVS end
    of the MTU check. The SR-IOV agent turns a port's
    ``port_security_enabled`` into the VF's spoof check and its
    ``admin_state_up`` into the VF's link state, Nova a port's
    ``binding:profile`` trusted into the VF's trust; a card (or a driver)
    that ignores one lets traffic through that Neutron was told to stop,
    or stops what it was told to let through.
    """

    host_roles = (topology.HOST1,)

    @staticmethod
    def trusted_port():
        """The port attributes that ask Nova for a trusted VF (admin).

        The port's ``trusted`` attribute (Neutron extension
        ``port-trusted-vif``), which Neutron hands Nova in the port's
        binding:profile; without it, ``binding:profile {"trusted":
        "true"}`` itself, as older clouds take it.
        """
        if utils.is_extension_enabled('port-trusted-vif', 'network'):
            return {'trusted': True}
        return {'binding:profile': {'trusted': 'true'}}

    @classmethod
    def skip_checks(cls):
        super(SriovVfBehaviourTest, cls).skip_checks()
        cls.require_vf('the VF-behaviour family (spoof check, link state, '
                       'MTU, trust of a VF)')

    @classmethod
    def _normal_host(cls):
        """Where the normal guest ``n`` goes: beside the VFs, unless the
        cloud gives a VF no path to an OVS port of its own host.
        """
        return (topology.HOST1 if cls.settings.vf_to_ovs_same_host
                else topology.HOST2)

    @classmethod
    def _host_roles(cls):
        return tuple(dict.fromkeys((topology.HOST1, cls._normal_host())))

    @classmethod
    def resource_setup(cls):
        super(SriovVfBehaviourTest, cls).resource_setup()
        cls.network, subnet = cls.create_vlan_network(0)
        cls.route_for_ssh([subnet])
        vnic = cls.settings.vnic_type
        direct = ['a', 'b', 'c'] + (['t'] if cls.settings.trusted_vfs
                                    else [])
        trusted = cls.trusted_port()
        try:
            cls.boot_wave([(name, vnic, topology.HOST1, cls.network, None)
                           for name in direct] +
                          [('n', 'normal', cls._normal_host(),
                            cls.network, None)],
                          no_ssh=('n',), port_extra={'t': trusted})
        except lib_exc.Forbidden as exc:
            if not any(key in str(exc) for key in trusted):
                raise
            raise lib_exc.InvalidConfiguration(
                'Neutron does not let admin create a port with %s, which '
                'asks Nova for a trusted VF: %s. Enable the ML2 extension '
                'driver port_trusted (API extension port-trusted-vif), or '
                'set [sriov] trusted_vfs = False' % (trusted, exc))

    # -- helpers ------------------------------------------------------------

    def _send_arp(self, sender, eth_src, arp_mac, peer, peer_mac, iface,
                  via=None):
        self.guest(sender, via).send_arp(iface, peer_mac, eth_src, arp_mac,
                                         peer.ip)

    def _peer_sees(self, peer, peer_iface, address):
        """The MAC ``peer`` holds for ``address`` now (or None)."""
        return self.guest(peer).neighbour_mac(address, peer_iface)

    def _until_peer_sees(self, sender, eth_src, arp_mac, peer, ifaces,
                         via=None):
        """Send until the peer's entry for the sender is ``arp_mac``."""
        (s_iface, _, _), (p_iface, p_mac, _) = ifaces

        def seen():
            self._send_arp(sender, eth_src, arp_mac, peer, p_mac, s_iface,
                           via)
            return self._peer_sees(peer, p_iface, sender.ip) == arp_mac

        return test_utils.call_until_true(
            seen, CONF.validation.ping_timeout, 1)

    def _restore_peer_entry(self, sender, peer, ifaces):
        (s_iface, s_mac, _), (p_iface, p_mac, _) = ifaces
        self._send_arp(sender, s_mac, s_mac, peer, p_mac, s_iface)

    def _arrives(self, sender, eth_src, peer, ifaces):
        """Whether ARP requests ``sender`` sends from ``eth_src`` (and
        naming it as ARP sender) reach ``peer``: one burst, then the
        peer's entry for the sender is read. Returns (arrived, entry).
        """
        (s_iface, _, _), (p_iface, p_mac, _) = ifaces
        self._send_arp(sender, eth_src, eth_src, peer, p_mac, s_iface)
        # Frames that pass arrive as they are sent; give the burst (0.6 s)
        # one second more before reading.
        time.sleep(1)
        seen = self._peer_sees(peer, p_iface, sender.ip)
        return seen == eth_src, seen

    def _control(self, sender, peer, ifaces):
        """The positive control: ARP requests from the sender's own MAC,
        naming a fresh MAC, reach the peer (its entry takes the fresh MAC)
        within [validation] ping_timeout. Returns that MAC.
        """
        mac = ifaces[0][1]
        control = vf.local_mac()
        self.assertTrue(
            self._until_peer_sees(sender, mac, control, peer, ifaces),
            'control failed: ARP requests %s sent from its own MAC %s did '
            'not reach %s within %d s (its entry for %s is %s)'
            % (self._vm_name(sender), mac, self._vm_name(peer),
               CONF.validation.ping_timeout, sender.ip,
               self._peer_sees(peer, ifaces[1][0], sender.ip)))
        return control

    def _restore_mac(self, vm, peer, ifaces, via=None):
        """The guest's NIC back at its port's MAC, the peer's entry for it
        too, and the port ACTIVE: the SR-IOV agent finds a VF by its MAC,
        so while it had another the agent counted the port's device gone
        and reported it DOWN. ``via``: the VM the guest is reached through
        while it has another MAC.
        """
        iface, mac, _ = ifaces[0]
        now = self.guest(vm, via).interface()[1]
        if now == mac:
            return
        refused = self.guest(vm, via).set_mac(iface, mac)
        if refused:
            self.fail('%s cannot take its port\'s MAC %s back (it has %s): '
                      '%s' % (self._vm_name(vm), mac, now, refused))
        # Any neighbour that took the other MAC for the guest's address
        # takes the port's back from a broadcast ARP request naming it:
        # the peer, and the router behind the floating IP, which hears the
        # guest's own ARP requests (2026-12-07, ML2/OVS: its entry still
        # held the other MAC and SSH to the floating IP timed out). Sent,
        # like the MAC change, through ``via``.
        self._send_arp(vm, mac, mac, peer, vf.BROADCAST_MAC, iface, via)
        self._wait_port_status(vm, 'ACTIVE')

    def _update_port(self, vm, **kwargs):
        return self.a_ports.update_port(vm.port['id'], **kwargs)['port']

    def _wait_port_status(self, vm, status):
        try:
            waiters.wait_for_all(
                [vm.port['id']],
                lambda pid: self.a_ports.show_port(pid)['port']['status'],
                lambda state: state == status, lambda pid, state: None,
                CONF.network.build_timeout, CONF.network.build_interval,
                what='port of %s' % self._vm_name(vm))
        except lib_exc.TimeoutException as exc:
            self.fail('%s (wanted %s after the update): is the SR-IOV agent '
                      'of %s alive?' % (exc, status, vm.host))

    # -- tests --------------------------------------------------------------

    @decorators.idempotent_id('8f5b67ac-b136-4768-a4ac-4859fd13b93c')
    @utils.services('compute', 'network')
    def test_spoofed_source_mac_dropped(self):
        """With port security on, a frame with another source MAC is lost.

        Control first, in the same test: ``a`` sends ARP requests from its
        own MAC naming a fresh MAC as ARP sender, and ``b``'s neighbour
        entry for ``a`` takes that MAC: frames from ``a`` reach ``b`` and
        ``b`` shows it. Then ``a`` sends the same with another Ethernet
        source MAC, which the VF's spoof check must drop: ``b``'s entry
        must keep the control's MAC. First, ``a``'s host must show ``a``'s
        VF in ``ip link`` with ``spoof checking on`` (skips without
        [sriov] host_addresses).
        """
        a, b = self.vms['a'], self.vms['b']
        self.check_host_vf_flags(a, 'port security on', spoofchk=True)
        ifaces = (self.guest(a).interface(), self.guest(b).interface())
        self.addCleanup(self._restore_peer_entry, a, b, ifaces)
        a_mac = ifaces[0][1]
        control = self._control(a, b, ifaces)
        forged = vf.local_mac()
        _, seen = self._arrives(a, forged, b, ifaces)
        if seen != control:
            self.fail('spoof check is off: %s sent ARP requests with source '
                      'MAC %s (its port %s has MAC %s and port security on) '
                      'and %s now holds %s for %s; the VF must drop frames '
                      'whose source is not its MAC (ip link set <pf> vf N '
                      'spoofchk on)'
                      % (self._vm_name(a), forged, a.port['id'], a_mac,
                         self._vm_name(b), seen, a.ip))

    @decorators.idempotent_id('2a7cafee-f810-4bef-b0a1-f24012632835')
    @utils.requires_ext(extension='port-security', service='network')
    @utils.services('compute', 'network')
    def test_spoof_check_off_without_port_security(self):
        """With port security off on the port, such a frame gets through.

        The SR-IOV agent turns ``port_security_enabled=False`` into
        ``spoofchk off`` on the VF; ``b``'s entry for ``a`` then takes the
        MAC a frame with a foreign source MAC claimed; ``a``'s host shows
        its VF with ``spoof checking off`` (skips without [sriov]
        host_addresses). Port security is restored afterwards.
        """
        a, b = self.vms['a'], self.vms['b']
        ifaces = (self.guest(a).interface(), self.guest(b).interface())
        self.addCleanup(self._restore_peer_entry, a, b, ifaces)
        self.addCleanup(self._update_port, a, port_security_enabled=True,
                        security_groups=[self.secgroup['id']])
        self._update_port(a, security_groups=[], port_security_enabled=False)
        forged, claimed = vf.local_mac(), vf.local_mac()
        why = 'port security off'
        if not self._until_peer_sees(a, forged, claimed, b, ifaces):
            # The host's report adds to the failure; it never turns it
            # into a skip.
            host = (self.host(a.host).vf_findings(a.port, why,
                                                  spoofchk=False)
                    if self.settings.host_addresses.get(a.host) else None)
            self.fail(
                'with port security off on %s (port %s), ARP requests it '
                'sent with source MAC %s did not reach %s within %d s (its '
                'entry for %s is %s): the VF still enforces spoof check; the '
                'SR-IOV agent of %s sets spoofchk from port_security_enabled.'
                ' %s' % (self._vm_name(a), a.port['id'], forged,
                         self._vm_name(b), CONF.validation.ping_timeout, a.ip,
                         self._peer_sees(b, ifaces[1][0], a.ip), a.host,
                         ' '.join(host) if host else
                         'The host\'s own report of the VF: %s.' % (
                             'as asked' if host == [] else 'not checked: '
                             '[sriov] host_addresses has no address for '
                             '%s' % a.host)))
        self.check_host_vf_flags(a, why, spoofchk=False)

    @decorators.idempotent_id('70430852-7845-45a3-b163-adf779b64905')
    @utils.services('compute', 'network')
    def test_admin_state_down_stops_vf(self):
        """``admin_state_up=False`` on a direct port silences its VF.

        ``b`` reaches ``c`` and ``a`` first. With ``c``'s port down (and
        Neutron reporting it DOWN), ``b`` still reaches ``a`` (the network
        and ``b`` are fine) but not ``c``; back up, ``b`` reaches ``c``
        again within [validation] ping_timeout.
        """
        a, b, c = self.vms['a'], self.vms['b'], self.vms['c']
        self.guest(b).ping(c.ip)
        self.guest(b).ping(a.ip)
        self.addCleanup(self._update_port, c, admin_state_up=True)
        self._update_port(c, admin_state_up=False)
        self._wait_port_status(c, 'DOWN')
        self.guest(b).ping(a.ip)
        self.guest(b).ping(
            c.ip, should_succeed=False, count=5,
            why='its port %s is admin_state_up=False and DOWN, so its VF\'s '
                'link must be disabled' % c.port['id'])
        self._update_port(c, admin_state_up=True)
        self._wait_port_status(c, 'ACTIVE')
        self.guest(b).ping(c.ip)

    @decorators.idempotent_id('9edcb313-e0c6-43cc-bd4e-8993f82e4bb4')
    @utils.services('compute', 'network')
    def test_network_mtu_frames_pass(self):
        """The VF has the network's MTU, and frames of that size pass.

        ``a``'s VF in the guest has the MTU Neutron gives the network, and
        a ping of exactly that MTU with DF set (no fragmentation allowed)
        is answered by ``b`` (direct to direct, through the NIC) and by
        ``n`` (direct to normal, through the PF and OVS; across the wire
        with [sriov] vf_to_ovs_same_host = False). Small pings to
        each come first, so a lost large frame is the MTU's doing.
        """
        a = self.vms['a']
        mtu = self.network.get('mtu')
        if not mtu:
            raise self.skipException('the network has no mtu attribute '
                                     '(Neutron extension net-mtu)')
        name, _, guest_mtu = self.guest(a).interface()
        self.assertEqual(
            mtu, guest_mtu,
            'the VF %s in %s has MTU %d, the network %s has %d: the guest '
            'takes its MTU from DHCP option 26 or the metadata; the PF\'s '
            'MTU must be at least the network\'s' % (
                name, self._vm_name(a), guest_mtu, self.network['id'], mtu))
        for peer in (self.vms['b'], self.vms['n']):
            self.guest(a).ping(peer.ip, why=vf.reach_hint(
                a.vnic_type, a.host, peer.vnic_type, peer.host))
            self.guest(a).ping(
                peer.ip, size=mtu - 28,
                why='%d-byte IP packets with DF set (the network\'s MTU) '
                    'get no answer from %s (%s port), while small ones do: '
                    'a hop on the way (PF, embedded switch, physnet) has a '
                    'smaller MTU' % (mtu, self._vm_name(peer),
                                     peer.vnic_type))

    @decorators.idempotent_id('0d622dce-5273-4672-a2c7-17fc90c000e0')
    @utils.services('compute', 'network')
    def test_trusted_vf_changes_its_mac(self):
        """A guest on a trusted VF can change its MAC, and is reached at it.

        ``t``'s port asks for a trusted VF (its ``trusted`` attribute, or
        ``binding:profile {"trusted": "true"}``); Nova sets its VF's trust
        on as it plugs it, and ``t``'s host must show the VF with ``trust
        on`` (skips without [sriov] host_addresses). ``t`` sets its NIC's MAC
        to a fresh one, which the VF's driver asks the PF for: it must be
        granted. ARP requests ``t`` then sends from the new MAC must reach
        ``b`` (its entry for ``t`` takes it: the VF's spoof check follows
        the MAC), and ``b`` must reach ``t`` at it. Meanwhile ``t`` is
        reached through ``b``. The port's MAC is put back afterwards.
        """
        if not self.settings.trusted_vfs:
            raise self.skipException(
                '[sriov] trusted_vfs is False: no VFs tagged "trusted": '
                '"true" in Nova [pci] device_spec to boot a trusted port on')
        t, b = self.vms['t'], self.vms['b']
        self.check_host_vf_flags(t, 'trusted port', trust=True)
        ifaces = (self.guest(t).interface(), self.guest(b).interface())
        t_iface, t_mac, _ = ifaces[0]
        # From its MAC change to its restore, t is reached through b: a
        # router that holds t's port MAC for its address (ML2/OVN's
        # logical router takes it from the port) cannot reach it.
        self.addCleanup(self._restore_mac, t, b, ifaces, b)
        new = vf.local_mac()
        refused = self.guest(t).set_mac(t_iface, new)
        if refused:
            self.fail('%s could not change its MAC from %s to %s, though its '
                      'port %s asks for a trusted VF (trusted: %r): '
                      '%s. Nova sets the VF\'s trust on '
                      'as it plugs such a port (ip link set <pf> vf N trust '
                      'on), and the NIC\'s PF driver must then grant the '
                      'VF\'s own MAC' % (self._vm_name(t), t_mac, new,
                                         t.port['id'],
                                         vf.port_trusted(t.port), refused))
        if not self._until_peer_sees(t, new, new, b, ifaces, via=b):
            self.fail('%s (trusted VF) took MAC %s, but ARP requests it sent '
                      'from it did not reach %s within %d s (its entry for %s '
                      'is %s): the VF does not carry the MAC its trusted '
                      'guest set (its spoof check did not follow it)'
                      % (self._vm_name(t), new, self._vm_name(b),
                         CONF.validation.ping_timeout, t.ip,
                         self._peer_sees(b, ifaces[1][0], t.ip)))
        self.guest(b).ping(t.ip, why='%s holds %s for %s, the MAC its '
                                     'trusted VF took; frames to it must '
                                     'reach it'
                                     % (self._vm_name(b), new, t.ip))

    @decorators.idempotent_id('d47613a4-f9be-4ec5-b252-3f8c2c5ca3e6')
    @utils.services('compute', 'network')
    def test_untrusted_vf_keeps_its_mac(self):
        """A guest on an untrusted VF cannot change its MAC.

        ``a``'s port asks for no trusted VF (its host must show the VF with
        ``trust off``; skips without [sriov] host_addresses); ``b`` reaches
        ``a`` first. ``a`` sets its NIC's MAC to a fresh one: the VF's
        driver asks the PF, which must refuse, because the hypervisor set
        the VF's MAC and the VF is not trusted. A refusal counts only as
        the NIC's (EPERM, "Operation not permitted"), after ``a`` proved it
        runs commands as root; any other failure means nothing was tried,
        and fails. A driver that takes the MAC anyway (some learn the PF's
        answer later) passes only if the VF does not carry it: ARP
        requests ``a`` sends from the new MAC must not reach ``b``, while
        the same from ``a``'s own MAC (the control) do, and after the
        control they are sent again for vf.LATE_GRANT_WINDOW seconds,
        never arriving (a PF that grants the request late).
        """
        a, b = self.vms['a'], self.vms['b']
        self.check_host_vf_flags(a, 'port not trusted', trust=False)
        ifaces = (self.guest(a).interface(), self.guest(b).interface())
        a_iface, a_mac, _ = ifaces[0]
        self.guest(b).ping(a.ip)
        self.addCleanup(self._restore_mac, a, b, ifaces)
        root = self.guest(a).root_check()
        if root != '0':
            self.fail('%s cannot run commands as root (id -u printed %r), '
                      'so its MAC change could not be tried: set [sriov] '
                      'image_ref to an image whose user is root or has '
                      'passwordless sudo' % (self._vm_name(a), root))
        new = vf.local_mac()
        refused = self.guest(a).set_mac(a_iface, new)
        if refused and not vf.refused_by_nic(refused):
            self.fail('%s could not try MAC %s: the command failed for '
                      'another cause than the NIC\'s refusal (EPERM, "%s"), '
                      'so nothing about the VF was tried: %s'
                      % (self._vm_name(a), new, vf.EPERM_TEXT, refused))
        if refused:
            kept = self.guest(a).interface()[1]
            self.assertEqual(
                a_mac, kept, '%s was refused MAC %s (%s) but its NIC now has '
                '%s' % (self._vm_name(a), new, refused, kept))
            LOG.info('%s (untrusted VF) was refused MAC %s: %s',
                     self._vm_name(a), new, refused)
            return

        def never_carried(when, why):
            arrived, seen = self._arrives(a, new, b, ifaces)
            if arrived:
                self.fail('%s changed its MAC from %s to %s and, %s, its '
                          'frames from it reach %s (its entry for %s is now '
                          '%s), though its port %s asks for no trusted VF: %s'
                          % (self._vm_name(a), a_mac, new, when,
                             self._vm_name(b), a.ip, seen, a.port['id'],
                             why))

        never_carried('at once', 'the NIC let an untrusted VF override the '
                      'MAC the hypervisor set; its PF driver must refuse it '
                      'unless the VF is trusted')
        self._control(a, b, ifaces)
        deadline = time.monotonic() + vf.LATE_GRANT_WINDOW
        while time.monotonic() < deadline:
            never_carried('after the control', 'the PF granted the '
                          'untrusted VF\'s request late')
        LOG.info('%s (untrusted VF): its driver took MAC %s, but the VF did '
                 'not carry it for %d s', self._vm_name(a), new,
                 vf.LATE_GRANT_WINDOW)
