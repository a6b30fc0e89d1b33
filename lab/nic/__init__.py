r"""The emulated SR-IOV NIC of a compute node (an Intel 82599-like card).

Hardware, as the node sees it::

    compute node netns             card netns (the card's silicon)
    ens1f0     PF 8086:10fb <-veth-> pf-rep    \
    ens1f0v<i> VF 8086:10ed <-veth-> vf<i>-rep -- esw -- wire -> "phys"
                                               /  (embedded switch:
                                                   userspace OVS)

The embedded switch is a userspace Open vSwitch of the card's own, in its
own namespace, so nothing of it shows on the node: VF-to-VF traffic of
one PF stays in it (VEB), the rest leaves through ``wire``, whose egress
is limited to the port speed. A VF's VLAN is an access tag on its
representor port and its MAC and link state are kept by the card, set by
the hypervisor and the SR-IOV agent, never by the VM.

The package is the card, by concern: ``device`` (what the host and Nova
see), ``state`` (the locked state store), ``faults`` (what it can get
wrong), ``switch`` (what it programs: flows, loss, rates), ``iproute``
(iproute2 as the card makes it look) and ``firmware`` (the operations
that change its state and program its switch).
"""
