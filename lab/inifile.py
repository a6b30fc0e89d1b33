"""Write oslo.config style INI files from dicts."""

import collections
import os

# A value with the reason for it, written as "# ..." lines above the key.
Noted = collections.namedtuple('Noted', 'value note')


def render(sections):
    """Turn {'section': {'key': value}} into INI text.

    Lists join with commas, booleans are written as true/false, None
    drops the key, a Noted value is preceded by its note as comments.
    """
    out = []
    for section, values in sections.items():
        out.append('[%s]' % section)
        for key, value in values.items():
            if isinstance(value, Noted):
                out.extend('# ' + line if line else '#'
                           for line in value.note.strip().splitlines())
                value = value.value
            if value is None:
                continue
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            elif isinstance(value, (list, tuple)):
                value = ','.join(str(v) for v in value)
            out.append('%s = %s' % (key, value))
        out.append('')
    return '\n'.join(out)


def write(path, sections, mode=0o600):
    """Write an INI file readable by root only (it holds passwords)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as f:
        f.write(render(sections))
    os.chmod(path, mode)
    return path
