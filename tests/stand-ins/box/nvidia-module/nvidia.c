// Stand-in for the NVIDIA kernel module (scripts/box builds it into the driver stand-in package for each
// pinned driver version): a real module named nvidia for the box machines' Debian kernel, loaded at boot
// by systemd-modules-load like DKMS's build of the real one, whose only job is /sys/module/nvidia/version.
#include <linux/init.h>
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lab box stand-in for the NVIDIA driver's kernel module");
MODULE_VERSION(LAB_DRIVER_RELEASE);

static int __init lab_nvidia_init(void) { return 0; }
static void __exit lab_nvidia_exit(void) {}

module_init(lab_nvidia_init);
module_exit(lab_nvidia_exit);
