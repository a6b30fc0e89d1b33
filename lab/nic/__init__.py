r"""The emulated SR-IOV NIC of a compute node (an Intel 82599-like card).

Hardware, as the node sees it::

    compute node netns             card netns (the card's silicon)
    ens1f0     PF 8086:10fb <-veth-> pf-rep    \
    ens1f0v<i> VF 8086:10ed <-veth-> vf<i>-rep -- esw -- wire -> "phys"
                                               /  (embedded switch:
                                                   userspace OVS)

The embedded switch is a userspace Open vSwitch of the card's own, in its
own namespace, so nothing of it shows on the node: VF-to-VF traffic of
one PF stays in it, the rest leaves through ``wire``, whose egress is
limited to the port speed. It is a VEB as an 82599's is: it forwards by a
MAC + VLAN filter table that the firmware programs from its state
(``veb``), never by learning; a VF's VLAN is its port VLAN, pushed and
popped by that table. A VF's MAC, VLAN and link state are kept by the
card, set by the hypervisor and the SR-IOV agent, never by the VM; the
PF's forwarding database (``bridge fdb``) reaches the table through the
PF driver's watcher (``fdb``).

The package is the card, by concern: ``device`` (what the host and Nova
see), ``state`` (the locked state store), ``faults`` (what it can get
wrong), ``veb`` (its switch's filter table), ``switch`` (loss and rates on its
VFs' paths), ``fdb`` (the PF's forwarding database), ``iproute``
(iproute2 as the card makes it look) and ``firmware`` (the operations
that change its state and program its switch).
"""
