using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using static Lab.Model.Text.Shell;

namespace Lab.Model.Cluster;

/// <summary>
/// The MicroK8s cluster's remote steps: the pinned snap and failure-detection timings on every node,
/// add-ons and the kubeconfig on the control node, and single-use-token joins for the workers.
/// </summary>
public static class MicroK8sSteps
{
    public const string Component = "microk8s-cluster";
    public const string ArgsDir = "/var/snap/microk8s/current/args";

    /// <summary>set_arg FILE FLAG VALUE: FLAG=VALUE exactly once in a MicroK8s args file.</summary>
    public static readonly ShellHelper SetArg = new("set_arg", """
        # set_arg FILE FLAG VALUE: make FLAG=VALUE the file's only setting of FLAG; notes a change in args_changed.
        set_arg() {
          if grep -qx -- "$2=$3" "$1"; then
            return 0
          fi
          sed -i "/^$2[= ]/d" "$1"
          printf '%s=%s\n' "$2" "$3" >>"$1"
          args_changed=yes
        }

        """);

    /// <summary>The pinned snap, the node's name in the cluster, and the failure-detection timings.</summary>
    public static StepScript Install(LabSpec spec, NodeSpec node)
    {
        var control = node.Role == NodeRole.Control;
        var args = ClusterTimings.For(spec.Cluster).Args(control)
            .Prepend(("kubelet", "--hostname-override", node.Name))
            .Select(a => $"set_arg {ArgsDir}/{a.Item1} {a.Item2} {Quote(a.Item3)}");
        return StepScript.Render(Component, node.Name, 50, "microk8s",
            $"MicroK8s {spec.Cluster.Channel}{(control ? " (control plane)" : "")} with failure detection within {spec.Cluster.FailureDetectionSeconds}s",
            $$"""
            channel={{Quote(spec.Cluster.Channel)}}
            if snap list microk8s >/dev/null 2>&1; then
              tracking=$(snap info microk8s | sed -n 's/^tracking:[[:space:]]*//p')
              if [ "$tracking" != "$channel" ]; then
                snap refresh microk8s --channel="$channel"
              fi
            else
              snap install microk8s --classic --channel="$channel"
            fi
            usermod -a -G microk8s {{Quote(spec.Ssh.User)}}
            microk8s status --wait-ready --timeout 300 >/dev/null

            args_changed=no
            {{string.Join("\n", args)}}
            if [ "$args_changed" = yes ]; then
              snap restart microk8s.daemon-kubelite
              microk8s status --wait-ready --timeout 300 >/dev/null
            fi
            echo "microk8s=$(snap list microk8s | awk 'NR == 2 {print $2}')"
            echo "channel=$channel"
            # The cluster's identity: a worker whose CA differs belongs to an older cluster and must rejoin.
            echo "ca_sha256=$(sha256sum /var/snap/microk8s/current/certs/ca.crt | cut -d ' ' -f 1)"
            """,
            SetArg);
    }

    /// <summary>Enables the add-ons in dependency order on the control node; enabled ones are left alone.</summary>
    public static StepScript EnableAddons(LabSpec spec)
    {
        var lines = spec.Cluster.Addons.Select(a =>
            $"enable_addon {Quote(a)}{(Addons.Arguments.TryGetValue(a, out var extra) ? " " + extra : "")}");
        return StepScript.Render(Component, spec.ControlNode.Name, 60, "addons",
            $"add-ons: {string.Join(", ", spec.Cluster.Addons)}",
            $$"""
            # enable_addon NAME [ARGS...]: enable NAME unless it already is.
            enable_addon() {
              if [ "$(microk8s status --addon "$1" 2>/dev/null)" = enabled ]; then
                echo "addon_$1=already" | tr '-' '_'
              else
                microk8s enable "$@" >&2
                echo "addon_$1=enabled" | tr '-' '_'
              fi
            }
            {{string.Join("\n", lines)}}
            microk8s status --wait-ready --timeout 600 >/dev/null
            """);
    }

    /// <summary>Prints the cluster's kubeconfig: its stdout becomes the Kubernetes provider's (secret) config.</summary>
    public static StepScript Kubeconfig(LabSpec spec) => StepScript.Render(Component, spec.ControlNode.Name, 70, "kubeconfig",
        "read the cluster's kubeconfig (stdout is secret)",
        """
        microk8s config
        """);

    /// <summary>
    /// On the control node: clears a stale member left by a rebuilt worker, then pre-sets the worker's
    /// single-use join token. The token arrives on stdin after the script.
    /// </summary>
    public static StepScript IssueJoinToken(LabSpec spec, NodeSpec worker) => StepScript.RenderReadingSecrets(Component, spec.ControlNode.Name, 80, $"join-token-{worker.Name}",
        $"single-use join token for {worker.Name}",
        ["token"],
        $$"""
        node={{Quote(worker.Name)}}
        # A rebuilt worker's old member is NotReady: dqlite still knows it and refuses the rejoin until it is removed.
        if microk8s kubectl get node "$node" >/dev/null 2>&1; then
          ready=$(microk8s kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
          if [ "$ready" != True ]; then
            microk8s remove-node "$node" --force >&2
            echo "removed_stale_member=$node"
          fi
        fi
        microk8s add-node --token "$token" --token-ttl {{spec.Cluster.JoinTokenTtlSeconds}} >/dev/null
        unset token
        echo "join_token=issued"
        """);

    /// <summary>
    /// On a worker: joins the control node with its token. Already a member of this cluster (same CA)
    /// means nothing to do; a member of an older cluster (the control node was rebuilt) leaves first.
    /// </summary>
    public static StepScript Join(LabSpec spec, NodeSpec worker) => StepScript.RenderReadingSecrets(Component, worker.Name, 85, "join",
        $"join the cluster at {spec.ControlNode.Name} as a worker",
        ["token", "cluster_ca"],
        $$"""
        local_ca=$(sha256sum /var/snap/microk8s/current/certs/ca.crt 2>/dev/null | cut -d ' ' -f 1 || true)
        if microk8s status 2>/dev/null | grep -q 'acting as a node in a cluster'; then
          if [ "$local_ca" = "$cluster_ca" ]; then
            echo "joined=already"
            exit 0
          fi
          echo "this node belongs to an older cluster; leaving it" >&2
          microk8s leave >&2
        fi
        microk8s join {{spec.ControlNode.Host}}:25000/"$token" --worker >&2
        unset token
        echo "joined=now"
        """);

    /// <summary>The GPU operator's time-slicing config (seed 004: 4 shares per GPU).</summary>
    public static string TimeSlicingConfig(ClusterSpec cluster) => $"""
        version: v1
        sharing:
          timeSlicing:
            renameByDefault: false
            failRequestsGreaterThanOne: true
            resources:
              - name: nvidia.com/gpu
                replicas: {cluster.GpuReplicas}

        """;

    /// <summary>Kubernetes labels of a node: its lab role and GPU model, for scheduling and the gate's selectors.</summary>
    public static IReadOnlyDictionary<string, string> NodeLabels(NodeSpec node) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["lab.infra/role"] = node.Role.ToString().ToLowerInvariant(),
        ["lab.infra/gpu-model"] = node.Gpu.Model.Replace(' ', '-'),
        ["lab.infra/gpu-count"] = node.Gpu.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static IEnumerable<StepScript> All(LabSpec spec) =>
        spec.Nodes.Select(n => Install(spec, n))
            .Concat([EnableAddons(spec), Kubeconfig(spec)])
            .Concat(spec.Workers.SelectMany(w => new[] { IssueJoinToken(spec, w), Join(spec, w) }));

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        All(spec).Select(s => s.ToArtifact())
            .Append(new Artifact($"{Component}/{spec.ControlNode.Name}/time-slicing.yaml", TimeSlicingConfig(spec.Cluster)));
}
