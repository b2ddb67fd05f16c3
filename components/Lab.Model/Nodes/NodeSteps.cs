using Lab.Model.Spec;
using static Lab.Model.Text.Shell;

namespace Lab.Model.Nodes;

/// <summary>
/// The chain of steps that turns a factory-fresh Ubuntu workstation into a lab node:
/// ready → preflight → os → storage → nvidia → vault-agent.
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
        Vault.VaultAgent.Step(spec, node),
    ];

    /// <summary>Read-only checks of the machine against the spec; prints the facts it found.</summary>
    public static StepScript Preflight(LabSpec spec, NodeSpec node) => StepScript.Render(Component, node.Name, 10, "preflight",
        "check the machine is what the spec says (read-only)",
        $$"""
        expected_ubuntu={{Quote(spec.Versions.Ubuntu)}}
        expected_cpu={{Quote(node.Cpu)}}
        expected_memory_gb={{node.MemoryGb}}
        expected_gpu={{Quote(node.Gpu.Model)}}
        expected_gpus={{node.Gpu.Count}}
        min_free_gb={{node.MinFreeDiskGb}}
        problems=0

        # shellcheck source=/dev/null
        . /etc/os-release
        if [ "${ID:-}" != ubuntu ] || [ "${VERSION_ID:-}" != "$expected_ubuntu" ]; then
          echo "preflight: expected Ubuntu $expected_ubuntu, found ${PRETTY_NAME:-an unknown OS}" >&2
          problems=$((problems + 1))
        fi

        cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1 | sed 's/([RTMC]*)//g')
        if ! grep -qiF -- "$expected_cpu" <<<"$cpu"; then
          echo "preflight: expected CPU $expected_cpu, found ${cpu:-none}" >&2
          problems=$((problems + 1))
        fi

        memory_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
        memory_gb=$((memory_kb / 1000000))
        # Firmware reserves a little: accept 90 % of the nominal size.
        if [ $((memory_kb / 10000)) -lt $((expected_memory_gb * 90)) ]; then
          echo "preflight: expected ${expected_memory_gb} GB of memory, found ${memory_gb} GB" >&2
          problems=$((problems + 1))
        fi

        gpus=$(lspci -mm -d 10de: | grep -cF -- "$expected_gpu" || true)
        if [ "$gpus" -lt "$expected_gpus" ]; then
          echo "preflight: expected $expected_gpus x $expected_gpu, found $gpus" >&2
          problems=$((problems + 1))
        fi

        free_gb=$(df --output=avail -BG / | tail -n 1 | tr -dc '0-9')
        if [ "$free_gb" -lt "$min_free_gb" ]; then
          echo "preflight: ${free_gb} GB free on /, need ${min_free_gb} GB" >&2
          problems=$((problems + 1))
        fi

        echo "os=${PRETTY_NAME:-unknown}"
        echo "kernel=$(uname -r)"
        echo "cpu=$cpu"
        echo "memory_gb=$memory_gb"
        echo "gpu_model=$expected_gpu"
        echo "gpu_count=$gpus"
        echo "disk_free_gb=$free_gb"
        if [ "$problems" -gt 0 ]; then
          echo "preflight: $problems problem(s) on $(hostname); nothing was changed" >&2
          exit 1
        fi
        """);

    /// <summary>Pinned OS packages, time sync and the network tuning.</summary>
    public static StepScript Os(LabSpec spec, NodeSpec node)
    {
        var packages = spec.Versions.OsPackages.Select(p => Quote($"{p.Key}={p.Value}"));
        var sysctl = string.Join("\n", NetworkSysctls.Select(s => $"{s.Key} = {s.Value}"));
        return StepScript.Render(Component, node.Name, 20, "os",
            "pinned packages, chrony, network tuning",
            $$"""
            apt_pin {{string.Join(" ", packages)}}
            systemctl enable --now chrony >/dev/null

            write_file /etc/modules-load.d/lab-bbr.conf 0644 <<'EOF'
            tcp_bbr
            EOF
            modprobe tcp_bbr
            write_file {{SysctlFile}} 0644 <<'EOF'
            {{sysctl}}
            EOF
            sysctl -q --load={{SysctlFile}}

            congestion=$(sysctl -n net.ipv4.tcp_congestion_control)
            if [ "$congestion" != bbr ]; then
              echo "os: TCP congestion control is $congestion, expected bbr" >&2
              exit 1
            fi
            echo "tcp_congestion_control=$congestion"
            echo "chrony=$(systemctl is-active chrony)"
            """,
            ShellHelper.AptPin, ShellHelper.WriteFile);
    }

    /// <summary>The pinned NVIDIA driver and container toolkit; no reinstall when the installed versions match.</summary>
    public static StepScript Nvidia(LabSpec spec, NodeSpec node)
    {
        var v = spec.Versions;
        var toolkit = new[] { "nvidia-container-toolkit", "nvidia-container-toolkit-base", "libnvidia-container-tools", "libnvidia-container1" };
        var pins = toolkit.Select(p => Quote($"{p}={v.ContainerToolkit}")).Prepend(Quote($"nvidia-driver-{v.DriverBranch}-open={v.NvidiaDriver}"));
        return StepScript.Render(Component, node.Name, 30, "nvidia",
            "pinned NVIDIA driver and container toolkit, identical on every node",
            $$"""
            driver_release={{Quote(v.DriverRelease)}}
            if [ ! -s /etc/apt/keyrings/nvidia-container-toolkit.gpg ]; then
              install -d -m 0755 /etc/apt/keyrings
              curl -fsSL {{ToolkitRepository}}/gpgkey | gpg --batch --yes --dearmor -o /etc/apt/keyrings/nvidia-container-toolkit.gpg
            fi
            write_file /etc/apt/sources.list.d/nvidia-container-toolkit.list 0644 <<'EOF'
            deb [signed-by=/etc/apt/keyrings/nvidia-container-toolkit.gpg] {{ToolkitRepository}}/stable/deb/$(ARCH) /
            EOF
            apt_pin {{string.Join(" ", pins)}}

            # The kernel keeps the old module until the next boot; say so rather than reboot mid-run.
            loaded=$(cat /sys/module/nvidia/version 2>/dev/null || echo none)
            echo "driver_version=$driver_release"
            echo "driver_loaded=$loaded"
            if [ "$loaded" = "$driver_release" ]; then
              echo "reboot_required=false"
            else
              echo "reboot_required=true"
            fi
            echo "container_toolkit={{v.ContainerToolkit}}"
            """,
            ShellHelper.AptPin, ShellHelper.WriteFile);
    }
}
