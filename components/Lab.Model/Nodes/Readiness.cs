namespace Lab.Model.Nodes;

/// <summary>The first step of every machine's chain: wait until it answers and has booted.</summary>
public static class Readiness
{
    public static StepScript Step(string component, string target) => StepScript.Render(component, target, 0, "ready",
        "wait until the machine has booted",
        """
        # 'degraded' still means booted; the later steps say what is wrong.
        systemctl is-system-running --wait >/dev/null || true
        echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
        """);
}
