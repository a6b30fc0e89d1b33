"""The lab's hypervisor: instances are network namespaces."""
