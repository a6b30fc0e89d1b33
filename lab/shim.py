"""What the lab's command shims share (``lab/host-bin``, ``lab/guest-bin``
and the SR-IOV agent's hardware layer): the real command behind a shim,
and running the card's firmware commands.
"""

import os
import shutil
import subprocess
import sys


def real_command(name, shim_dir):
    """The path of ``name`` on PATH, the shim's own directory left out."""
    shim_dir = os.path.realpath(shim_dir)
    path = [p for p in os.environ.get('PATH', '').split(os.pathsep)
            if p and os.path.realpath(p) != shim_dir]
    found = shutil.which(name, path=os.pathsep.join(path + ['/usr/sbin',
                                                            '/sbin']))
    if not found:
        sys.exit('%s: not installed (iproute2)' % name)
    return found


def run(cmd, env):
    """The runner of ``lab.nic.firmware.Firmware`` outside the lab's own
    tools.
    """
    subprocess.run(cmd, env=dict(os.environ, **(env or {})), check=True,
                   capture_output=True, timeout=30)


def sshd_setenv(env):
    """The sshd_config line that gives every login ``env`` (a dict): how
    the shims get onto a login's PATH, and what they read.
    """
    return 'SetEnv %s' % ' '.join('"%s=%s"' % kv for kv in sorted(
        env.items()))
