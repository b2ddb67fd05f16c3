using System.Collections.Immutable;
using System.Globalization;

namespace Lab.Model.Validation;

/// <summary>
/// A probe's Kubernetes Job (batch/v1) as the manifest the cluster gets: its labels, annotations and spec, in the
/// API's own field names. ValidationGate registers it as it is; the image (REPOSITORY@sha256:DIGEST, known once the
/// build step pushed it) is passed in and placed unread.
/// </summary>
public static class ProbeJobs
{
    public const string ApiVersion = "batch/v1";
    public const string Kind = "Job";

    /// <summary>The drill's account: its watcher reads node conditions and the stop Job's log, nothing more.</summary>
    public const string DrillAccount = "lab-validation-drill";

    /// <param name="attempt">1 for the probe's Job, 2 for its spare (Probe.RerunJobName).</param>
    public static ImmutableDictionary<string, string> Labels(Probe probe, int attempt) => ImmutableDictionary.CreateRange(StringComparer.Ordinal,
    [
        new KeyValuePair<string, string>("app.kubernetes.io/part-of", "lab-infra"),
        new("lab.infra/probe", probe.Name),
        new("lab.infra/attempt", attempt.ToString(CultureInfo.InvariantCulture)),
    ]);

    /// <summary>
    /// The collector runs and waits for the Job, so a probe that falls short is judged, not reported as a failed
    /// resource (skipAwait). lab.infra/image names the catalogue image (BuiltImages) whose pushed digest it runs.
    /// </summary>
    public static ImmutableDictionary<string, string> Annotations(Probe probe) => ImmutableDictionary.CreateRange(StringComparer.Ordinal,
    [
        new KeyValuePair<string, string>("pulumi.com/skipAwait", "true"),
        new("lab.infra/fingerprint", probe.Fingerprint),
        new("lab.infra/image", probe.ImageName),
    ]);

    /// <summary>The Job's spec: suspended until the collector resumes its stage (probes must not run at the same time), never retried.</summary>
    /// <param name="pod">The probe's pod (<see cref="Pod"/>), shared by the Job and its spare.</param>
    public static ImmutableDictionary<string, object> Spec(Probe probe, int attempt, ImmutableDictionary<string, object> pod) => Map(
        ("suspend", true),
        ("backoffLimit", 0),
        ("activeDeadlineSeconds", probe.DeadlineSeconds),
        ("template", Map(("metadata", Map(("labels", Labels(probe, attempt)))), ("spec", pod))));

    /// <summary>The pod a probe's Jobs run: its container, host access, node and volumes; each asks for only what its measurement needs.</summary>
    /// <param name="image">The container's image: REPOSITORY@sha256:DIGEST, or the value that resolves to it once the image is pushed.</param>
    public static ImmutableDictionary<string, object> Pod(Probe probe, object image)
    {
        var privileged = probe.Host == HostAccess.PrivilegedPid;
        var container = ImmutableDictionary.CreateBuilder<string, object>(StringComparer.Ordinal);
        container["name"] = "probe";
        container["image"] = image;
        container["command"] = ImmutableArray.Create<object>("bash", "-c", probe.Script);
        // The probe account has no home in the images.
        container["env"] = ImmutableArray.Create<object>(Map(("name", "HOME"), ("value", "/tmp")));
        container["securityContext"] = privileged
            // The drill stops the node's kubelite through the host's PID 1 (nsenter needs CAP_SYS_ADMIN there).
            ? Map(("privileged", true), ("runAsUser", 0), ("runAsNonRoot", false))
            : Map(
                ("allowPrivilegeEscalation", false),
                ("capabilities", Map(("drop", ImmutableArray.Create<object>("ALL")))),
                ("runAsNonRoot", true),
                ("runAsUser", Probes.ProbeUid),
                ("runAsGroup", Probes.ProbeGid),
                ("seccompProfile", Map(("type", "RuntimeDefault"))));
        if (probe.Gpu)
        {
            container["resources"] = Map(("limits", Map(("nvidia.com/gpu", "1"))));
        }
        var pod = ImmutableDictionary.CreateBuilder<string, object>(StringComparer.Ordinal);
        pod["restartPolicy"] = "Never";
        pod["hostNetwork"] = probe.Host == HostAccess.Network;
        pod["hostPID"] = privileged;
        pod["automountServiceAccountToken"] = probe.NeedsNodeReader;
        if (probe.NeedsNodeReader)
        {
            pod["serviceAccountName"] = DrillAccount;
        }
        pod["nodeSelector"] = Map(("kubernetes.io/hostname", probe.Node));
        if (probe.NfsMountPoint is { } mountPoint)
        {
            // The node's own systemd automount, with the lab's mount options. HostToContainer: the NFS mount that
            // systemd puts on the automount point (or puts back after its idle timeout) shows in the pod.
            container["volumeMounts"] = ImmutableArray.Create<object>(Map(("name", "nas"), ("mountPath", Probes.NfsMountPath), ("mountPropagation", "HostToContainer")));
            pod["volumes"] = ImmutableArray.Create<object>(Map(("name", "nas"), ("hostPath", Map(("path", mountPoint), ("type", "Directory")))));
        }
        if (probe.Secret is { } secret)
        {
            // Readable by the probe account only through its group (fsGroup); ssh takes a key owned by another uid as it is.
            container["volumeMounts"] = ImmutableArray.Create<object>(Map(("name", "secret"), ("mountPath", Probes.SecretMountPath), ("readOnly", true)));
            pod["volumes"] = ImmutableArray.Create<object>(Map(("name", "secret"), ("secret", Map(("secretName", secret), ("defaultMode", 288 /* 0440 */)))));
            pod["securityContext"] = Map(("fsGroup", Probes.ProbeGid));
        }
        pod["containers"] = ImmutableArray.Create<object>(container.ToImmutable());
        return pod.ToImmutable();
    }

    private static ImmutableDictionary<string, object> Map(params (string Key, object Value)[] entries) =>
        ImmutableDictionary.CreateRange(StringComparer.Ordinal, entries.Select(e => new KeyValuePair<string, object>(e.Key, e.Value)));
}
