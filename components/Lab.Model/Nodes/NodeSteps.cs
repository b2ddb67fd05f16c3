using System.Collections.Immutable;
using Lab.Model.Spec;

namespace Lab.Model.Nodes;

/// <summary>
/// The chain of steps that turns a factory-fresh Ubuntu workstation into a lab node:
/// ready → preflight → os → storage → nvidia → driver-reboot → driver-loaded → vault-agent (→ vault-agent-snapshot on the control node).
/// </summary>
public static class NodeSteps
{
    public const string Component = "bare-metal-node";

    /// <summary>The lab's network tuning (seed 004, Appendix C): BBR with fq and 128 MiB TCP buffers for the 2.5 GbE plane.</summary>
    public static readonly IReadOnlyList<(string Key, string Value)> NetworkSysctls =
    [
        ("net.core.default_qdisc", "fq"),
        ("net.ipv4.tcp_congestion_control", "bbr"),
        ("net.core.rmem_max", "134217728"),
        ("net.core.wmem_max", "134217728"),
        ("net.ipv4.tcp_rmem", "4096 87380 134217728"),
        ("net.ipv4.tcp_wmem", "4096 65536 134217728"),
        ("net.ipv4.tcp_mtu_probing", "1"),
    ];

    public const string SysctlFile = "/etc/sysctl.d/90-lab-network.conf";

    /// <summary>NVIDIA's apt repository for the container toolkit (the documented install source).</summary>
    public const string ToolkitRepository = "https://nvidia.github.io/libnvidia-container";

    /// <summary>The node's chain in order; storage only where the node mounts NAS exports.</summary>
    public static IReadOnlyList<StepScript> Render(LabSpec spec, NodeSpec node) =>
    [
        Readiness.Step(Component, node.Name),
        Preflight(spec, node),
        Os(spec, node),
        .. node.Mounts.IsEmpty ? Array.Empty<StepScript>() : [Storage.NfsMounts.Step(spec, node)],
        Nvidia(spec, node),
        DriverReboot(spec, node),
        DriverLoaded(spec, node),
        Vault.VaultAgent.Step(spec, node),
        // The scheduled raft snapshot logs in with its own role: a second agent, on the control node only.
        .. node.Role == NodeRole.Control && Vault.VaultSnapshot.Scheduled(spec) ? [Vault.VaultSnapshot.Step(spec)] : Array.Empty<StepScript>(),
    ];

    /// <summary>What preflight compares the machine against.</summary>
    public sealed record PreflightData(string ExpectedHostname, string ExpectedUbuntu, string ExpectedCpu, int ExpectedMemoryGb, string ExpectedGpu, int ExpectedGpus, int MinFreeGb);

    /// <summary>Read-only checks of the machine against the spec; prints the facts it found.</summary>
    public static StepScript Preflight(LabSpec spec, NodeSpec node) => StepScript.Render(Component, node.Name, "preflight",
        "check the machine is what the spec says (read-only)",
        new PreflightData(node.Name, spec.Versions.Ubuntu, node.Cpu, node.MemoryGb, node.Gpu.Model, node.Gpu.Count, node.MinFreeDiskGb),
        "Nodes/preflight.sh");

    /// <param name="Hostname">The lab's name for the machine: kubelet registers and gets its certificates under the OS hostname.</param>
    /// <param name="Packages">PKG=VERSION pins.</param>
    /// <param name="Sysctls">The lines of the sysctl file.</param>
    /// <param name="AptSnapshot">Snapshot ID the Ubuntu archive is read at ('' where the mirror is used).</param>
    /// <param name="AptMirror">The lab's mirror of the Ubuntu archive ('' where the snapshot is used).</param>
    /// <param name="CaCert">Where the lab CA goes (lab:vault.caCert).</param>
    /// <param name="CaPem">The lab CA from the stack ('' while lab:vault.ca is collect).</param>
    /// <param name="VaultEndpoint">Vault's host:port, where a collecting node takes the CA on first use.</param>
    public sealed record OsData(string Hostname, string HostsFile, ImmutableArray<string> Packages, string SysctlFile, ImmutableArray<string> Sysctls, string AptSnapshot, string AptMirror,
        string CaCert, string CaPem, string VaultEndpoint);

    /// <summary>The hostname, the lab CA in the trust store, Ubuntu's archive sources (at the pinned snapshot or from the lab's mirror), pinned OS packages, time sync and the network tuning.</summary>
    public static StepScript Os(LabSpec spec, NodeSpec node)
    {
        var vault = new Uri(spec.Vault.Address);
        return StepScript.Render(Component, node.Name, "os",
            "hostname, lab CA, Ubuntu archive at the pinned snapshot, pinned packages, chrony, network tuning",
            new OsData(node.Name, "/etc/hosts", [.. spec.Versions.OsPackages.Select(p => $"{p.Key}={p.Value}")], SysctlFile, [.. NetworkSysctls.Select(s => $"{s.Key} = {s.Value}")],
                spec.Versions.AptSnapshot ?? "", spec.Versions.AptMirror ?? "", spec.Vault.CaCert, spec.Vault.Ca?.Pem ?? "", $"{vault.Host}:{vault.Port}"),
            "Nodes/os.sh", ShellHelper.LabCa, ShellHelper.AptPin, ShellHelper.WriteFile);
    }

    /// <summary>
    /// The fingerprint of the key that signs NVIDIA's container toolkit repository (NVIDIA CORPORATION (Open Source
    /// Projects) &lt;cudatools@nvidia.com&gt;). That repository keeps every version, so the pins stay installable; the key
    /// fetched from it is trusted only when its fingerprint is this one.
    /// </summary>
    public const string ToolkitKeyFingerprint = "C95B321B61E88C1809C4F759DDCAE044F796ECB0";

    /// <param name="Packages">PKG=VERSION pins: the driver, then the container toolkit's packages.</param>
    public sealed record NvidiaData(string ToolkitRepository, string ToolkitKeyFingerprint, ImmutableArray<string> Packages, string DriverRelease, string ContainerToolkit);

    /// <summary>The container toolkit's packages, pinned together to one version.</summary>
    public static readonly ImmutableArray<string> ToolkitPackages = ["nvidia-container-toolkit", "nvidia-container-toolkit-base", "libnvidia-container-tools", "libnvidia-container1"];

    /// <summary>The pinned NVIDIA driver and container toolkit; no reinstall when the installed versions match.</summary>
    public static StepScript Nvidia(LabSpec spec, NodeSpec node)
    {
        var v = spec.Versions;
        return StepScript.Render(Component, node.Name, "nvidia",
            "pinned NVIDIA driver and container toolkit, identical on every node",
            new NvidiaData(ToolkitRepository, v.NvidiaRepositoryKey, [$"nvidia-driver-{v.DriverBranch}-open={v.NvidiaDriver}", .. ToolkitPackages.Select(p => $"{p}={v.ContainerToolkit}")],
                v.DriverRelease, v.ContainerToolkit),
            "Nodes/nvidia.sh", ShellHelper.PinnedKey, ShellHelper.AptPin, ShellHelper.WriteFile);
    }

    /// <param name="DriverRelease">The driver the kernel must have loaded, e.g. 580.95.05.</param>
    /// <param name="LoadedVersionFile">Where the running kernel says which nvidia module it loaded.</param>
    /// <param name="BootIdFile">This boot's id: a reboot changes it.</param>
    /// <param name="RebootFromFile">Written by driver-reboot: the boot id it rebooted from, until driver-loaded has seen the next boot.</param>
    public sealed record DriverLoadedData(string DriverRelease, string LoadedVersionFile, string BootIdFile, string RebootFromFile);

    /// <param name="NologinFile">Written by driver-reboot until the new boot (/run is a tmpfs): logins other than root's are refused (pam_nologin).</param>
    public sealed record DriverRebootData(string DriverRelease, string LoadedVersionFile, string BootIdFile, string RebootFromFile, string NologinFile);

    private static DriverLoadedData Driver(LabSpec spec) =>
        new(spec.Versions.DriverRelease, "/sys/module/nvidia/version", "/proc/sys/kernel/random/boot_id", "/var/lib/lab/driver-reboot-from");

    private static DriverRebootData RebootData(LabSpec spec)
    {
        var d = Driver(spec);
        return new(d.DriverRelease, d.LoadedVersionFile, d.BootIdFile, d.RebootFromFile, "/run/nologin");
    }

    /// <summary>
    /// Reboots the machine when the kernel has not loaded the pinned driver (what the nvidia step reports as
    /// reboot_required); a node already running it never reboots. The reboot is scheduled a minute ahead so the
    /// step returns cleanly, and logins are refused from then on, so the next step's dials wait for the new boot.
    /// </summary>
    public static StepScript DriverReboot(LabSpec spec, NodeSpec node) => StepScript.Render(Component, node.Name, "driver-reboot",
        "reboot into the pinned NVIDIA driver when the kernel runs another",
        RebootData(spec), "Nodes/driver-reboot.sh");

    /// <summary>Waits (dialling, like ready) for the machine to come back, then proves the pinned driver is loaded and answers.</summary>
    public static StepScript DriverLoaded(LabSpec spec, NodeSpec node) =>
        StepScript.Render(Component, node.Name, "driver-loaded", "the pinned NVIDIA driver is loaded and answers", Driver(spec), "Nodes/driver-loaded.sh") with { WaitsForBoot = true };
}
