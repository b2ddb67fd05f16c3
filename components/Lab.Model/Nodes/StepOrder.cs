namespace Lab.Model.Nodes;

/// <summary>
/// The order of every kind of remote step, in one place: each machine's chain runs in this order, and a step's
/// rendered file is numbered by it (e.g. 20-os.sh). A node's steps, the NAS's and the cluster's all take their place here.
/// </summary>
public static class StepOrder
{
    /// <summary>Kinds of step in order; "export" and "join-token" stand for their per-export and per-worker steps.</summary>
    public static readonly IReadOnlyList<(string Kind, int Order)> Kinds =
    [
        ("ready", 0),
        ("preflight", 10),
        ("export", 10),
        ("os", 20),
        ("exports", 20),
        ("storage", 25),
        ("nvidia", 30),
        ("driver-reboot", 32),
        ("driver-loaded", 34),
        ("vault-agent", 40),
        ("backups", 45),
        ("microk8s", 50),
        ("registry-trust", 52),
        ("addons", 60),
        ("kubeconfig", 70),
        ("cluster-ca", 72),
        ("image", 75),
        ("join-token", 80),
        ("join", 85),
        ("slurm-gate-key", 87),
        ("slurm-gate-trust", 88),
        ("validation-results", 90),
        ("validation-publish", 95),
    ];

    /// <summary>The order of STEP: its kind's, where a per-item step is "KIND-ITEM" (export-datasets, join-token-derpy).</summary>
    public static int Of(string step)
    {
        // The longest kind that names the step, first in Kinds on a tie; a loop, as every step of every node asks.
        var best = -1;
        for (var i = 0; i < Kinds.Count; i++)
        {
            var kind = Kinds[i].Kind;
            var names = step.Length == kind.Length || (step.Length > kind.Length && step[kind.Length] == '-');
            if (names && step.StartsWith(kind, StringComparison.Ordinal) && (best < 0 || kind.Length > Kinds[best].Kind.Length))
            {
                best = i;
            }
        }
        return best >= 0 ? Kinds[best].Order
            : throw new ArgumentException($"'{step}' is no kind of step in StepOrder.Kinds: add it there, in its place.");
    }
}
