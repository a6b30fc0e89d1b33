"""The SR-IOV lab: a real OpenStack cloud on one machine.

Keystone, Placement, Glance, Nova and Neutron are the real services from
PyPI. Only what cannot exist on the machine is emulated: the hypervisor
(instances are network namespaces, see ``lab.virt``) and, in part 2, the
SR-IOV NIC. The plugin never imports this package.
"""
