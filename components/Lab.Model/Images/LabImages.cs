using System.Collections.Immutable;
using System.Reflection;
using System.Text.RegularExpressions;
using Lab.Model.Artifacts;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Images;

/// <summary>
/// One image the program runs in the cluster: its build context (Images/FOLDER, embedded), its repository in the
/// lab's registry, the pins it is built with, and files the build step copies in from the control node.
/// </summary>
/// <param name="Name">Its key in lab:validation.images.</param>
/// <param name="HostFiles">Context file name → path on the control node (the node's own kubectl, of the pinned MicroK8s channel).</param>
public sealed record LabImage(string Name, string Folder, string Repository, ImmutableArray<string> BuildArgs, ImmutableSortedDictionary<string, string> HostFiles);

/// <summary>How a Job gets an image: the operator's digest-pinned reference, or the one the program builds.</summary>
/// <param name="Pinned">REGISTRY/REPOSITORY:TAG@sha256:DIGEST from lab:validation.images; null: built by the program.</param>
/// <param name="Step">On the control node: the build (and push), or for a pinned image the check that its digest resolves in
/// the registry. Either prints the reference the Jobs run: `LAB_IMAGE REGISTRY/REPOSITORY@sha256:DIGEST`.</param>
/// <param name="Identity">What the image is made of (the pinned reference, or the hash of its build step): a probe's fingerprint carries it.</param>
public sealed record ImageSource(string Name, string? Pinned, StepScript Step, string Identity)
{
    public bool Built => Pinned is null;
}

/// <summary>
/// The lab's images as code: every image the program runs is built on the control node by buildah from its
/// Containerfile (Lab.Model/Images/NAME/), on an Ubuntu base debootstrapped from the nodes' pinned archive, pushed
/// to lab:validation.registry and used by digest — unless the operator pinned it in lab:validation.images.
/// </summary>
public static partial class LabImages
{
    public const string Component = "lab-images";

    /// <summary>Where MicroK8s' containerd reads per-registry host configuration (its containerd-template.toml: config_path).</summary>
    public const string CertsDir = MicroK8sSteps.ArgsDir + "/certs.d";

    /// <summary>The control node's kubectl: the MicroK8s snap's own binary, so the tools image matches the cluster's channel.</summary>
    public const string SnapKubectl = "/snap/microk8s/current/kubectl";

    public static readonly ImageBuildPins DefaultPins = new(
        Buildah: "1.33.7+ds1-1",
        Debootstrap: "1.0.134ubuntu1",
        GpuBurnCommit: "3ead140434da9473582b68452f7115967a7a0581",
        CudaCompute: 86,
        Rapids: "26.10.2");

    public static readonly string[] Names = ["blackbox", "cuda", "pushgateway", "rapids", "tools"];

    public static IReadOnlyList<LabImage> Catalogue(ImageBuildPins pins) =>
    [
        new("cuda", "gpu-burn", "lab/gpu-burn", [$"GPU_BURN_COMMIT={pins.GpuBurnCommit}", $"CUDA_COMPUTE={pins.CudaCompute}"], ImmutableSortedDictionary<string, string>.Empty),
        new("tools", "probe-tools", "lab/probe-tools", [], ImmutableSortedDictionary<string, string>.Empty.Add("kubectl", SnapKubectl)),
        new("rapids", "rapids", "lab/rapids", [$"RAPIDS_VERSION={pins.Rapids}"], ImmutableSortedDictionary<string, string>.Empty),
        new("pushgateway", "pushgateway", "lab/pushgateway", [], ImmutableSortedDictionary<string, string>.Empty),
        new("blackbox", "blackbox", "lab/blackbox-exporter", [], ImmutableSortedDictionary<string, string>.Empty),
    ];

    /// <summary>The files of an image's build context, by name, as embedded in Lab.Model (Images/FOLDER/...).</summary>
    public static ImmutableSortedDictionary<string, string> Context(LabImage image)
    {
        var prefix = $"Images/{image.Folder}/";
        var model = typeof(LabImages).Assembly;
        return model.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToImmutableSortedDictionary(n => n[prefix.Length..], ScriptBodies.Read, StringComparer.Ordinal);
    }

    /// <param name="ContextFiles">Context file names, with their contents in ContextBase64 (base64 in 76-column lines: a
    /// Containerfile's ${ARG} is data, and stays plain text nowhere in the script); HostFiles are copied from the node.</param>
    /// <param name="Archive">The Ubuntu archive the base is debootstrapped from: the snapshot of lab:versions.aptSnapshot, or lab:versions.aptMirror.</param>
    /// <param name="CaCert">The lab CA on the node (lab:vault.caCert); used only when RegistryTls is true.</param>
    public sealed record BuildData(string Image, string Registry, bool RegistryTls, string CaCert, string Repository, string Tag,
        string Archive, string Buildah, string Debootstrap, ImmutableArray<string> ContextFiles, ImmutableArray<string> ContextBase64,
        ImmutableArray<string> HostFileNames, ImmutableArray<string> HostFilePaths, ImmutableArray<string> BuildArgs);

    private static string Base64Lines(string text) =>
        string.Join("\n", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)).Chunk(76).Select(c => new string(c)));

    /// <summary>The archive URL the image base reads, the same instant of Ubuntu's archive the nodes install from.</summary>
    public static string Archive(PinnedVersions versions) =>
        versions.AptMirror ?? $"https://snapshot.ubuntu.com/ubuntu/{versions.AptSnapshot}/";

    /// <summary>
    /// The build step of one image on the control node: its context and pins are all in the data block, so the step's
    /// hash changes (and the image is rebuilt) exactly when its Containerfile, a copied file or a pin changes.
    /// </summary>
    public static StepScript Build(LabSpec spec, LabImage image)
    {
        var context = Context(image);
        var v = spec.Validation;
        // The tag names what was built; the digest the step prints is what Jobs run.
        var tag = Shell.Sha256(string.Join("\n", context.Select(c => $"{c.Key}\n{c.Value}").Concat(image.BuildArgs).Append(Archive(spec.Versions))))[..16];
        return StepScript.Render(Component, spec.ControlNode.Name, $"image-{image.Name}",
            "build one lab image with buildah from its Containerfile, push it to the lab's registry, print its digest",
            new BuildData(image.Name, v.Registry, v.RegistryTls, spec.Vault.CaCert, image.Repository, tag,
                Archive(spec.Versions), v.Build.Buildah, v.Build.Debootstrap,
                [.. context.Keys], [.. context.Values.Select(Base64Lines)], [.. image.HostFiles.Keys], [.. image.HostFiles.Values], image.BuildArgs),
            "Images/build.sh", ShellHelper.AptPin);
    }

    public sealed record ResolveData(string Image, string Registry, bool RegistryTls, string CaCert, string Repository, string Digest);

    /// <summary>An image the operator pinned: its digest must resolve in the lab's registry before any Job is created.</summary>
    public static StepScript Resolve(LabSpec spec, string name, string pinned)
    {
        var v = spec.Validation;
        var at = pinned.IndexOf('@', StringComparison.Ordinal);
        var repository = pinned[..pinned.LastIndexOf(':', at)];
        return StepScript.Render(Component, spec.ControlNode.Name, $"image-{name}",
            "check that an image pinned by digest resolves in the lab's registry, print its reference",
            new ResolveData(name, v.Registry, v.RegistryTls, spec.Vault.CaCert, repository, pinned[(at + 1)..]), "Images/resolve.sh");
    }

    /// <summary>The probes' images: a gate that is off runs none of them, so they are not built.</summary>
    public static readonly string[] ProbeImages = ["cuda", "tools", "rapids"];

    /// <summary>Every image the lab runs: the operator's pin (checked), or the program's build.</summary>
    public static IReadOnlyList<ImageSource> Sources(LabSpec spec) =>
        [.. Catalogue(spec.Validation.Build).Where(image => spec.Validation.Mode != GateMode.Off || !ProbeImages.Contains(image.Name)).Select(image => spec.Validation.Images.TryGetValue(image.Name, out var pinned)
            ? new ImageSource(image.Name, $"{spec.Validation.Registry}/{pinned}", Resolve(spec, image.Name, pinned), $"{spec.Validation.Registry}/{pinned}")
            : Built(spec, image))];

    private static ImageSource Built(LabSpec spec, LabImage image)
    {
        var build = Build(spec, image);
        return new ImageSource(image.Name, null, build, $"built:{build.Hash}");
    }

    public static ImageSource Source(LabSpec spec, string name) => Sources(spec).Single(s => s.Name == name);

    /// <summary>The prefix of the line the build step ends with: `LAB_IMAGE REGISTRY/REPOSITORY@sha256:DIGEST`.</summary>
    public const string ResultPrefix = "LAB_IMAGE ";

    /// <summary>
    /// The reference from an image step's output (build or resolve), checked to be the expected repository by digest. A
    /// step that printed none (it cannot have succeeded) is an error naming the image and the registry.
    /// </summary>
    public static string PushedReference(StepScript build, string output)
    {
        var data = ScriptData.Read(build.Text).ToDictionary(d => d.Name, d => d.Display);
        var expected = $"{data["registry"]}/{data["repository"]}@sha256:";
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        var reference = line?[ResultPrefix.Length..];
        if (reference is null || !reference.StartsWith(expected, StringComparison.Ordinal) || !Digest().IsMatch(reference[expected.Length..]))
        {
            throw new InvalidOperationException($"image {data["image"]}: the image step printed no digest for {expected[..^8]} in registry {data["registry"]} " +
                $"(expected a line '{ResultPrefix}{expected}<64 hex digits>'). Read the step's output in the update log; see docs/runbooks/validation-gate.md.");
        }
        return reference;
    }

    [GeneratedRegex(@"\A[0-9a-f]{64}\z")] private static partial Regex Digest();

    /// <summary>
    /// containerd's host configuration for the lab's registry (MicroK8s reads certs.d/HOST:PORT/hosts.toml at each
    /// pull): pull and resolve from it, trusting the lab CA when it serves TLS.
    /// </summary>
    public static string HostsToml(ValidationSpec v, string caCert)
    {
        var url = $"{(v.RegistryTls ? "https" : "http")}://{v.Registry}";
        var text = $"# The lab's registry, rendered by Lab.Model (lab:validation.registry).\nserver = {Toml.Quote(url)}\n\n[host.{Toml.Quote(url)}]\n  capabilities = [\"pull\", \"resolve\"]\n";
        return v.RegistryTls ? text + $"  ca = {Toml.Quote(caCert)}\n" : text;
    }

    public sealed record TrustData(string HostsFile, string HostsToml);

    /// <summary>On every node: containerd trusts the lab's registry (hosts.toml; the CA file is the os step's).</summary>
    public static StepScript RegistryTrust(LabSpec spec, NodeSpec node) => StepScript.Render(Component, node.Name, "registry-trust",
        "containerd's host configuration for the lab's registry",
        new TrustData($"{CertsDir}/{spec.Validation.Registry}/hosts.toml", HostsToml(spec.Validation, spec.Vault.CaCert)),
        "Images/registry-trust.sh", ShellHelper.WriteFile);

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        Sources(spec).Select(s => s.Step.ToArtifact())
            .Concat(spec.Nodes.Select(n => RegistryTrust(spec, n).ToArtifact()))
            .Append(new Artifact($"{Component}/hosts.toml", HostsToml(spec.Validation, spec.Vault.CaCert)));
}
