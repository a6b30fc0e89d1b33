"""Run commands and supervise the lab's long-running processes.

There is no systemd: every service is a child started here, in its own
session, with its output in ``logs/<name>.log`` and its pid in
``run/<name>.pid``. ``stop_all`` ends them all, by process group.
"""

import os
import signal
import subprocess
import time


class LabError(Exception):
    """A lab step failed; the message says which and what to look at."""


def netns_prefix(netns):
    return ['ip', 'netns', 'exec', netns] if netns else []


#: How a node's services enter their node: its network namespace, and a
#: mount namespace of their own in which /sys shows the node's devices (as
#: ``ip netns exec`` does) while /run/netns stays shared with the host, so
#: that namespaces they create (guests, qrouter-*) are visible machine-wide.
NODE_SHELL = ('umount -l /sys && '
              'mount -t sysfs -o nosuid,nodev,noexec sysfs /sys && '
              'exec "$@"')


def node_prefix(netns):
    return ['nsenter', '--net=/run/netns/' + netns, '--', 'unshare',
            '--mount', '--propagation', 'unchanged', '--', 'sh', '-c',
            NODE_SHELL, netns]


def run(cmd, netns=None, check=True, env=None, user=None, timeout=300,
        input=None, quiet=False):
    """Run a command to completion; return its stdout (text)."""
    full = netns_prefix(netns) + (['runuser', '-u', user, '--']
                                  if user else []) + list(cmd)
    try:
        res = subprocess.run(full, env=_env(env), input=input,
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LabError('%s did not finish within %d s'
                       % (_show(cmd), timeout))
    except FileNotFoundError:
        raise LabError('%s: command not found (is its package installed?)'
                       % cmd[0])
    if check and res.returncode != 0:
        tail = (res.stderr or res.stdout).strip().splitlines()[-8:]
        raise LabError('%s exited %d%s' % (
            _show(cmd), res.returncode,
            ':\n  ' + '\n  '.join(tail) if tail else ''))
    if not quiet and res.returncode == 0:
        pass
    return res.stdout


def ip(*args, netns=None):
    """``ip ARGS``, in ``netns`` when given; its stdout."""
    return run(['ip'] + list(args), netns=netns)


def ok(cmd, netns=None, **kwargs):
    """True when the command exits 0 (its output is dropped)."""
    try:
        run(cmd, netns=netns, **kwargs)
        return True
    except LabError:
        return False


def _env(extra):
    env = dict(os.environ)
    if extra:
        env.update(extra)
    return env


def _show(cmd):
    more = ' ...' if len(cmd) > 4 else ''
    return ' '.join(str(c) for c in cmd[:4]) + more


def spawn(state, name, cmd, netns=None, env=None, user=None, cwd=None):
    """Start a long-running service; return its pid."""
    os.makedirs(state.logs, exist_ok=True)
    os.makedirs(state.run, exist_ok=True)
    full = (node_prefix(netns) if netns else []) + (
        ['runuser', '-u', user, '--'] if user else []) + list(cmd)
    log = open(os.path.join(state.logs, name + '.log'), 'ab')
    try:
        proc = subprocess.Popen(full, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=_env(env),
                                cwd=cwd or state.root,
                                start_new_session=True)
    finally:
        log.close()
    with open(pidfile(state, name), 'w') as f:
        f.write('%d\n' % proc.pid)
    return proc.pid


def pidfile(state, name):
    return os.path.join(state.run, name + '.pid')


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(')')[-1].split()[0] != 'Z'
    except OSError:
        return False


def service_pid(state, name):
    """The pid of a running lab service, or None."""
    try:
        with open(pidfile(state, name)) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def services(state):
    """{name: pid or None} for every service the lab started."""
    if not os.path.isdir(state.run):
        return {}
    return {n[:-4]: service_pid(state, n[:-4])
            for n in sorted(os.listdir(state.run)) if n.endswith('.pid')}


def wait_for(what, check, timeout, interval=0.5, log=None):
    """Poll ``check`` until it returns truthy; bounded by ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            hint = ' (see %s)' % log if log else ''
            raise LabError('%s not ready after %d s%s'
                           % (what, timeout, hint))
        time.sleep(interval)


def kill_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def stop(state, name, timeout=15):
    pid = service_pid(state, name)
    if pid:
        kill_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        kill_group(pid, signal.SIGKILL)
    try:
        os.unlink(pidfile(state, name))
    except FileNotFoundError:
        pass


def stop_all(state, names=None, timeout=15):
    """TERM every service (in reverse start order), then KILL leftovers."""
    known = services(state)
    order = names or sorted(known, key=lambda n: _mtime(state, n),
                            reverse=True)
    pids = {}
    for name in order:
        pid = known.get(name)
        if pid:
            kill_group(pid, signal.SIGTERM)
            pids[name] = pid
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids.values()) and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    for name, pid in pids.items():
        kill_group(pid, signal.SIGKILL)
    for name in known:
        try:
            os.unlink(pidfile(state, name))
        except FileNotFoundError:
            pass


def _mtime(state, name):
    try:
        return os.path.getmtime(pidfile(state, name))
    except OSError:
        return 0


def processes_under(path):
    """Pids whose command line, environment or working directory names
    ``path``.

    Catches what a service forked outside its process group (privsep
    daemons, sshd of guests, RabbitMQ's epmd).
    """
    found = []
    me = os.getpid()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                cmdline = f.read().replace(b'\0', b' ').decode(
                    'utf-8', 'replace')
            with open('/proc/%s/environ' % entry, 'rb') as f:
                environ = f.read().decode('utf-8', 'replace')
            cwd = os.readlink('/proc/%s/cwd' % entry)
        except OSError:
            continue
        if path in cmdline or path in environ or cwd == path or \
                cwd.startswith(path + '/'):
            found.append(int(entry))
    return found


def rss_mib(pids):
    """Sum the resident memory of ``pids``, in MiB.

    Shared pages count once per process: an upper bound.
    """
    total = 0
    for pid in pids:
        try:
            with open('/proc/%d/statm' % pid) as f:
                total += int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            pass
    return total * os.sysconf('SC_PAGE_SIZE') / 2 ** 20
