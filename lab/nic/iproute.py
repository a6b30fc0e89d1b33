"""iproute2 as the card makes it look: which ``ip`` commands list links or
set a VF's MAC, and the ``vf N ...`` lines a PF driver reports.
"""

import re

from lab.nic import device as nic_device

#: ``ip link``'s words for a VF's link state (IFLA_VF_LINK_STATE).
LINK_WORDS = {nic_device.LINK_AUTO: 'auto', nic_device.LINK_ENABLE: 'enable',
              nic_device.LINK_DISABLE: 'disable'}


_LINK_RECORD = re.compile(r'^\d+:\s+(?P<name>[^:@\s]+)(?:@\S+)?:\s+<')
#: iproute2 options that take a value, and those whose output is not the
#: plain listing (JSON, brief) or not this namespace's.
_IP_VALUE_OPTIONS = ('-f', '-family', '-rc', '-rcvbuf', '-l', '-loops',
                     '-b', '-batch')


#: iproute2 options that act on another namespace (or read commands).
_IP_ELSEWHERE = ('-n', '-netns', '-b', '-batch')
_IP_OTHER_OUTPUT = ('-j', '-json', '-br', '-brief') + _IP_ELSEWHERE


def _link_words(args, refused):
    """The words after ``link`` in ``ip ARGS`` (iproute2's global options
    skipped), or None: not ``ip link``, or an option in ``refused``.
    """
    args = list(args)
    while args and args[0].startswith('-'):
        option = args.pop(0)
        if option in refused:
            return None
        if option in _IP_VALUE_OPTIONS and args:
            args.pop(0)
    if not args or not 'link'.startswith(args[0]):
        return None
    return args[1:]


def ip_link_listing(args):
    """Whether ``ip ARGS`` lists links in the plain format.

    That is ``ip [-d] [-o] link [show ...]``, the output
    :func:`with_vf_report` adds to.
    """
    words = _link_words(args, _IP_OTHER_OUTPUT)
    if words is None:
        return False
    return not words or any(word.startswith(words[0])
                            for word in ('show', 'list', 'lst'))


MAC = re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$')


def link_address_change(args):
    """``(device, mac)`` when ``ip ARGS`` sets a link's MAC in this
    namespace (``ip link set [dev] DEV ... address MAC``), else None.

    What a VF's driver must ask the PF for (:meth:`Firmware.request_mac`).
    """
    words = _link_words(args, _IP_ELSEWHERE)
    if not words or len(words) < 2 or words[0] not in ('set', 'change'):
        return None
    words = words[1:]
    device = mac = None
    for i, word in enumerate(words[:-1]):
        if word == 'dev':
            device = words[i + 1]
        elif word == 'address':
            mac = words[i + 1]
    device = device or words[0]
    if mac is None or not MAC.match(mac) or device in ('dev', 'group'):
        return None
    return device, mac.lower()


def vf_report_lines(vfs, faults=()):
    """The ``vf N ...`` lines ``ip link`` prints for a PF's VFs.

    As iproute2 prints (``print_vfinfo``, in its order) what a PF driver
    reports in IFLA_VFINFO_LIST; ``vfs`` is {index: state}. None under
    ``host-no-vfs``.
    """
    if 'host-no-vfs' in faults:
        return []
    lines = []
    for index, st in sorted(vfs.items()):
        words = ['vf %d     link/ether %s brd ff:ff:ff:ff:ff:ff'
                 % (index, st['mac'])]
        if st.get('vlan'):
            words.append('vlan %d' % st['vlan'])
        if st.get('max_tx_rate'):
            # The kernel reports the old single rate as the maximum too.
            words.append('tx rate %d (Mbps)' % st['max_tx_rate'])
            words.append('max_tx_rate %dMbps' % st['max_tx_rate'])
        if st.get('min_tx_rate'):
            words.append('min_tx_rate %dMbps' % st['min_tx_rate'])
        words.append('spoof checking %s' % ('on' if st['spoofchk']
                                            else 'off'))
        words.append('link-state %s' % LINK_WORDS[int(st['link_state'])])
        words.append('trust %s' % ('on' if st.get('trust') else 'off'))
        lines.append(', '.join(words))
    return lines


def with_vf_report(ip_link_text, pf_device, lines):
    """``ip link`` output with the VF ``lines`` ending a PF's record.

    On a line of their own each, or after a backslash in one-line mode
    (``-o``), as iproute2 prints them.
    """
    out = []
    in_pf = False
    for line in ip_link_text.splitlines():
        head = _LINK_RECORD.match(line)
        if head and in_pf:
            out.extend('    ' + vf for vf in lines)
            in_pf = False
        if head and head.group('name') == pf_device:
            if '\\' in line:      # one-line mode: the record is this line
                line = line.rstrip('\n') + ''.join(
                    '\\    ' + vf for vf in lines)
            else:
                in_pf = True
        out.append(line)
    if in_pf:
        out.extend('    ' + vf for vf in lines)
    return '\n'.join(out) + ('\n' if ip_link_text.endswith('\n') else '')
