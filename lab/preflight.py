"""Before the lab starts anything: every directory it will make can be made.

``lab up`` (and so ``tools/lab-suite.sh``) first checks each directory it
will create or reuse: the state dir and its parts, the Tempest venv and
Tempest's workspace registry. A file where a directory must go (another
tool's ``.venv`` redirect file, say) or a parent that cannot be written
fails in seconds with the path and what is in the way, not after minutes
of installing.
"""

import os


def _what_is(path):
    """A short description of the non-directory at ``path``."""
    if os.path.islink(path) and not os.path.exists(path):
        return 'a dangling symbolic link to %s' % os.readlink(path)
    if not os.path.isfile(path):
        return 'something that is not a directory'
    size = os.path.getsize(path)
    try:
        with open(path, 'rb') as f:
            first = f.read(80).split(b'\n', 1)[0].decode('utf-8', 'replace')
    except OSError:
        first = ''
    return 'a file of %d bytes%s' % (
        size, ', first line %r' % first if first else '')


def obstacle(path):
    """Why the directory ``path`` cannot be made or used, or None."""
    if os.path.isdir(path):
        if not os.access(path, os.W_OK | os.X_OK):
            return '%s is a directory this user cannot write' % path
        return None
    if os.path.lexists(path):
        return '%s must be a directory, but %s is in the way' % (
            path, _what_is(path))
    parent = os.path.dirname(os.path.abspath(path))
    if parent == path:
        return '%s does not exist' % path
    in_the_way = obstacle(parent)
    if in_the_way:
        return 'cannot make %s: %s' % (path, in_the_way)
    return None


def obstacles(paths):
    """The obstacles for each of ``paths`` (directories), in order."""
    return [o for o in (obstacle(p) for p in paths) if o]


def message(problems):
    """One message for a non-empty list of obstacles, naming the fix."""
    return ('the lab cannot make the directories it needs, and has started '
            'nothing:\n  %s\nMove what is in the way (or make it '
            'writable) and run again.' % '\n  '.join(problems))
