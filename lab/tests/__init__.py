"""The lab's unit tests.

``lab.layout`` takes the compute nodes and the ML2 backend of the lab
this checkout has up, if any, when it is imported; the tests describe a
lab of the defaults, whatever runs beside them.
"""

from lab import layout

layout.set_computes(layout.DEFAULT_COMPUTES)
layout.set_ml2(layout.DEFAULT_ML2)
