#!/bin/bash
# mmdebstrap --customize-hook for the guest image: $1 is the new root.
# Adds this directory's files/, the BIOS bootloader's files and the
# services the image needs, and removes what must be unique per instance.
set -euo pipefail
root="$1"
here="$(dirname "$(readlink -f "$0")")"

cp -a "$here/files/." "$root/"

# GRUB for BIOS boot, from the image's own grub-pc-bin: its modules under
# /boot/grub and a core image that finds them on the first partition.
# build-guest-image.sh writes boot.img to the MBR and core.img after it.
mkdir -p "$root/boot/grub/i386-pc"
cp "$root"/usr/lib/grub/i386-pc/*.mod "$root"/usr/lib/grub/i386-pc/*.lst \
    "$root/boot/grub/i386-pc/"
chroot "$root" grub-mkimage -O i386-pc -d /usr/lib/grub/i386-pc \
    -o /boot/grub/i386-pc/core.img -p '(hd0,msdos1)/boot/grub' \
    biosdisk part_msdos ext2
cp "$root/usr/lib/grub/i386-pc/boot.img" "$root/boot/grub/i386-pc/boot.img"

# systemd-networkd runs the network (cloud-init writes its files, the
# catch-all in files/ takes every other NIC); resolved takes DHCP's DNS.
chroot "$root" systemctl enable systemd-networkd systemd-resolved >/dev/null
ln -sf /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"

# Per-instance identity is made at first boot: SSH host keys by
# cloud-init, the machine id by systemd.
rm -f "$root"/etc/ssh/ssh_host_*
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
echo sriov-guest > "$root/etc/hostname"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/log/*.log
